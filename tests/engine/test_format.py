"""format_decimals: the lecture's 4 decimals, and no number that is not zero ever shows as 0.0000."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import Value, draw_dot, format_decimals, record_cells


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (2.0, "2.0000"),
        (-3.0, "-3.0000"),
        (0.0, "0.0000"),
        (-0.0, "0.0000"),
        (0.0001, "0.0001"),
        (0.00012, "0.0001"),
        (-0.0001, "-0.0001"),
        (8.2e-9, "8.2000e-09"),
        (-4.99e-5, "-4.9900e-05"),
        (9.9999e-5, "9.9999e-05"),
        (5e-324, "4.9407e-324"),
        (1e10, "1.0000e+10"),
        (9999999999.0, "9999999999.0000"),
    ],
)
def test_format_decimals(x, text):
    """Four decimals; below 1e-4 (not 0) and from 1e10 on, four in scientific notation."""
    assert format_decimals(x) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_no_number_but_zero_shows_as_zero(x):
    """Whatever the float, its text reads as 0 only when it is 0."""
    text = format_decimals(x)
    assert (float(text) == 0.0) == (x == 0.0)
    if abs(x) < 1e300:  # near the float's largest, 4 digits round up past it
        assert math.isclose(float(text), x, rel_tol=1e-4, abs_tol=1e-4)


def test_other_decimal_places_follow_the_same_rule():
    """With 6 places (the gradient check's table), 1e-7 is scientific and 1e-6 is not."""
    assert format_decimals(1e-7, 6) == "1.000000e-07"
    assert format_decimals(1e-6, 6) == "0.000001"


def test_a_vanishing_gradient_is_visible_in_the_picture():
    """The grad of tanh at 9 (6.1e-8) is drawn in scientific notation, not as 0.0000."""
    x = Value(9.0, label="x")
    o = x.tanh()
    o.label = "o"
    o.backward()
    assert 0 < x.grad < 1e-4
    assert f"grad {format_decimals(x.grad)}" in draw_dot(o).source
    assert record_cells("g", 0.0, 8.2e-9) == "g | data 0.0000 | grad 8.2000e-09"

"""Invalid maths raises a clear exception and builds nothing: the operands are left exactly as they were."""

from __future__ import annotations

import gc
import math
from collections.abc import Callable

import pytest

from engine import Value

# (what goes wrong, the operation on leaves a and b, a's data, b's data, exception type, message pattern)
ERRORS: list[tuple[str, Callable[[Value, Value], object], float, float, type[Exception], str]] = [
    ("a / b with b = 0", lambda a, b: a / b, 1.0, 0.0, ZeroDivisionError, r"division by zero: the denominator b = 0"),
    ("a / -0.0", lambda a, b: a / -0.0, 1.0, 0.0, ZeroDivisionError, r"division by zero: the denominator 0 is 0"),
    ("a / 0", lambda a, b: a / 0, 1.0, 0.0, ZeroDivisionError, r"division by zero"),
    ("1 / a with a = 0", lambda a, b: 1 / a, 0.0, 0.0, ZeroDivisionError, r"division by zero: the denominator a = 0"),
    ("a ** -1 with a = 0", lambda a, b: a**-1, 0.0, 0.0, ZeroDivisionError, r"division by zero: \(a = 0\) \*\* -1"),
    ("a ** -0.5 with a = 0", lambda a, b: a**-0.5, 0.0, 0.0, ZeroDivisionError, r"division by zero"),
    ("log(0)", lambda a, b: a.log(), 0.0, 0.0, ValueError, r"log of a non-positive number: a = 0"),
    ("log(-2)", lambda a, b: a.log(), -2.0, 0.0, ValueError, r"log of a non-positive number: a = -2"),
    ("(-8) ** 0.5", lambda a, b: a**0.5, -8.0, 0.0, ValueError, r"negative base with a fractional exponent.*a = -8"),
    ("(-8) ** (1/3)", lambda a, b: a ** (1 / 3), -8.0, 0.0, ValueError, r"not a real number"),
    ("a ** nan", lambda a, b: a**math.nan, 2.0, 0.0, ValueError, r"exponent of \*\* must be a finite number"),
    ("a ** inf", lambda a, b: a**math.inf, 2.0, 0.0, ValueError, r"exponent of \*\* must be a finite number"),
    ("exp(1000)", lambda a, b: a.exp(), 1000.0, 0.0, OverflowError, r"exp\(a = 1000\) overflows"),
    ("exp(710)", lambda a, b: a.exp(), 710.0, 0.0, OverflowError, r"overflows"),
    ("a * b too large", lambda a, b: a * b, 1e308, 10.0, OverflowError, r"'\*' overflows"),
    ("a + b too large", lambda a, b: a + b, 1e308, 1e308, OverflowError, r"'\+' overflows"),
    ("a - b too large", lambda a, b: a - b, -1e308, 1e308, OverflowError, r"'-' overflows"),
    ("a / b too large", lambda a, b: a / b, 1e308, 1e-10, OverflowError, r"'/' overflows"),
    ("2 * a too large", lambda a, b: 2 * a, 1e308, 0.0, OverflowError, r"'\*' overflows"),
    ("a ** 400", lambda a, b: a**400, 10.0, 0.0, OverflowError, r"\(a = 10\) \*\* 400 overflows"),
    ("a ** -400", lambda a, b: a**-400, 0.1, 0.0, OverflowError, r"overflows"),
    ("a ** b (a Value exponent)", lambda a, b: a**b, 2.0, 3.0, TypeError, r"exponent of \*\* must be a number"),
    ("2 ** a", lambda a, b: 2**a, 2.0, 3.0, TypeError, r"unsupported operand"),
    ("a + 'x'", lambda a, b: a + "x", 2.0, 3.0, TypeError, r"cannot combine a Value with str"),
    ("a * True", lambda a, b: a * True, 2.0, 3.0, TypeError, r"cannot combine a Value with bool"),
    ("None - a", lambda a, b: None - a, 2.0, 3.0, TypeError, r"cannot combine a Value with NoneType"),
    ("a ** True", lambda a, b: a**True, 2.0, 3.0, TypeError, r"exponent of \*\* must be a number"),
]


def users_of(*values: Value) -> list[Value]:
    """Every live Value that lists one of `values` among its operands."""
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Value) and any(p in values for p in o._prev)]


@pytest.mark.parametrize(
    ("case", "operation", "a_data", "b_data", "error", "message"), ERRORS, ids=[e[0] for e in ERRORS]
)
def test_invalid_maths_raises_and_builds_nothing(case, operation, a_data, b_data, error, message):
    """The exception has the right type and names the problem; a and b keep their data, grad and operands."""
    a, b = Value(a_data, label="a"), Value(b_data, label="b")
    a.grad, b.grad = 0.25, -0.5  # grads of an earlier backward must survive
    before = [(v.data, v.grad, v._prev, v._op, v.label, v._arg) for v in (a, b)]
    with pytest.raises(error, match=message):
        operation(a, b)
    assert [(v.data, v.grad, v._prev, v._op, v.label, v._arg) for v in (a, b)] == before
    assert users_of(a, b) == []


def test_messages_name_an_unlabelled_operand_by_its_number():
    """Without a label, an error shows the operand's number."""
    with pytest.raises(ValueError, match=r"log of a non-positive number: -1.5 is not greater than 0"):
        Value(-1.5).log()


def test_a_value_must_hold_a_finite_number():
    """Value(nan) and Value(inf) are refused with a ValueError: a Value's data is a finite float."""
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match="must be a finite number"):
            Value(bad)


def test_a_huge_int_is_an_overflow():
    """An int too large for a float is an OverflowError, on its own or mixed into an op."""
    with pytest.raises(OverflowError):
        Value(10**400)
    with pytest.raises(OverflowError):
        Value(1.0) + 10**400


def test_tanh_of_a_large_number_is_one_not_an_error():
    """tanh never overflows: tanh(1e300) is 1.0 and tanh(-1e300) is -1.0."""
    assert Value(1e300).tanh().data == 1.0
    assert Value(-1e300).tanh().data == -1.0


def test_valid_neighbours_of_the_errors_work():
    """Just inside each limit the ops compute: 0 ** 0.5, (-8) ** 3, log(tiny), exp(709), a / tiny."""
    assert (Value(0.0) ** 0.5).data == 0.0
    assert (Value(-8.0) ** 3).data == -512.0
    assert (Value(-8.0) ** -1).data == -0.125
    assert (Value(-2.0) ** 2.0).data == 4.0
    assert (Value(5e-324).log()).data == pytest.approx(-744.44, abs=0.01)
    assert math.isfinite(Value(709.0).exp().data)
    assert (Value(-1000.0).exp()).data == 0.0
    assert (Value(1.0) / Value(1e-300)).data == 1.0 / 1e-300


def test_the_nothing_built_check_sees_a_built_node():
    """users_of finds a Value that was linked to its operands, so an empty answer means something."""
    a, b = Value(1.0), Value(2.0)
    c = a * b
    assert users_of(a, b) == [c]


def test_exp_overflows_exactly_where_floats_end():
    """exp of the largest x with a finite result works; the next float up raises OverflowError."""
    largest = math.log(1.7976931348623157e308)
    assert math.isfinite(Value(largest).exp().data)
    with pytest.raises(OverflowError, match="overflows"):
        Value(math.nextafter(largest, math.inf)).exp()

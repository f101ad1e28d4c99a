"""PySide6 must not corrupt the reference count of None (6.12.0 on CPython 3.11 does, and aborts)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable

from PySide6.QtWidgets import QLabel

# Caches filled on first use move the count by a few; the 6.12.0 bug moves it by one per call.
TOLERANCE = 10


def none_refcount_change(step: Callable[[int], None], calls: int) -> int:
    """How much sys.getrefcount(None) moves over `calls` calls of `step`, after a warm-up."""
    for i in range(100):
        step(i)
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(calls):
        step(i)
    gc.collect()
    return sys.getrefcount(None) - before


def test_set_text_keeps_the_refcount_of_none(qtbot):
    """10,000 QLabel.setText calls leave sys.getrefcount(None) unchanged."""
    label = QLabel()
    qtbot.addWidget(label)
    change = none_refcount_change(lambda i: label.setText("x" if i % 2 else "y"), 10_000)
    assert abs(change) <= TOLERANCE, f"None's refcount moved by {change}: pin PySide6-Essentials<6.12"


def test_void_methods_keep_the_refcount_of_none(qtbot):
    """Other Qt methods returning nothing (resize, setEnabled, setToolTip) leave None's refcount unchanged too."""
    label = QLabel()
    qtbot.addWidget(label)

    def step(i: int) -> None:
        label.resize(10 + i % 5, 10)
        label.setEnabled(bool(i % 2))
        label.setToolTip("tip")

    change = none_refcount_change(step, 5_000)
    assert abs(change) <= TOLERANCE, f"None's refcount moved by {change}"

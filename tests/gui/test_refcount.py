"""PySide6 must not corrupt the reference count of None (6.12.0 on CPython 3.11 does, and aborts).

The count is measured in a fresh interpreter: in the test process, threads left by earlier tests
(layouts, file workers, gradient checks) hold and drop references to None while we measure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

MEASURE = r"""
import gc
import json
import sys

from PySide6.QtWidgets import QApplication, QLabel, QPushButton

app = QApplication(sys.argv[:1])
label = QLabel()
button = QPushButton("b")


def none_refcount_change(step, calls):
    for i in range(200):  # warm-up: caches filled on first use move the count once
        step(i)
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(calls):
        step(i)
    gc.collect()
    return sys.getrefcount(None) - before


def set_text(i):
    label.setText("x" if i % 2 else "y")


def void_methods(i):
    label.resize(10 + i % 5, 10)
    label.setEnabled(bool(i % 2))
    label.setToolTip("tip")
    button.setText("b" if i % 2 else "c")
    button.click()


print(json.dumps({
    "setText": none_refcount_change(set_text, 10_000),
    "void methods": none_refcount_change(void_methods, 3_000),
}))
"""


def measure_in_fresh_interpreter() -> dict[str, int]:
    """Run MEASURE in a new Python with offscreen Qt; its changes of sys.getrefcount(None)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    # PySide6 6.12.0 ends such a run with "Fatal Python error: none_dealloc" and a non-zero exit.
    assert done.returncode == 0, f"the measurement crashed ({done.returncode}): {done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_void_qt_calls_keep_the_refcount_of_none():
    """10,000 QLabel.setText calls and 15,000 other void Qt calls leave sys.getrefcount(None) unchanged."""
    changes = measure_in_fresh_interpreter()
    assert changes == {"setText": 0, "void methods": 0}, f"None's refcount moved: {changes}; pin PySide6<6.12"

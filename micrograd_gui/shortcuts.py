"""The app's own keyboard shortcuts, in one place (Qt's standard keys, such as Undo and Save, come
from QKeySequence.StandardKey where they are used). Help > Keyboard shortcuts lists them from the
actions and buttons themselves, so the page and the keys cannot disagree."""

from __future__ import annotations

RENAME = "F2"
BACKWARD = "Ctrl+B"
ZERO_GRADS = "Ctrl+Shift+G"
FIT = "Ctrl+0"
EXPORT = "Ctrl+E"
STEP = "F10"
STEP_BACK = "Shift+F10"
PLAY = "F5"
RESET_STEPS = "Ctrl+F10"
CHECK_GRADIENTS = "Ctrl+Shift+K"
PREDICT_MODE = "Ctrl+Shift+R"  # R for reveal
EXPLAIN_GRAD = "Ctrl+Shift+W"
FOCUS_EXPRESSION = "Ctrl+L"

# The Combine group's buttons, in the order they are laid out: + − × ÷ xⁿ tanh exp log relu.
OPERATIONS = {
    "+": "Ctrl+1",
    "-": "Ctrl+2",
    "*": "Ctrl+3",
    "/": "Ctrl+4",
    "**": "Ctrl+5",
    "tanh": "Ctrl+6",
    "exp": "Ctrl+7",
    "log": "Ctrl+8",
    "relu": "Ctrl+9",
}
PRESENTATION = "Ctrl+Shift+P"

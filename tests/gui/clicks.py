"""Drive the main window the way a user does: type in its fields, pick operands, press its buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QPushButton, QWidget

BUTTONS = {
    "+": "addButton",
    "-": "subButton",
    "*": "mulButton",
    "/": "divButton",
    "**": "powButton",
    "tanh": "tanhButton",
    "exp": "expButton",
    "log": "logButton",
    "relu": "reluButton",
}


def find(window: QWidget, cls: type, name: str):
    """The child called `name`, which must exist and be a `cls`."""
    widget = window.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} called {name!r}"
    return widget


def type_into(edit: QLineEdit, text: str) -> None:
    """Replace the field's text by typing it."""
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    if text:
        QTest.keyClicks(edit, text)


def create(window: QWidget, name: str, data: str | float, typed: bool = True) -> None:
    """Fill nameEdit and dataEdit, then click createButton."""
    name_edit = find(window, QLineEdit, "nameEdit")
    data_edit = find(window, QLineEdit, "dataEdit")
    if typed:
        type_into(name_edit, name)
        type_into(data_edit, str(data))
    else:
        name_edit.setText(name)
        data_edit.setText(str(data))
    find(window, QPushButton, "createButton").click()


def choose(combo: QComboBox, name: str) -> None:
    index = combo.findText(name)
    assert index >= 0, f"{name!r} is not in {combo.objectName()}"
    combo.setCurrentIndex(index)


def combine(window: QWidget, op: str, a: str, b: str | None = None, result: str = "", typed: bool = True) -> None:
    """Pick operands A (and B), name the result, press the operation's button."""
    choose(find(window, QComboBox, "operandA"), a)
    if b is not None:
        choose(find(window, QComboBox, "operandB"), b)
    result_edit = find(window, QLineEdit, "resultNameEdit")
    if typed:
        type_into(result_edit, result)
    else:
        result_edit.setText(result)
    find(window, QPushButton, BUTTONS[op]).click()


def backward(window: QWidget, root: str) -> None:
    """Choose the root in backwardFrom and click backwardButton."""
    choose(find(window, QComboBox, "backwardFrom"), root)
    find(window, QPushButton, "backwardButton").click()


def table_rows(window: QWidget) -> list[tuple[str, str, str, str]]:
    """Every row of valueTable as its display text: (name, op, data, grad)."""
    model = find(window, QAbstractItemView, "valueTable").model()
    return [
        tuple(model.index(row, column).data() for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def table(window: QWidget) -> dict[str, tuple[str, str, str]]:
    """valueTable's rows by name: name -> (op, data, grad)."""
    return {row[0]: row[1:] for row in table_rows(window)}


def build_lecture(window: QWidget, typed: bool = True) -> None:
    """a=2, b=-3, c=10, e=a*b, d=e+c, f=-2, L=d*f, all by clicking."""
    create(window, "a", "2.0", typed)
    create(window, "b", "-3.0", typed)
    create(window, "c", "10.0", typed)
    combine(window, "*", "a", "b", "e", typed)
    combine(window, "+", "e", "c", "d", typed)
    create(window, "f", "-2.0", typed)
    combine(window, "*", "d", "f", "L", typed)

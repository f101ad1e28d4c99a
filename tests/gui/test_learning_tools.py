"""The expression bar, the step-through backward and the gradient check, driven through their contract names."""

from __future__ import annotations

import builtins

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QTableWidget,
    QTextEdit,
    QWidget,
)

from micrograd_gui.commands import AddDefinitions, SetLeafData
from micrograd_gui.document import Definition, Document
from micrograd_gui.widgets.grad_check_panel import AGREE_COLOUR, DISAGREE_COLOUR

LECTURE = ["a = 2", "b = -3", "c = 10", "f = -2", "L = (a*b + c) * f"]
NEURON = ["x1 = 2", "x2 = 0", "w1 = -3", "w2 = 1", "b = 6.8813735870195432", "o = tanh(x1*w1 + x2*w2 + b)"]


def find(window: QWidget, cls: type, name: str):
    widget = window.findChild(cls, name)
    assert widget is not None, f"no {cls.__name__} called {name!r}"
    return widget


def enter(window: QWidget, text: str, typed: bool = True) -> None:
    """Type an expression into exprEdit and press Return."""
    edit = find(window, QLineEdit, "exprEdit")
    edit.clear()
    if typed:
        QTest.keyClicks(edit, text)
    else:
        edit.setText(text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def choose_root(window: QWidget, name: str) -> None:
    combo = find(window, QComboBox, "backwardFrom")
    combo.setCurrentIndex(combo.findText(name))
    assert combo.currentText() == name


def explanation(window: QWidget) -> str:
    widget = find(window, QWidget, "stepExplanation")
    return widget.toPlainText() if isinstance(widget, QTextEdit) else widget.text()


def table_row(window: QWidget, name: str) -> list[str]:
    """The display texts of the valueTable row called `name`."""
    model = find(window, QAbstractItemView, "valueTable").model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == name:
            return [model.index(row, column).data() for column in range(model.columnCount())]
    raise AssertionError(f"no row {name!r}")


def full_backward_grads(document: Document, root: str) -> dict[str, float]:
    fresh = Document()
    fresh.replace_definitions(document.definitions)
    fresh.backward(root)
    return {name: fresh.grad(name) for name in fresh.names}


# ---- expression bar ---------------------------------------------------------------


def test_expressions_build_the_lecture(window):
    """Typing the lecture's lines into exprEdit builds L = -8, shown in the table."""
    for line in LECTURE:
        enter(window, line)
    assert window.document.data("L") == -8.0
    assert table_row(window, "L")[2] == "-8.0000"
    assert find(window, QLineEdit, "exprEdit").text() == ""
    assert window.errors == []


def test_expression_builds_the_neuron(window):
    """`o = tanh(x1*w1 + x2*w2 + b)` gives 0.7071."""
    for line in NEURON:
        enter(window, line)
    assert table_row(window, "o")[2] == "0.7071"


def test_one_expression_is_one_undo_step(window):
    """All the nodes of one expression come and go with one Undo and one Redo."""
    for line in LECTURE[:4]:
        enter(window, line)
    before = window.document.names
    count = window.undo_stack.count()
    enter(window, "L = (a*b + c) * f")
    assert window.undo_stack.count() == count + 1
    assert window.undo_stack.text(count) == "Expression L = (a*b + c) * f"
    assert len(window.document) == len(before) + 3
    window.undo_stack.undo()
    assert window.document.names == before
    window.undo_stack.redo()
    assert window.document.data("L") == -8.0


def test_undo_action_undoes_the_expression(window):
    """The Undo action (Ctrl+Z) removes every node the expression made."""
    from PySide6.QtGui import QAction

    for line in LECTURE:
        enter(window, line)
    find(window, QAction, "actionUndo").trigger()
    assert "L" not in window.document and "t1" not in window.document
    assert window.document.names == ["a", "b", "c", "f"]


HOSTILE = [
    ("a.__class__", "attribute access"),
    ("__import__('os')", "unexpected character"),
    ("(lambda: a)", "unexpected character"),
    ("a[0]", "unexpected character"),
    ("[x for x in a]", "unexpected character"),
    ("a if b else c", "'if' is not allowed"),
    ("print(a)", "'print' is not a function"),
    ("y = q + 1", "unknown name 'q' at column 5"),
    ("a = b * 2", "'a' already exists"),
    ("x = a", "computes nothing"),
    ("y = log(a - a)", "log of a non-positive number"),
    ("y = a / (b - b)", "division by zero"),
    ("(" * 3000 + "a" + ")" * 3000, "levels of nesting"),
    ("+".join(["a"] * 20_000), "operations"),
    ("x = " + "7" * 5000, "too long"),
    ("(y := a)", "unexpected character"),
    ('f"{a}"', "unexpected character"),
    ("tanh(x=a)", "keyword"),
    ("tanh(*a)", "exactly one argument"),
    ("tanh(a, b)", "exactly one argument"),
    ("a ** b", "must be a number"),
    ("", "type an expression"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[t[:20] for t, _ in HOSTILE])
def test_hostile_input_creates_nothing_and_runs_nothing(window, monkeypatch, capsys, text, message):
    """Each refused input leaves the workspace and the undo stack as they were and says why."""
    for line in ["a = 2", "b = -3", "c = 10"]:
        enter(window, line)
    definitions, count = window.document.definitions, window.undo_stack.count()

    def forbidden(*args, **kwargs):
        raise AssertionError("user text reached eval/exec")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    enter(window, text, typed=False)
    monkeypatch.undo()
    assert window.document.definitions == definitions
    assert window.undo_stack.count() == count
    assert message.lower() in window.errors[-1].lower()
    error_label = find(window, QLabel, "exprError")
    assert error_label.isVisible() and message.lower() in error_label.toolTip().lower()
    assert find(window, QLineEdit, "exprEdit").text() == text  # kept for fixing
    assert capsys.readouterr().out == ""


def test_a_refused_expression_names_its_parts_as_typed(window):
    """'cannot compute t2: ... t1 = 0' would name values that never existed: the bar says what was typed."""
    for line in ["a = 0", "b = 2"]:
        enter(window, line)
    enter(window, "L = log(a*b) + b", typed=False)
    expected = "Cannot compute log(a*b): log of a non-positive number: a*b = 0 is not greater than 0"
    assert window.errors[-1] == expected
    assert find(window, QLabel, "exprError").toolTip() == expected
    assert "L" not in window.document


def test_a_refusal_is_kept_and_cleared_while_the_expression_bar_is_hidden(window):
    """The bar's error does not depend on the bar being on screen (View can hide its tool bar)."""
    build(window, ["a = 2"])
    bar = find(window, QWidget, "expressionBar")
    bar.parentWidget().hide()
    edit = find(window, QLineEdit, "exprEdit")
    edit.setText("y = log(a - a)")
    edit.returnPressed.emit()
    assert "log of a non-positive number" in bar.error()
    window.push(AddDefinitions, window.document, [Definition("b", data=1.0)])
    assert bar.error() == ""


def test_refusal_puts_the_cursor_at_the_problem(window):
    """After `y = q + 1` the cursor sits on the unknown name; typing clears the error."""
    enter(window, "a = 2")
    enter(window, "y = q + 1")
    edit = find(window, QLineEdit, "exprEdit")
    assert edit.cursorPosition() == 4
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    assert not find(window, QLabel, "exprError").isVisible()


# ---- step-through backward -------------------------------------------------------------


def build(window, lines: list[str]) -> None:
    for line in lines:
        enter(window, line)


def test_stepping_ends_at_the_full_backward(window):
    """Step through the lecture: one explanation per step, the grads of a full backward, then Step disables."""
    build(window, LECTURE)
    choose_root(window, "L")
    step = find(window, QPushButton, "stepBackwardButton")
    explanations = []
    while step.isEnabled():
        step.click()
        explanations.append(explanation(window))
    assert len(explanations) == 3  # L, t2, t1: the nodes with operands
    assert len(set(explanations)) == 3
    assert "L.grad = 1" in explanations[0]
    assert "a.grad += b.data * t1.grad = (-3.0000) * (-2.0000) = 6.0000" in explanations[-1]
    grads = full_backward_grads(window.document, "L")
    assert {n: window.document.grad(n) for n in window.document.names} == grads
    assert table_row(window, "a")[3] == "6.0000"
    assert not step.isEnabled()
    assert window.undo_stack.text(window.undo_stack.count() - 1) == "Backward from L"


def test_partial_grads_show_while_stepping(window):
    """After the first step only L and its operands have grads; the table shows them."""
    build(window, LECTURE)
    choose_root(window, "L")
    count = window.undo_stack.count()
    find(window, QPushButton, "stepBackwardButton").click()
    assert table_row(window, "L")[3] == "1.0000"
    assert table_row(window, "f")[3] == "4.0000"
    assert table_row(window, "a")[3] == "0.0000"
    assert window.undo_stack.count() == count  # stepping records nothing until the pass is complete
    assert find(window, QLabel, "gradsStatus").text() == "Grads: a backward pass in progress (Learn panel)"


def test_reused_value_accumulates(window):
    """b = a + a: the step shows the second contribution adding to the first."""
    build(window, ["a = 3", "b = a + a"])
    choose_root(window, "b")
    find(window, QPushButton, "stepBackwardButton").click()
    text = explanation(window)
    assert "a.grad += 1 * b.grad = 1.0000 * 1.0000 = 1.0000" in text
    assert "now 2.0000, was 1.0000" in text
    assert window.document.grad("a") == 2.0


def test_step_back_and_reset(window):
    """Step back undoes a step; Reset puts back the grads from before the walk."""
    build(window, LECTURE)
    choose_root(window, "L")
    step = find(window, QPushButton, "stepBackwardButton")
    back = find(window, QPushButton, "stepBackButton")
    reset = find(window, QPushButton, "stepResetButton")
    assert not back.isEnabled() and not reset.isEnabled()
    step.click()
    first = explanation(window)
    step.click()
    assert window.document.grad("t1") == -2.0
    back.click()
    assert explanation(window) == first
    assert window.document.grad("t1") == 0.0
    reset.click()
    assert window.document.grad_state() == ({}, None, False)
    assert step.isEnabled() and not reset.isEnabled()


def test_a_change_during_a_walk_keeps_undo_history_exact(window):
    """Partial grads are only shown: a change made mid-walk, undone, brings back the grads from before the walk."""
    build(window, LECTURE)
    choose_root(window, "L")
    find(window, QPushButton, "backwardButton").click()
    window.push(SetLeafData, window.document, "a", 3.0)  # grads now stale, from the first backward
    before = window.document.grad_state()
    step = find(window, QPushButton, "stepBackwardButton")
    step.click()
    step.click()
    assert window.document.grad("a") == 0.0  # the walk's partial grads are shown
    assert window.document.grad_state() == before  # but not recorded
    window.push(AddDefinitions, window.document, [Definition("z", data=1.0)])  # ends the walk
    assert window.document.grad_state() == before
    assert window.document.grad("a") == 6.0 and window.document.grads_stale
    window.undo_stack.undo()
    window.undo_stack.redo()
    window.undo_stack.undo()
    assert window.document.grad_state() == before


def test_graph_highlights_the_active_node(window, monkeypatch):
    """Each step marks its node in the graph, earlier ones as visited; Reset clears the marks."""
    build(window, LECTURE)
    choose_root(window, "L")
    graph = find(window, QWidget, "graphView")
    calls = []
    original = graph.set_step_highlight
    monkeypatch.setattr(graph, "set_step_highlight", lambda a, v: (calls.append((a, set(v))), original(a, v)))
    step = find(window, QPushButton, "stepBackwardButton")
    step.click()
    step.click()
    assert calls[-2] == ("L", {"f"})
    assert calls[-1] == ("t2", {"L", "f", "c"})
    find(window, QPushButton, "stepResetButton").click()
    assert calls[-1] == (None, set())


def test_a_change_to_the_workspace_ends_the_walk(window, qtbot):
    """Editing the workspace mid-walk ends it and puts the grads back as they were."""
    build(window, LECTURE)
    choose_root(window, "L")
    step = find(window, QPushButton, "stepBackwardButton")
    step.click()
    enter(window, "z = a * 3")
    assert "the walk ended" in explanation(window).lower()
    assert not find(window, QPushButton, "stepResetButton").isEnabled()
    qtbot.waitUntil(lambda: window.document.grad("L") == 0.0)
    assert window.document.grad_state() == ({}, None, False)


def test_deleting_an_unrelated_value_mid_walk_says_the_workspace_changed(window):
    """A delete from the middle re-reads the From list whole; the walk ends because the workspace
    changed, and From stays on the chosen value: it never passes through another name on the way."""
    build(window, LECTURE)
    enter(window, "z = 5")
    enter(window, "M = L * a")
    choose_root(window, "M")
    texts: list[str] = []
    window.backward_panel.backward_from.currentTextChanged.connect(texts.append)
    find(window, QPushButton, "stepBackwardButton").click()
    window.delete_values(["z"])
    assert "the workspace changed, so the walk ended" in explanation(window).lower()
    assert texts == [] and window.backward_panel.backward_from.currentText() == "M"


def test_undoing_the_finished_pass(window):
    """Undo after a finished walk returns to the grads from before it."""
    build(window, LECTURE)
    choose_root(window, "L")
    step = find(window, QPushButton, "stepBackwardButton")
    while step.isEnabled():
        step.click()
    window.undo_stack.undo()
    assert window.document.grad_state() == ({}, None, False)
    assert step.isEnabled()


def test_stepping_back_and_to_the_end_again_shows_the_recorded_backward(window):
    """Finish the walk, step back once and forward again: the grads are the recorded backward's,
    not a pass in progress, and no second backward is recorded."""
    build(window, LECTURE)
    choose_root(window, "L")
    step = find(window, QPushButton, "stepBackwardButton")
    while step.isEnabled():
        step.click()
    steps, finished = window.undo_stack.count(), window.document.grad_state()
    find(window, QPushButton, "stepBackButton").click()
    assert window.document.showing_partial_grads
    step.click()
    assert not window.document.showing_partial_grads
    assert window.undo_stack.count() == steps and window.document.grad_state() == finished
    assert window.document.grad("a") == 6.0


def test_play_runs_to_the_end(window, qtbot):
    """Play steps by itself at the chosen speed and stops at the end."""
    build(window, LECTURE)
    choose_root(window, "L")
    speed = find(window, QSlider, "stepSpeed")
    speed.setValue(speed.maximum())
    play = find(window, QPushButton, "stepPlayButton")
    play.click()
    assert play.isChecked()
    qtbot.waitUntil(lambda: not play.isChecked(), timeout=5000)
    assert not find(window, QPushButton, "stepBackwardButton").isEnabled()
    assert window.document.grad("a") == 6.0


def test_leaf_root_is_one_step(window):
    """Stepping from a leaf is one step that sets its grad to 1."""
    build(window, ["a = 2"])
    choose_root(window, "a")
    step = find(window, QPushButton, "stepBackwardButton")
    step.click()
    assert not step.isEnabled()
    assert window.document.grad("a") == 1.0


# ---- gradient check -----------------------------------------------------------------------


def check_table(window) -> list[list[str]]:
    table = find(window, QTableWidget, "gradCheckTable")
    return [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]


def test_gradient_check_agrees_on_the_neuron(window):
    """The check runs backward, then every leaf of the neuron agrees; the status bar says so."""
    build(window, NEURON)
    choose_root(window, "o")
    find(window, QPushButton, "gradCheckButton").click()
    rows = check_table(window)
    assert [r[0] for r in rows] == ["x1", "x2", "w1", "w2", "b"]
    assert rows[0][1].strip() == "-1.500000" and rows[0][2].strip() == "-1.500000"
    assert all(r[3].startswith("✓") for r in rows)
    assert window.statusBar().currentMessage() == "Gradient check: 5 of 5 leaves agree"
    assert window.undo_stack.text(window.undo_stack.count() - 1) == "Backward from o"
    assert window.document.grad("x1") == pytest.approx(-1.5)
    table = find(window, QTableWidget, "gradCheckTable")
    assert table.item(0, 3).foreground().color() == AGREE_COLOUR


def test_gradient_check_flags_a_kink_and_a_domain_edge(window):
    """relu at 0 disagrees (in red); a leaf whose nudge leaves log's domain is n/a with the reason."""
    build(window, ["x = 0", "z = 0", "y = relu(x) + log(z + 0.000000001)"])
    choose_root(window, "y")
    find(window, QPushButton, "gradCheckButton").click()
    rows = {r[0]: r for r in check_table(window)}
    assert rows["x"][3].startswith("✗")
    assert rows["z"][2] == "n/a" and rows["z"][3] == "n/a"
    table = find(window, QTableWidget, "gradCheckTable")
    assert table.item(0, 3).foreground().color() == DISAGREE_COLOUR
    assert "log" in table.item(1, 3).toolTip()
    assert window.statusBar().currentMessage() == "Gradient check: 1 of 3 leaves agree, 1 disagrees, 1 n/a"


def test_gradient_check_goes_out_of_date(window):
    """Changing the workspace after a check says the table is out of date."""
    build(window, NEURON)
    choose_root(window, "o")
    find(window, QPushButton, "gradCheckButton").click()
    enter(window, "p = o * 2")
    assert "out of date" in find(window, QLabel, "gradCheckStatus").text().lower()
    assert not find(window, QTableWidget, "gradCheckTable").isEnabled()


def test_a_refused_check_leaves_the_last_results_going_out_of_date(window):
    """A check whose backward is refused (a gradient overflows) keeps the last table, and a later
    change still marks that table out of date."""
    build(window, ["a = 0.5", "r = a * 2", "s = log(a * 1e-310)"])  # d s / d (a * 1e-310) overflows
    choose_root(window, "r")
    check = find(window, QPushButton, "gradCheckButton")
    check.click()
    assert find(window, QTableWidget, "gradCheckTable").isEnabled()
    choose_root(window, "s")
    check.click()
    assert "overflows" in window.errors[-1]
    enter(window, "p = r * 2")
    assert "out of date" in find(window, QLabel, "gradCheckStatus").text().lower()
    assert not find(window, QTableWidget, "gradCheckTable").isEnabled()


def test_big_check_runs_off_the_ui_thread(window, qtbot):
    """A workspace of 150 leaves is checked on a worker thread; the click returns at once."""
    leaves = [Definition(f"x{i}", data=0.01 * i) for i in range(150)]
    chain = [Definition("s1", "*", ("x0", "x1"))]
    for i in range(2, 150):
        chain.append(Definition(f"s{i}", "+" if i % 2 else "*", (f"s{i - 1}", f"x{i}")))
    window.push(AddDefinitions, window.document, leaves + chain)
    choose_root(window, "s149")
    panel = window.learning_dock.grad_check
    with qtbot.waitSignal(panel.check_finished, timeout=30_000) as blocker:
        find(window, QPushButton, "gradCheckButton").click()
        assert panel.is_running()
        assert not find(window, QPushButton, "gradCheckButton").isEnabled()
    assert blocker.args == ["Gradient check: 150 of 150 leaves agree"]
    assert len(check_table(window)) == 150


def test_big_check_is_cancelled_by_a_change(window, qtbot):
    """Editing the workspace while a check runs drops its result."""
    leaves = [Definition(f"x{i}", data=1.0 + 0.001 * i) for i in range(150)]
    chain = [Definition("s1", "+", ("x0", "x1"))]
    chain += [Definition(f"s{i}", "*", (f"s{i - 1}", f"x{i}")) for i in range(2, 150)]
    window.push(AddDefinitions, window.document, leaves + chain)
    choose_root(window, "s149")
    panel = window.learning_dock.grad_check
    find(window, QPushButton, "gradCheckButton").click()
    enter(window, "extra = x0 + 1")
    assert not panel.is_running()
    qtbot.wait(300)
    assert panel.results() == []
    assert find(window, QPushButton, "gradCheckButton").isEnabled()


# ---- the Learn dock --------------------------------------------------------------------


def test_learn_dock_shows_the_tab_of_the_tool_that_acted(window, qtbot):
    """The Learn dock's tabs follow the user: a finished check shows Gradient check, a step shows Step through."""
    from PySide6.QtWidgets import QTabWidget

    build(window, NEURON)
    choose_root(window, "o")
    tabs = find(window, QTabWidget, "learningTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Step through backward",
        "Gradient check",
        "Predict",
        "Why this grad?",
        "Bug lab",
    ]
    assert tabs.currentWidget().isAncestorOf(find(window, QPushButton, "stepBackwardButton"))
    check = find(window, QPushButton, "gradCheckButton")
    assert not check.isVisible()
    tabs.setCurrentIndex(1)
    assert check.isVisible()
    tabs.setCurrentIndex(0)
    check.click()  # e.g. run from a script while the other tab is open
    assert tabs.currentWidget().isAncestorOf(check)
    assert find(window, QTableWidget, "gradCheckTable").isVisible()
    find(window, QPushButton, "stepBackwardButton").click()
    assert tabs.currentIndex() == 0
    assert find(window, QWidget, "stepExplanation").isVisible()
    assert explanation(window).startswith("Step 1 of")


def test_a_walk_whose_gradient_overflows_does_not_claim_to_match_backward(window):
    """Stepping to the end of a walk whose gradient overflows says so, not "as Backward gives"."""
    for text in ["tiny = 1e-300", "one = 1", "q = one / tiny", "w = q * tiny"]:
        enter(window, text, typed=False)
    choose_root(window, "w")
    step = find(window, QPushButton, "stepBackwardButton")
    while step.isEnabled():
        step.click()
    assert "as Backward gives" not in explanation(window)
    assert "overflows" in explanation(window)
    assert window.errors and "overflows" in window.errors[-1]


def test_a_refused_function_call_keeps_the_function_name_as_typed(window):
    """`tanh(a, a)` is refused with a reason naming tanh in lower case, as it must be typed."""
    enter(window, "a = 2")
    enter(window, "q = tanh(a, a)")
    assert "q" not in window.document
    assert window.errors[-1].startswith("The function tanh takes exactly one argument")

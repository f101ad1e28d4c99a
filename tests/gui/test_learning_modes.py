"""Predict mode, Why this grad? and the Bug lab, driven through their contract names in the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLabel, QLineEdit, QListWidget, QPushButton, QTabWidget

from engine import format_decimals
from micrograd_gui import assets
from micrograd_gui.bug_lab import BUGS_BY_KEY
from micrograd_gui.widgets.graph_items import ACTIVE_INK, VISITED_FILL
from tests.gui.clicks import find
from tests.gui.test_learning_tools import build, choose_root, full_backward_grads

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def grad_column(window) -> dict[str, str]:
    """Name -> the Grad cell's text, for every row of valueTable."""
    model = find(window, QAbstractItemView, "valueTable").model()
    return {model.index(row, 0).data(): model.index(row, 3).data() for row in range(model.rowCount())}


def picture_grads(window) -> dict[str, str]:
    """Name -> the grad text of the value's record in the picture."""
    view = window.graph_view
    return {name: view.node_item(name).texts()[2] for name in view.node_names()}


def answer(window, text: str) -> None:
    edit = find(window, QLineEdit, "quizAnswerEdit")
    edit.clear()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def open_example(window, qtbot, name: str) -> None:
    assert window.open_workspace(EXAMPLES / name)
    qtbot.waitUntil(lambda: not window.graph_view.is_busy() and len(window.graph_view.node_names()) > 0)


# ---- Predict, then reveal -----------------------------------------------------------


def test_predict_mode_hides_every_grad_then_reveals_each_answer(window, qtbot):
    """Grads show `?` in the table and the picture; each answer is checked, explained and revealed; the
    score counts; turning the mode off shows every grad as it was."""
    open_example(window, qtbot, "lecture.json")
    find(window, QPushButton, "backwardButton").click()
    before = grad_column(window)
    mode = find(window, QPushButton, "quizModeButton")
    assert mode.isCheckable()
    mode.click()
    assert set(grad_column(window).values()) == {"?"}
    assert set(picture_grads(window).values()) == {"grad ?"}
    assert "?" in window.graph_view.tooltip_for("a") and "6.0000" not in window.graph_view.tooltip_for("a")
    prompt = find(window, QLabel, "quizPrompt")
    assert "what is L.grad" in prompt.text()
    answer(window, "1")
    feedback = find(window, QLabel, "quizFeedback")
    assert feedback.text().startswith("Right: L.grad = 1.0000")
    answer(window, "-2")  # f.grad is 4
    assert feedback.text().startswith("Not quite: you said -2.0000, f.grad is 4.0000")
    assert "f.grad = d.data * L.grad = 4.0000 * 1.0000 = 4.0000" in feedback.text()
    answer(window, "-2")  # d
    answer(window, "-2")  # c
    assert find(window, QLabel, "quizScore").text() == "3 of 4 right"
    table = grad_column(window)
    assert table["L"] == "1.0000" and table["f"] == "4.0000" and table["d"] == "-2.0000" and table["a"] == "?"
    assert picture_grads(window)["f"] == "grad 4.0000" and picture_grads(window)["a"] == "grad ?"
    assert "what is e.grad" in prompt.text()
    assert window.graph_view.node_item("e").outline == ACTIVE_INK  # the value asked, highlighted in the picture
    assert window.graph_view.node_item("f").fill == VISITED_FILL and window.graph_view.node_item("a").fill is None
    mode.click()
    assert grad_column(window) == before
    assert window.undo_stack.count() == 1  # the backward: the quiz recorded nothing


@pytest.mark.parametrize("example", ["lecture.json", "neuron.json", "reuse.json"])
def test_predict_mode_works_on_every_example(window, qtbot, example):
    """Answering every question with backward's grads scores them all right and reveals every grad."""
    open_example(window, qtbot, example)
    root = window.backward_panel.backward_from.currentText()
    expected = full_backward_grads(window.document, root)
    find(window, QPushButton, "quizModeButton").click()
    quiz = window.learning_dock.predict.quiz
    assert quiz is not None
    while quiz.current is not None:
        answer(window, repr(expected[quiz.current.name]))
    count = quiz.count
    assert find(window, QLabel, "quizScore").text() == f"{count} of {count} right"
    assert "Done" in find(window, QLabel, "quizPrompt").text()
    assert not find(window, QLineEdit, "quizAnswerEdit").isEnabled()
    shown = grad_column(window)
    assert all(shown[name] == format_decimals(expected[name]) for name in window.document.ancestors(root))


def test_predict_mode_on_a_graph_built_by_hand(window):
    """A graph typed in the expression bar, with a reused value, is quizzed the same way."""
    build(window, ["x = 3", "y = x*x + x"])
    find(window, QPushButton, "quizModeButton").click()
    for text in ["1", "1", "1", "6"]:  # y; then the sum's operands, the product and x (2x + 1 = 7: wrong)
        answer(window, text)
    quiz = window.learning_dock.predict.quiz
    assert quiz is not None and [v.question.name for v in quiz.verdicts][0] == "y"
    assert quiz.verdicts[-1].question.name == "x" and not quiz.verdicts[-1].right
    assert "x.grad = " in find(window, QLabel, "quizFeedback").text()
    assert "= 7.0000" in find(window, QLabel, "quizFeedback").text()


def test_a_bad_answer_is_refused_and_the_question_stays(window, qtbot):
    """Text that is not a number says why, scores nothing and keeps the question asked."""
    open_example(window, qtbot, "lecture.json")
    find(window, QPushButton, "quizModeButton").click()
    answer(window, "six")
    assert window.errors[-1].startswith("Answer not taken")
    assert find(window, QLabel, "quizScore").text() == ""
    assert "what is L.grad" in find(window, QLabel, "quizPrompt").text()


def test_predict_mode_follows_changes(window, qtbot):
    """Backward keeps the quiz going; a leaf edit starts it again (and says so); other tabs are off meanwhile."""
    open_example(window, qtbot, "lecture.json")
    find(window, QPushButton, "quizModeButton").click()
    tabs = find(window, QTabWidget, "learningTabs")
    assert [tabs.isTabEnabled(i) for i in range(tabs.count())] == [False, False, True, False, False]
    answer(window, "1")
    find(window, QPushButton, "backwardButton").click()
    assert grad_column(window)["a"] == "?" and grad_column(window)["L"] == "1.0000"
    assert find(window, QLabel, "quizScore").text() == "1 of 1 right"
    window.value_table.value_model().setData(window.value_table.value_model().index(0, 2), "5")
    assert "started again" in find(window, QLabel, "quizPrompt").text()
    assert set(grad_column(window).values()) == {"?"}
    find(window, QPushButton, "quizModeButton").click()
    assert all(tabs.isTabEnabled(i) for i in range(tabs.count()))


# ---- Why this grad? -----------------------------------------------------------------


def test_why_this_grad_lists_the_lecture_path_and_highlights_it(window, qtbot):
    """Select a, press explainGradButton: the one path with its factors, the sum, and the path in the picture."""
    open_example(window, qtbot, "lecture.json")
    find(window, QPushButton, "backwardButton").click()
    window.value_table.select_name("a")
    find(window, QPushButton, "explainGradButton").click()
    view = find(window, QListWidget, "gradPathsView")
    lines = [view.item(row).text() for row in range(view.count())]
    assert lines == [
        "L → d → e → a: 1.0000 × -2.0000 × 1.0000 × -3.0000 = 6.0000",
        "One path: its product 6.0000 is dL/da = a.grad.",
    ]
    view.itemEntered.emit(view.item(0))  # what hovering the line does
    assert window.graph_view.path_highlight() == ("L", "d", "e", "a")
    assert set(window.graph_view.highlighted_edges()) == {
        ("v_d", "o_L"),
        ("o_L", "v_L"),
        ("v_e", "o_d"),
        ("o_d", "v_d"),
        ("v_a", "o_e"),
        ("o_e", "v_e"),
    }
    view.itemEntered.emit(view.item(1))  # the sum line is no path
    assert window.graph_view.path_highlight() == ()


def test_why_this_grad_of_a_reused_value_shows_two_paths_adding_to_two(window, qtbot):
    """reuse.json: b = a + a reaches a twice, 1 + 1 = 2 = a.grad."""
    open_example(window, qtbot, "reuse.json")
    window.value_table.select_name("a")
    find(window, QPushButton, "explainGradButton").click()
    lines = window.learning_dock.grad_paths.lines()
    assert len(lines) == 4 and lines[0].startswith("b → a: 1.0000 × 1.0000 = 1.0000")
    assert lines[2] == "Sum of the 2 paths: 1.0000 + 1.0000 = 2.0000 = db/da = a.grad"
    assert lines[3] == "(The table shows a.grad after Backward from b.)"  # no backward has run yet


def test_why_this_grad_of_a_net_lists_the_largest_paths_and_the_rest(window):
    """A layered net has more paths than are listed: the largest, their count and the rest's sum, which
    add up to backward's grad."""
    layers = ["x = 0.7", "w = 0.9"]
    layers += [f"h{i}_{j} = tanh(w*h{i - 1}_0 + w*h{i - 1}_1 + w*h{i - 1}_2)" for i in range(1, 6) for j in range(3)]
    layers = [line.replace("h0_0", "x").replace("h0_1", "x").replace("h0_2", "x") for line in layers]
    build(window, [*layers, "out = h5_0 + h5_1 + h5_2"])
    choose_root(window, "out")
    window.value_table.select_name("x")
    find(window, QPushButton, "explainGradButton").click()
    result = window.learning_dock.grad_paths.result
    assert result is not None and result.count == 3 * 3**5 and not result.complete
    assert result.total == full_backward_grads(window.document, "out")["x"]
    lines = window.learning_dock.grad_paths.lines()
    assert f"{result.count:,} paths in all" in lines[-4]
    assert lines[-2].endswith("= dout/dx = x.grad")


def test_why_this_grad_needs_a_selection_and_goes_out_of_date(window, qtbot):
    """Without a selected value it says what to do; a change to the workspace clears the explanation."""
    open_example(window, qtbot, "lecture.json")
    window.value_table.clearSelection()
    window.value_table.setCurrentIndex(window.value_table.value_model().index(-1, -1))
    find(window, QPushButton, "explainGradButton").click()
    assert window.errors[-1].startswith("Select a value")
    window.value_table.select_name("b")
    find(window, QPushButton, "explainGradButton").click()
    assert window.learning_dock.grad_paths.lines()
    find(window, QPushButton, "backwardButton").click()  # grads only: the paths stand
    assert window.learning_dock.grad_paths.lines()
    window.value_table.value_model().setData(window.value_table.value_model().index(0, 2), "5")
    assert window.learning_dock.grad_paths.lines() == []
    assert "again" in find(window, QLabel, "gradPathsTitle").text()


# ---- the bug lab --------------------------------------------------------------------


def choose_bug(window, key: str) -> None:
    combo = find(window, QComboBox, "bugLabCombo")
    combo.setCurrentIndex(combo.findText(BUGS_BY_KEY[key].title))


def test_bug_lab_on_the_reuse_example(window, qtbot):
    """`=` instead of `+=`: a.grad is 1, marked in the table and the picture, flagged by the gradient
    check, with the lecture's moment said; No bug restores everything and the workspace never changed."""
    open_example(window, qtbot, "reuse.json")
    find(window, QPushButton, "backwardButton").click()
    state, count = window.document.grad_state(), window.undo_stack.count()
    choose_bug(window, "assign")
    assert grad_column(window) == {"a": "1.0000", "b": "1.0000"}
    model = window.value_table.value_model()
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) == assets.WRONG_GRAD_COLOUR
    assert model.index(1, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "correct grad is 2.0" in model.index(0, 3).data(Qt.ItemDataRole.ToolTipRole)
    assert window.graph_view.node_item("a").grad_wrong and not window.graph_view.node_item("b").grad_wrong
    assert picture_grads(window)["a"] == "grad 1.0000"
    assert "lecture" in find(window, QLabel, "bugLabExplanation").text()
    assert "a.grad 1.0000 (correct 2.0000)" in find(window, QLabel, "bugLabResult").text()
    find(window, QPushButton, "gradCheckButton").click()
    (check,) = window.learning_dock.grad_check.results()
    assert check.name == "a" and check.analytic == 1.0 and check.agrees is False
    find(window, QPushButton, "backwardButton").click()  # backward runs with the bug
    assert grad_column(window)["a"] == "1.0000"
    choose_bug(window, "none")
    assert "Out of date: the grads shown changed" in find(window, QLabel, "gradCheckStatus").text()
    assert grad_column(window) == {"a": "2.0000", "b": "1.0000"}
    assert not window.graph_view.node_item("a").grad_wrong
    assert model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is None
    assert window.document.grad_state() == state
    assert window.undo_stack.count() == count + 2  # the check's and the second Backward: correct grads


@pytest.mark.parametrize(
    ("example", "key", "wrong"),
    [
        ("reuse.json", "not_zeroed", {"a": "4.0000"}),
        ("neuron.json", "tanh_input", {"n": "0.2232", "w1": "0.4464"}),
        ("lecture.json", "mul_own", {"a": "8.0000", "d": "4.0000"}),
        ("lecture.json", "no_chain", {"a": "-3.0000", "c": "1.0000"}),
    ],
)
def test_each_bug_marks_what_it_gets_wrong(window, qtbot, example, key, wrong):
    """Each classic mistake, on an example where it shows, gives the grads it would and marks them."""
    open_example(window, qtbot, example)
    choose_bug(window, key)
    shown = grad_column(window)
    for name, text in wrong.items():
        assert shown[name] == text
        assert window.graph_view.node_item(name).grad_wrong


def test_exp_bug_on_a_graph_with_exp(window):
    """exp's derivative from the input: o = exp(2 * x) at x = 0.5 gives x.grad 2 * 1, not 2 * e."""
    build(window, ["x = 0.5", "o = exp(2*x)"])
    choose_bug(window, "exp_input")
    assert grad_column(window)["x"] == "2.0000"
    choose_bug(window, "none")
    window.backward_panel.run_backward()
    assert grad_column(window)["x"] == format_decimals(2 * 2.718281828459045)


def test_a_bug_that_does_not_apply_says_so(window, qtbot):
    """The tanh mistake on the lecture (no tanh) changes nothing, and the lab says to try another example."""
    open_example(window, qtbot, "lecture.json")
    choose_bug(window, "tanh_input")
    assert "no tanh" in find(window, QLabel, "bugLabResult").text()
    assert not any(window.graph_view.node_item(n).grad_wrong for n in window.graph_view.node_names())


def test_a_bug_turns_predict_and_the_step_through_off(window, qtbot):
    """While a bug is on, the tools that show the correct grads step by step are off; Predict mode ends it."""
    open_example(window, qtbot, "reuse.json")
    tabs = find(window, QTabWidget, "learningTabs")
    choose_bug(window, "assign")
    assert [tabs.isTabEnabled(i) for i in range(tabs.count())] == [False, True, False, True, True]
    choose_bug(window, "none")
    find(window, QPushButton, "quizModeButton").click()
    assert find(window, QComboBox, "bugLabCombo").currentText() == "No bug"
    assert window.document.shown_grad("a") is None


def test_why_this_grad_of_a_big_workspace_runs_off_the_ui_thread(window, qtbot):
    """Past INLINE_VALUES values the paths are followed on a worker thread; the answer then shows."""
    from micrograd_gui.commands import AddDefinitions
    from micrograd_gui.widgets.grad_paths_panel import INLINE_VALUES
    from tests.workspaces import shared_chain_definitions

    definitions = shared_chain_definitions(INLINE_VALUES // 2 + 10)
    assert window.push(AddDefinitions, window.document, definitions)
    root = definitions[-1].name
    choose_root(window, root)
    panel = window.learning_dock.grad_paths
    assert panel.explain("w0")
    assert panel.result is None and panel.lines()[0].startswith("Following the paths")
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20_000)
    assert panel.result.total == full_backward_grads(window.document, root)["w0"]
    assert panel.lines()[-2].endswith(f"= d{root}/dw0 = w0.grad")


def test_new_and_open_leave_no_stale_text_in_the_new_tabs(window, qtbot):
    """After File > New the paths and the quiz speak of nothing from the old workspace."""
    open_example(window, qtbot, "lecture.json")
    window.value_table.select_name("a")
    find(window, QPushButton, "explainGradButton").click()
    find(window, QPushButton, "quizModeButton").click()
    answer(window, "1")
    window.file_actions.new_action.trigger()
    assert window.learning_dock.grad_paths.lines() == []
    assert find(window, QLabel, "gradPathsTitle").text().startswith("Select a value")
    prompt = find(window, QLabel, "quizPrompt").text()
    assert "L" not in prompt.replace("Backward", "") and "Choose a value" in prompt
    assert find(window, QLabel, "quizScore").text() == ""
    open_example(window, qtbot, "reuse.json")
    assert "what is b.grad" in find(window, QLabel, "quizPrompt").text()


def test_the_learn_menu_turns_predict_on_and_explains_a_grad(window, qtbot):
    """Learn > Predict mode and Learn > Why this grad? press the tabs' buttons and show their tabs."""
    from PySide6.QtGui import QAction

    open_example(window, qtbot, "lecture.json")
    tabs = find(window, QTabWidget, "learningTabs")
    window.value_table.select_name("a")
    find(window, QAction, "actionExplainGrad").trigger()
    assert tabs.currentWidget() is window.learning_dock.grad_paths
    assert window.learning_dock.grad_paths.lines()[0].startswith("L → d → e → a")
    predict = find(window, QAction, "actionPredictMode")
    assert "Ctrl+Shift+R" in find(window, QPushButton, "quizModeButton").toolTip()
    predict.trigger()
    assert tabs.currentWidget() is window.learning_dock.predict
    assert find(window, QPushButton, "quizModeButton").isChecked()
    predict.trigger()
    assert not find(window, QPushButton, "quizModeButton").isChecked()


def test_every_shortcut_of_the_app_is_its_own(window):
    """No two actions or buttons share a key (Predict mode's must not take Presentation's)."""
    from PySide6.QtGui import QAction, QKeySequence

    keys: dict[str, str] = {}
    for widget in [*window.findChildren(QAction), *window.findChildren(QPushButton)]:
        sequences = widget.shortcuts() if isinstance(widget, QAction) else [widget.shortcut()]
        for sequence in sequences:
            key = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            if key:
                owner = widget.objectName() or widget.text()
                assert keys.setdefault(key, owner) == owner, (key, keys[key], owner)

"""Building graphs with the Create, Combine and Backward groups alone, as a user clicks them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from tests.gui.clicks import backward, build_lecture, choose, combine, create, find, table, table_rows


def test_lecture_built_by_clicking(window):
    """The lecture's L = (a*b + c) * f, built by clicking, shows L = -8 and the lecture's grads."""
    build_lecture(window)
    rows = table(window)
    assert list(rows) == ["a", "b", "c", "e", "d", "f", "L"]
    assert rows["e"] == ("a * b", "-6.0000", "0.0000")
    assert rows["d"][:2] == ("e + c", "4.0000")
    assert rows["L"][:2] == ("d * f", "-8.0000")
    assert rows["a"][0] == ""

    backward(window, "L")
    grads = {name: grad for name, (_, _, grad) in table(window).items()}
    assert grads == {
        "a": "6.0000",
        "b": "-4.0000",
        "c": "-2.0000",
        "e": "-2.0000",
        "d": "-2.0000",
        "f": "4.0000",
        "L": "1.0000",
    }
    assert window.errors == []


def test_tanh_neuron_built_by_clicking(window):
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b) gives o = 0.7071 and the lecture's grads."""
    for name, data in [("x1", "2.0"), ("x2", "0.0"), ("w1", "-3.0"), ("w2", "1.0"), ("b", "6.8813735870195432")]:
        create(window, name, data)
    combine(window, "*", "x1", "w1", "x1w1")
    combine(window, "*", "x2", "w2", "x2w2")
    combine(window, "+", "x1w1", "x2w2", "x1w1x2w2")
    combine(window, "+", "x1w1x2w2", "b", "n")
    combine(window, "tanh", "n", result="o")
    assert table(window)["o"][:2] == ("tanh(n)", "0.7071")

    backward(window, "o")
    rows = table(window)
    assert rows["x1"][2] == "-1.5000"
    assert rows["w1"][2] == "1.0000"
    assert rows["x2"][2] == "0.5000"
    assert rows["w2"][2] == "0.0000"
    assert rows["n"][2] == "0.5000"


def test_name_field_suggests_next_free_name(window):
    """After each creation the name field offers the next unused name."""
    name_edit = find(window, QLineEdit, "nameEdit")
    assert name_edit.text() == "a"
    create(window, "a", "1")
    assert name_edit.text() == "b"
    create(window, "c", "1")
    assert name_edit.text() == "b"
    create(window, "b", "1")
    assert name_edit.text() == "d"


def test_return_in_data_field_creates(window, qtbot):
    """Typing a number and pressing Return creates the value named in the name field."""
    data_edit = find(window, QLineEdit, "dataEdit")
    qtbot.keyClicks(data_edit, "2.5")
    QTest.keyClick(data_edit, Qt.Key.Key_Return)
    assert table(window) == {"a": ("", "2.5000", "0.0000")}
    assert data_edit.text() == ""


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "a name is required"),
        ("1a", "not a valid name"),
        ("for", "Python keyword"),
        ("x" * 33, "at most 32 characters"),
        ("a", "already exists"),
        ("a b", "not a valid name"),
    ],
)
def test_bad_name_changes_nothing_and_says_why(window, name, reason):
    """A bad or taken name creates nothing; the reason shows next to the field and in the status bar."""
    create(window, "a", "1")
    before = table_rows(window)
    undo_count = window.undo_stack.count()
    create(window, name, "5")
    assert table_rows(window) == before
    assert window.undo_stack.count() == undo_count
    assert reason in find(window, QLabel, "createError").text()
    assert find(window, QLabel, "createError").isVisible()
    assert reason in window.errors[-1]
    assert reason in window.statusBar().currentMessage()


@pytest.mark.parametrize(
    ("number", "reason"),
    [("abc", "is not a number"), ("nan", "not a finite number"), ("inf", "not a finite number"), ("", "required")],
)
def test_bad_number_changes_nothing_and_says_why(window, number, reason):
    """A non-number or a non-finite number creates nothing and says why."""
    create(window, "a", number)
    assert table_rows(window) == []
    assert window.undo_stack.count() == 0
    assert reason in find(window, QLabel, "createError").text()
    assert reason in window.errors[-1]


def test_error_clears_when_typing(window):
    """The red reason goes away as soon as the user edits the field."""
    create(window, "1a", "2")
    label = find(window, QLabel, "createError")
    assert label.isVisible()
    QTest.keyClicks(find(window, QLineEdit, "nameEdit"), "x")
    assert not label.isVisible()


def test_error_label_is_red(window):
    """The reason next to the field is drawn in the error colour."""
    create(window, "", "2")
    label = find(window, QLabel, "createError")
    image = label.grab().toImage()
    reds = [
        QColor(image.pixel(x, y))
        for x in range(image.width())
        for y in range(image.height())
        if QColor(image.pixel(x, y)).red() > QColor(image.pixel(x, y)).green() + 60
    ]
    assert reds, "the error text is not red"


def test_log_of_negative_creates_nothing(window):
    """log of -1 is refused with the maths reason; nothing is created."""
    create(window, "a", "-1")
    combine(window, "log", "a", result="y")
    assert list(table(window)) == ["a"]
    assert "log of a non-positive number" in window.errors[-1]
    assert "log" in find(window, QLabel, "combineError").text()


def test_divide_by_zero_creates_nothing(window):
    """a / b with b = 0 is refused with the reason; nothing is created."""
    create(window, "a", "1")
    create(window, "b", "0")
    combine(window, "/", "a", "b")
    assert list(table(window)) == ["a", "b"]
    assert "division by zero" in window.errors[-1]
    assert window.undo_stack.count() == 2


def test_bad_result_name_creates_nothing(window):
    """A taken or invalid result name is refused before anything is computed."""
    create(window, "a", "1")
    create(window, "b", "2")
    combine(window, "+", "a", "b", result="a")
    combine(window, "+", "a", "b", result="2x")
    assert list(table(window)) == ["a", "b"]
    assert "already exists" in window.errors[-2]
    assert "not a valid name" in window.errors[-1]
    assert find(window, QLineEdit, "resultNameEdit").property("invalid") is True


def test_empty_result_name_gets_automatic_names(window):
    """Leaving the result name empty gives fresh names t1, t2, ..."""
    create(window, "a", "3")
    combine(window, "*", "a", "a")
    combine(window, "+", "t1", "a")
    rows = table(window)
    assert rows["t1"][:2] == ("a * a", "9.0000")
    assert rows["t2"][:2] == ("t1 + a", "12.0000")


def test_result_name_field_clears_after_creating(window):
    """After an operation the result name field is empty again, ready for the next one."""
    create(window, "a", "3")
    combine(window, "exp", "a", result="y")
    assert find(window, QLineEdit, "resultNameEdit").text() == ""


def test_every_operation_button(window):
    """Each button computes its operation on A (and B): + − × ÷ xⁿ tanh exp log relu."""
    create(window, "a", "2")
    create(window, "b", "-3")
    for op, result in [("+", "s"), ("-", "m"), ("*", "p"), ("/", "q"), ("**", "w")]:
        combine(window, op, "a", "b", result)
    for op, operand, result in [("tanh", "a", "th"), ("exp", "a", "ex"), ("log", "a", "lg"), ("relu", "b", "rl")]:
        combine(window, op, operand, result=result)
    rows = table(window)
    assert rows["s"][:2] == ("a + b", "-1.0000")
    assert rows["m"][:2] == ("a - b", "5.0000")
    assert rows["p"][:2] == ("a * b", "-6.0000")
    assert rows["q"][:2] == ("a / b", "-0.6667")
    assert rows["w"][:2] == ("a ** -3", "0.1250")
    assert rows["th"][:2] == ("tanh(a)", "0.9640")
    assert rows["ex"][:2] == ("exp(a)", "7.3891")
    assert rows["lg"][:2] == ("log(a)", "0.6931")
    assert rows["rl"][:2] == ("relu(b)", "0.0000")


def test_power_takes_b_number_at_the_time(window):
    """xⁿ raises A to B's number when pressed; editing B later does not change the exponent."""
    create(window, "x", "3")
    create(window, "n", "2")
    combine(window, "**", "x", "n", "y")
    assert table(window)["y"][:2] == ("x ** 2", "9.0000")
    assert window.document.definition("y").operands == ("x",)


def test_op_buttons_show_symbols_and_explain_derivatives(window):
    """The buttons read + − × ÷ xⁿ tanh exp log relu and their tooltips give the local derivative."""
    expected = {
        "addButton": "+",
        "subButton": "\u2212",
        "mulButton": "\u00d7",
        "divButton": "\u00f7",
        "powButton": "x\u207f",
        "tanhButton": "tanh",
        "expButton": "exp",
        "logButton": "log",
        "reluButton": "relu",
    }
    for name, symbol in expected.items():
        button = find(window, QPushButton, name)
        assert button.text() == symbol
        assert "derivative" in button.toolTip()
        assert button.width() >= button.fontMetrics().horizontalAdvance(symbol)


def test_operation_without_values_says_so(window):
    """Pressing an operation on an empty workspace creates nothing and says what to do."""
    find(window, QPushButton, "addButton").click()
    assert len(window.document) == 0
    assert "create a value first" in window.errors[-1].lower()


def test_refusals_read_as_sentences(window):
    """A refused operation's reason starts with a capital, in the status bar and under the buttons."""
    find(window, QPushButton, "addButton").click()
    assert window.errors[-1] == "Nothing created. Create a value first: A is empty"
    assert window.op_buttons.error_text() == "Create a value first: A is empty"
    create(window, "b", "-3")
    find(window, QPushButton, "logButton").click()  # the document's refusal, not the panel's own
    assert window.errors[-1].startswith("Cannot compute") and window.op_buttons.error_text() == window.errors[-1]


def test_operand_lists_follow_the_document(window):
    """operandA, operandB and backwardFrom list every value, and follow renames, deletions and undo."""
    build_lecture(window)
    names = ["a", "b", "c", "e", "d", "f", "L"]
    for combo_name in ("operandA", "operandB", "backwardFrom"):
        combo = find(window, QComboBox, combo_name)
        assert [combo.itemText(i) for i in range(combo.count())] == names
    combo_a = find(window, QComboBox, "operandA")
    choose(combo_a, "c")
    window.rename_value("c", "bias")
    assert combo_a.currentText() == "bias"
    window.undo_stack.undo()
    assert combo_a.currentText() == "c"
    window.undo_stack.undo()  # L
    window.undo_stack.undo()  # f
    assert find(window, QComboBox, "operandB").count() == 5
    assert find(window, QComboBox, "backwardFrom").currentText() == "d"


def test_backward_from_follows_newest_unless_chosen(window):
    """backwardFrom picks the newest value, but keeps a value the user chose while it exists."""
    combo = find(window, QComboBox, "backwardFrom")
    create(window, "a", "1")
    create(window, "b", "2")
    assert combo.currentText() == "b"
    choose(combo, "a")
    create(window, "c", "3")
    assert combo.currentText() == "a"
    choose(combo, "c")
    create(window, "d", "4")
    assert combo.currentText() == "d"


def test_backward_runs_from_the_chosen_value_and_zero_grads_resets(window):
    """Backward from d fills grads relative to d; Zero grads sets them all back to 0."""
    build_lecture(window)
    backward(window, "d")
    rows = table(window)
    assert rows["a"][2] == "-3.0000"
    assert rows["L"][2] == "0.0000"
    assert "d d / d value" in find(window, QLabel, "gradsStatus").text()
    find(window, QPushButton, "zeroGradsButton").click()
    assert {grad for _, _, grad in table(window).values()} == {"0.0000"}
    assert not find(window, QPushButton, "zeroGradsButton").isEnabled()


def test_graph_panel_shows_a_picture_after_building(window, qtbot):
    """After building the lecture the graph panel catches up and is not blank."""
    graph = find(window, QWidget, "graphView")
    with qtbot.waitSignal(graph.picture_updated, timeout=20_000):
        build_lecture(window, typed=False)
    qtbot.waitUntil(lambda: not graph.is_busy(), timeout=20_000)
    assert set(graph.node_names()) >= {"a", "b", "c", "e", "d", "f", "L"}
    image = graph.grab().toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 2, "the graph panel is blank"


def test_clicking_a_graph_node_sets_the_operands(window):
    """A click on a node selects its row and puts it in A; Shift+click puts it in B."""
    build_lecture(window, typed=False)
    graph = find(window, QWidget, "graphView")
    graph.node_clicked.emit("c", False)
    assert find(window, QComboBox, "operandA").currentText() == "c"
    assert window.value_table.current_name() == "c"
    graph.node_clicked.emit("f", True)
    assert find(window, QComboBox, "operandB").currentText() == "f"
    assert find(window, QComboBox, "operandA").currentText() == "c"
    assert window.value_table.current_name() == "f"


def test_selecting_a_row_highlights_the_node(window, monkeypatch):
    """Selecting a table row asks the graph to highlight that node."""
    build_lecture(window, typed=False)
    selected = []
    graph = window.graph_view
    original = graph.select
    monkeypatch.setattr(graph, "select", lambda name: (selected.append(name), original(name)))
    window.value_table.select_name("d")
    assert selected[-1] == "d"


def test_operand_choice_survives_deleting_and_restoring_other_values(window):
    """Deleting values from the middle keeps A on its value; undo brings every name back in order."""
    build_lecture(window, typed=False)
    combo_a = find(window, QComboBox, "operandA")
    choose(combo_a, "f")
    window.ask_delete_dependents = lambda name, dependents: True
    window.delete_values(["c"])
    names = [combo_a.itemText(i) for i in range(combo_a.count())]
    assert names == ["a", "b", "e", "f"]
    assert combo_a.currentText() == "f"
    assert find(window, QComboBox, "backwardFrom").currentText() == "f"
    window.undo_stack.undo()
    assert [combo_a.itemText(i) for i in range(combo_a.count())] == ["a", "b", "c", "e", "d", "f", "L"]
    assert combo_a.currentText() == "f"
    assert find(window, QComboBox, "backwardFrom").currentText() == "L"


def test_row_selected_before_the_picture_is_highlighted_when_it_arrives(window, qtbot):
    """A row selected while the graph is still being laid out is highlighted once the picture catches up."""
    graph = find(window, QWidget, "graphView")
    with qtbot.waitSignal(graph.picture_updated, timeout=20_000):
        build_lecture(window, typed=False)
        window.value_table.select_name("e")
    qtbot.waitUntil(lambda: not graph.is_busy(), timeout=20_000)
    assert graph.selected() == "e"


def test_operand_lists_take_a_whole_new_list_of_the_same_length(window, tmp_path):
    """Opening a file with as many values as the workspace has, but other names, lists exactly the
    file's names; A keeps a name the file also has, backwardFrom moves to the file's newest."""
    from micrograd_gui.document import Definition
    from micrograd_gui.workspace_file import write_workspace

    build_lecture(window, typed=False)
    combo_a = find(window, QComboBox, "operandA")
    choose(combo_a, "c")
    other = [Definition(n, data=float(i)) for i, n in enumerate(["p", "c", "q", "r", "s", "t"])]
    other.append(Definition("u", "+", ("p", "q")))
    write_workspace(tmp_path / "other.json", other, None)
    assert window.open_workspace(tmp_path / "other.json")
    names = ["p", "c", "q", "r", "s", "t", "u"]
    for combo_name in ("operandA", "operandB", "backwardFrom"):
        combo = find(window, QComboBox, combo_name)
        assert [combo.itemText(i) for i in range(combo.count())] == names
    assert combo_a.currentText() == "c"
    assert find(window, QComboBox, "backwardFrom").currentText() == "u"


def test_a_file_whose_names_differ_in_one_place_is_not_taken_for_a_rename(window, tmp_path):
    """a, b, c with A and From on b, then a file with a, z, c: b is gone, so A and From go to the
    newest value (From follows new values again), and the table lists the file's names."""
    from micrograd_gui.document import Definition
    from micrograd_gui.workspace_file import write_workspace

    for name, number in (("a", "1"), ("b", "2"), ("c", "3")):
        create(window, name, number)
    combo_a, combo_from = find(window, QComboBox, "operandA"), find(window, QComboBox, "backwardFrom")
    choose(combo_a, "b")
    choose(combo_from, "b")
    heard: list[str] = []
    combo_from.currentTextChanged.connect(heard.append)
    write_workspace(tmp_path / "one.json", [Definition(n, data=1.0) for n in ("a", "z", "c")], None)
    assert window.open_workspace(tmp_path / "one.json")
    assert (combo_a.currentText(), combo_from.currentText(), heard) == ("c", "c", ["c"])
    assert list(table(window)) == ["a", "z", "c"]
    create(window, "d", "4")
    assert combo_from.currentText() == "d"


def test_deleting_nothing_adds_no_undo_step(window):
    """Deleting no names, or only names that do not exist, changes nothing and is not an undo step."""
    create(window, "a", "1")
    window.undo_stack.setClean()
    assert not window.delete_values([]) and not window.delete_values(["nonexistent"])
    assert window.undo_stack.count() == 1 and window.undo_stack.isClean()
    assert window.document.names == ["a"]


def test_operand_lists_follow_a_big_delete_at_the_end_and_its_undo(window):
    """Deleting the newest half (with dependents) and undoing it: every list takes the names back in
    order, A stays on its value, From goes back to the newest, each telling its listeners once."""
    for i in range(10):
        create(window, f"v{i}", str(i))
    combo_a, combo_from = find(window, QComboBox, "operandA"), find(window, QComboBox, "backwardFrom")
    choose(combo_a, "v2")
    heard: list[str] = []
    combo_from.currentTextChanged.connect(heard.append)
    window.ask_delete_dependents = lambda name, dependents: True
    assert window.delete_values(["v4", "v5", "v6", "v7", "v8", "v9"])
    for combo_name in ("operandA", "operandB", "backwardFrom"):
        combo = find(window, QComboBox, combo_name)
        assert [combo.itemText(i) for i in range(combo.count())] == ["v0", "v1", "v2", "v3"]
    assert (combo_a.currentText(), combo_from.currentText(), heard) == ("v2", "v3", ["v3"])
    window.undo_stack.undo()
    names = [f"v{i}" for i in range(10)]
    for combo_name in ("operandA", "operandB", "backwardFrom"):
        combo = find(window, QComboBox, combo_name)
        assert [combo.itemText(i) for i in range(combo.count())] == names
    assert (combo_a.currentText(), combo_from.currentText(), heard) == ("v2", "v9", ["v3", "v9"])


def test_the_first_value_of_an_empty_workspace_fills_both_operands(window):
    """Create a in an empty workspace: A and B show it, so tanh works at once; so do they after every
    value is deleted and the delete undone."""
    create(window, "a", "2")
    combo_a, combo_b = find(window, QComboBox, "operandA"), find(window, QComboBox, "operandB")
    assert (combo_a.currentText(), combo_b.currentText()) == ("a", "a")
    find(window, QPushButton, "tanhButton").click()
    assert window.document.names == ["a", "t1"]
    window.ask_delete_dependents = lambda name, dependents: True
    assert window.delete_values(["a"])
    assert (combo_a.currentIndex(), combo_b.currentIndex()) == (-1, -1)
    window.undo_stack.undo()
    assert (combo_a.currentText(), combo_b.currentText()) == ("a", "a")

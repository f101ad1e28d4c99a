"""The main window: the contract's widgets, undo/redo of every command, menus, tool bar, About, remembered layout."""

from __future__ import annotations

import gc
import sys
import threading

import pytest
from PySide6.QtCore import QPoint, QRect, Qt, QThreadPool
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolBar,
    QWidget,
)

import micrograd_gui
from micrograd_gui import MainWindow
from tests.gui.clicks import backward, build_lecture, combine, create, find, table, table_rows

CONTRACT_WIDGETS = {
    "nameEdit": QLineEdit,
    "dataEdit": QLineEdit,
    "createButton": QPushButton,
    "operandA": QComboBox,
    "operandB": QComboBox,
    "resultNameEdit": QLineEdit,
    "addButton": QPushButton,
    "mulButton": QPushButton,
    "subButton": QPushButton,
    "divButton": QPushButton,
    "powButton": QPushButton,
    "tanhButton": QPushButton,
    "expButton": QPushButton,
    "logButton": QPushButton,
    "reluButton": QPushButton,
    "valueTable": QAbstractItemView,
    "backwardFrom": QComboBox,
    "backwardButton": QPushButton,
    "graphView": QWidget,
}


def state(window) -> tuple:
    """Everything the user sees of the workspace: the table's text and whether grads are stale."""
    return tuple(table_rows(window)), window.document.grads_stale, window.document.backward_root


def fully_shown(window, widget) -> bool:
    """Whether all of the widget lies inside the window and inside every parent that clips it (scroll areas)."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    visible = QRect(rect)
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        visible = visible.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return visible == rect and window.rect().contains(rect)


SOAK_TOLERANCE = 200


def settled_refcount_of_none(window, qtbot) -> int:
    """sys.getrefcount(None) once the app is idle: graph laid out, no thread pool job, no other Python thread.

    A running thread (a layout parsing dot's output, a worker left by an earlier test) holds and
    drops references to None, so the count is read only when the main thread is the only one left."""
    qtbot.waitUntil(lambda: not window.graph_view.is_busy(), timeout=20_000)
    QThreadPool.globalInstance().waitForDone()
    qtbot.waitUntil(lambda: threading.active_count() == 1, timeout=30_000)
    gc.collect()
    return sys.getrefcount(None)


def undo_text(window) -> str:
    return find(window, QAction, "actionUndo").text().replace("&", "")


def cut_off_texts(window) -> list[str]:
    """The visible buttons and one-line labels whose text is wider than the widget showing it."""
    cut = []
    for button in window.findChildren(QPushButton):
        if button.isVisible() and button.text():
            needed = button.fontMetrics().horizontalAdvance(button.text().replace("&", "")) + 8
            if not button.icon().isNull():
                needed += button.iconSize().width()
            if button.width() < needed:
                cut.append(f"{button.objectName() or button.text()}: {button.width()} < {needed} px")
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text() and not label.wordWrap() and label.textFormat() != Qt.TextFormat.RichText:
            widest = max(
                label.fontMetrics().horizontalAdvance(line) for line in label.text().replace("&", "").split("\n")
            )
            if label.contentsRect().width() < widest:
                cut.append(f"{label.objectName() or label.text()!r}: {label.contentsRect().width()} < {widest} px")
    return cut


def area(widget) -> int:
    return widget.width() * widget.height()


LEARN_WIDGETS = ("stepBackButton", "stepBackwardButton", "stepPlayButton", "stepResetButton")
BACKWARD_WIDGETS = ("backwardFrom", "backwardButton", "zeroGradsButton", "gradsStatus")


@pytest.mark.parametrize("size", [(1400, 900), (1280, 800), (1024, 700)])
def test_contract_widgets_are_shown(window, qtbot, size):
    """Every widget the contract names, the Backward group and the Learn dock are whole at 1400x900 down to 1024x700."""
    window.resize(*size)
    qtbot.wait(10)
    assert window.size().width() == size[0] and window.size().height() == size[1]
    for name, cls in CONTRACT_WIDGETS.items():
        widget = find(window, cls, name)
        assert widget.isVisible(), name
        assert fully_shown(window, widget), f"{name} is cut off at {size}"
    for name in LEARN_WIDGETS + BACKWARD_WIDGETS + ("stepExplanation",):
        widget = find(window, QWidget, name)
        assert widget.isVisible() and fully_shown(window, widget), f"{name} is cut off at {size}"
    side_scroll = find(window, QScrollArea, "sideScroll")
    assert side_scroll.verticalScrollBar().maximum() == 0, "the side panel needs no scrolling"
    explanation = find(window, QScrollArea, "stepExplanationScroll")
    assert explanation.viewport().height() >= 4 * find(window, QLabel, "stepExplanation").fontMetrics().lineSpacing()
    assert cut_off_texts(window) == []

    graph = find(window, QWidget, "graphView")
    side = window.main_splitter.widget(0)
    dock = find(window, QDockWidget, "learningDock")
    assert graph.width() > side.width(), "the graph is the largest panel"
    assert area(graph) > max(area(side), area(window.value_table), area(dock))

    window.learning_dock.tabs.setCurrentWidget(window.learning_dock.grad_check)
    qtbot.wait(10)
    for name in ("gradCheckButton", "gradCheckTable", "gradCheckStatus"):
        assert fully_shown(window, find(window, QWidget, name)), f"{name} is cut off at {size}"
    assert cut_off_texts(window) == []


def test_learn_dock_sits_under_the_graph_not_the_side_panel(window, qtbot):
    """The Learn dock shares the graph's column: the side panel keeps the window's full height beside both."""
    qtbot.wait(10)
    dock = find(window, QDockWidget, "learningDock")
    graph = window.graph_view
    side = window.main_splitter.widget(0)
    assert window.dock_area(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    dock_left = dock.mapTo(window, QPoint(0, 0)).x()
    assert dock_left >= graph.mapTo(window, QPoint(0, 0)).x()
    assert dock_left >= side.mapTo(window, QPoint(0, 0)).x() + side.width()
    assert dock.mapTo(window, QPoint(0, 0)).y() > window.value_table.mapTo(window, QPoint(0, 0)).y()
    assert side.height() >= window.centralWidget().height() - 2


def test_window_fits_small_screens(window):
    """The window can be made smaller than 1024x700 with room to spare: the learning tools do not widen it."""
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    assert minimum.width() <= 800 and minimum.height() <= 560, minimum


def test_undo_redo_every_command_kind(window):
    """Each kind of change undoes to exactly the previous state and redoes to the same next state."""
    steps = [
        ("Create a", lambda: create(window, "a", "2")),
        ("Create b", lambda: create(window, "b", "-3")),
        ("Create e = a * b", lambda: combine(window, "*", "a", "b", "e")),
        ("Create t = tanh(e)", lambda: combine(window, "tanh", "e", result="t")),
        ("Backward from t", lambda: backward(window, "t")),
        (
            "Set a to 0.5",
            lambda: window.value_table.value_model().setData(window.value_table.value_model().index(0, 2), "0.5"),
        ),
        ("Rename e to prod", lambda: window.rename_value("e", "prod")),
        ("Zero grads", lambda: find(window, QPushButton, "zeroGradsButton").click()),
        ("Backward from t", lambda: find(window, QAction, "actionBackward").trigger()),
        ("Delete b, prod, t", lambda: window.delete_values(["b"])),
    ]
    window.ask_delete_dependents = lambda name, dependents: True
    for text, act in steps:
        before = state(window)
        act()
        after = state(window)
        assert after != before, text
        assert undo_text(window) == f"Undo {text}"
        find(window, QAction, "actionUndo").trigger()
        assert state(window) == before, f"undo of {text}"
        assert find(window, QAction, "actionRedo").text().replace("&", "") == f"Redo {text}"
        find(window, QAction, "actionRedo").trigger()
        assert state(window) == after, f"redo of {text}"
    assert window.errors == []


def test_ctrl_z_right_after_creating_from_a_field_undoes_the_creation(window):
    """Ctrl+Z and Ctrl+Shift+Z, pressed in the field the value was just created from, undo and redo it."""
    from PySide6.QtTest import QTest

    window.activateWindow()
    name_edit = find(window, QLineEdit, "nameEdit")
    name_edit.setFocus()
    name_edit.selectAll()
    QTest.keyClicks(name_edit, "x")
    QTest.keyClick(name_edit, Qt.Key.Key_Return)
    data_edit = find(window, QLineEdit, "dataEdit")
    QTest.keyClicks(data_edit, "3")
    QTest.keyClick(data_edit, Qt.Key.Key_Return)
    assert window.document.names == ["x"]
    focused = QApplication.focusWidget()
    QTest.keyClick(focused, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.names == []
    QTest.keyClick(focused, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document.names == ["x"]

    expr_edit = find(window, QLineEdit, "exprEdit")
    expr_edit.setFocus()
    QTest.keyClicks(expr_edit, "y = x * 2")
    QTest.keyClick(expr_edit, Qt.Key.Key_Return)
    assert window.document.names[-1] == "y"
    QTest.keyClick(expr_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.names == ["x"] and expr_edit.text() == ""


def test_ctrl_z_in_a_field_with_typing_undoes_the_typing_first(window):
    """Ctrl+Z in a field holding typed text undoes that typing, not the workspace."""
    from PySide6.QtTest import QTest

    create(window, "a", 2)
    name_edit = find(window, QLineEdit, "nameEdit")
    name_edit.setFocus()
    name_edit.selectAll()
    QTest.keyClicks(name_edit, "zz")
    QTest.keyClick(name_edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.names == ["a"]
    assert name_edit.text() != "zz"


def test_undo_all_the_way_back_and_redo_all(window):
    """Undoing every step of the lecture empties the workspace; redoing them all gives it back."""
    build_lecture(window, typed=False)
    backward(window, "L")
    final = state(window)
    while window.undo_stack.canUndo():
        find(window, QAction, "actionUndo").trigger()
    assert table_rows(window) == []
    assert not find(window, QAction, "actionUndo").isEnabled()
    while window.undo_stack.canRedo():
        find(window, QAction, "actionRedo").trigger()
    assert state(window) == final


def test_edit_menu_names_the_step_to_undo(window):
    """The Edit menu's Undo item says what it undoes, e.g. 'Undo Create a'."""
    create(window, "a", "2")
    undo = next(a for a in window.edit_menu.actions() if a.objectName() == "actionUndo")
    assert undo.text().replace("&", "") == "Undo Create a"
    assert QKeySequence(QKeySequence.StandardKey.Undo) in undo.shortcuts()
    redo = find(window, QAction, "actionRedo")
    assert QKeySequence(QKeySequence.StandardKey.Redo) in redo.shortcuts()
    assert not redo.isEnabled()


def test_status_bar_reports_each_action(window):
    """Creating, undoing and redoing each say what happened in the status bar."""
    create(window, "a", "2")
    assert window.statusBar().currentMessage() == "Create a"
    find(window, QAction, "actionUndo").trigger()
    assert window.statusBar().currentMessage() == "Undone: Create a"
    find(window, QAction, "actionRedo").trigger()
    assert window.statusBar().currentMessage() == "Redone: Create a"


def test_menus_hold_the_desktop_actions(window):
    """File ends with Quit; Edit, View and Help hold their actions."""
    assert window.file_menu.actions()[-1] is window.quit_action

    def names(menu):
        return [a.objectName() for a in menu.actions() if not a.isSeparator()]

    assert {"actionUndo", "actionRedo", "actionRename", "actionDelete", "actionZeroGrads"} <= set(
        names(window.edit_menu)
    )
    assert {"actionZoomIn", "actionZoomOut", "actionFit", "actionTopToBottom"} <= set(names(window.view_menu))
    assert "actionAbout" in names(window.help_menu)
    assert find(window, QAction, "actionTopToBottom").isCheckable()


def test_tool_bar_actions_have_icons(window):
    """Every tool bar button has an icon and a tooltip; the window has an icon."""
    tool_bar = find(window, QToolBar, "mainToolBar")
    actions = [a for a in tool_bar.actions() if not a.isSeparator()]
    assert {"actionUndo", "actionRedo", "actionBackward", "actionZoomIn", "actionFit"} <= {
        a.objectName() for a in actions
    }
    for action in actions:
        assert not action.icon().isNull(), action.objectName()
        assert action.toolTip(), action.objectName()
    assert not window.windowIcon().isNull()


def test_view_actions_drive_the_graph(window, qtbot):
    """Zoom in/out change the graph's zoom; Top to bottom switches its direction and back."""
    build_lecture(window, typed=False)
    graph = window.graph_view
    qtbot.waitUntil(lambda: not graph.is_busy(), timeout=20_000)
    zoom = graph.zoom()
    find(window, QAction, "actionZoomIn").trigger()
    assert graph.zoom() > zoom
    find(window, QAction, "actionZoomOut").trigger()
    find(window, QAction, "actionZoomOut").trigger()
    assert graph.zoom() < zoom
    assert window.statusBar().currentMessage().startswith("Zoom ")
    find(window, QAction, "actionFit").trigger()
    assert window.statusBar().currentMessage() == "Showing the whole graph"
    top_to_bottom = find(window, QAction, "actionTopToBottom")
    top_to_bottom.trigger()
    assert graph.rankdir() == "TB"
    assert "top to bottom" in window.statusBar().currentMessage()
    top_to_bottom.trigger()
    assert graph.rankdir() == "LR"


def test_about_box_names_version_and_graphviz(window, qtbot):
    """Help > About opens at once, then shows which Graphviz draws the graph (found off the UI thread)."""
    box = window.show_about()
    try:
        qtbot.waitUntil(lambda: "checking" not in box.text(), timeout=10_000)
        text = box.text()
        assert micrograd_gui.__version__ in text
        assert "Graphviz" in text
        from micrograd_gui.render import describe_dot

        assert describe_dot().split()[0] in text
    finally:
        box.close()


def test_about_box_opens_when_graphviz_cannot_be_described(window, monkeypatch, qtbot):
    """The About box still opens, saying Graphviz is unavailable, when describing it fails."""
    import micrograd_gui.render

    def broken() -> str:
        raise RuntimeError("no dot here")

    monkeypatch.setattr(micrograd_gui.render, "describe_dot", broken)
    box = window.show_about()
    try:
        qtbot.waitUntil(lambda: "unavailable (no dot here)" in box.text(), timeout=10_000)
        assert isinstance(box, QMessageBox)
    finally:
        box.close()


def test_about_action_opens_the_box(window, qtbot):
    """The Help menu's About item opens a box without blocking."""
    find(window, QAction, "actionAbout").trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None and box.isVisible()
    box.close()


def test_the_file_buttons_lead_the_tool_bar_before_the_window_is_shown(qtbot):
    """New, Open, Save and Export are on the tool bar from the start, with icons, not only once shown."""
    fresh = MainWindow()
    qtbot.addWidget(fresh)
    tool_bar = find(fresh, QToolBar, "mainToolBar")
    names = [a.objectName() for a in tool_bar.actions()]
    assert names[:5] == ["actionNew", "actionOpen", "actionSave", "actionExport", ""]
    assert names[5] == "actionUndo"
    assert all(not a.icon().isNull() for a in tool_bar.actions()[:4])


def test_geometry_and_splitters_are_remembered(qtbot):
    """A new window comes back with the size, splitter positions and graph direction of the last one closed."""
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 560)  # inside the offscreen platform's 800x600 screen, which restoreGeometry respects
    first.main_splitter.setSizes([330, 430])
    first.centre_splitter.setSizes([300, 180])
    first.top_to_bottom_action.setChecked(True)
    qtbot.wait(10)
    sizes = first.main_splitter.sizes(), first.centre_splitter.sizes()
    size = first.size()  # the window's minimum size may have widened it
    assert size.height() == 560
    first.close()

    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    qtbot.wait(10)
    assert second.size() == size
    assert (second.main_splitter.sizes(), second.centre_splitter.sizes()) == sizes
    assert second.graph_view.rankdir() == "TB"
    second.close()


def reopened(qtbot, previous):
    """Close `previous` (which saves its layout) and open a new window the way the app starts."""
    previous.close()
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(10)
    return window


def test_dock_place_and_visibility_are_remembered(qtbot):
    """A moved Learn dock comes back where it was left, and a closed one stays closed, after the app restarts."""
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    qtbot.wait(10)
    dock = find(first, QDockWidget, "learningDock")
    first.add_dock(dock, Qt.DockWidgetArea.TopDockWidgetArea)  # what dragging it above the graph does
    assert first.dock_area(dock) == Qt.DockWidgetArea.TopDockWidgetArea

    second = reopened(qtbot, first)
    dock = find(second, QDockWidget, "learningDock")
    assert second.dock_area(dock) == Qt.DockWidgetArea.TopDockWidgetArea
    assert dock.isVisible()
    assert dock.y() < second.graph_view.mapTo(second.centre_area, QPoint(0, 0)).y()
    dock.toggleViewAction().trigger()  # View > Learn, as a user closes it
    assert not dock.isVisible()

    third = reopened(qtbot, second)
    dock = find(third, QDockWidget, "learningDock")
    assert not dock.isVisible()
    assert not dock.toggleViewAction().isChecked()
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
    assert third.dock_area(dock) == Qt.DockWidgetArea.TopDockWidgetArea
    third.close()


def test_tool_bars_and_docks_of_an_older_layout_are_ignored(qtbot):
    """A saved window state from an older layout (no version) is ignored: the Learn dock opens at its default place."""
    from PySide6.QtCore import QSettings

    from micrograd_gui.settings import SETTINGS_APPLICATION, SETTINGS_ORGANIZATION

    old = MainWindow()
    qtbot.addWidget(old)
    old.centre_area.addDockWidget(Qt.DockWidgetArea.TopDockWidgetArea, find(old, QDockWidget, "learningDock"))
    settings = QSettings(SETTINGS_ORGANIZATION, SETTINGS_APPLICATION)
    settings.setValue("window/state", old.saveState())
    settings.setValue("window/centreState", old.centre_area.saveState())
    settings.sync()

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(10)
    dock = find(window, QDockWidget, "learningDock")
    assert window.dock_area(dock) == Qt.DockWidgetArea.BottomDockWidgetArea
    assert dock.isVisible()


def test_first_window_has_a_sensible_default_layout(qtbot):
    """With nothing remembered the window opens large, with a narrow side panel and the graph above the table."""
    from micrograd_gui.widgets.window_state import WindowState

    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    qtbot.wait(10)
    w.resize(1400, 900)
    w.main_splitter.setSizes([0, 0])
    WindowState(w, w.centre_area, w.main_splitter, w.centre_splitter)._default_splitter(w.main_splitter)
    side, centre = w.main_splitter.sizes()
    assert 250 <= side <= 400 < centre
    graph, values = w.centre_splitter.sizes()
    assert graph > values > 0
    w.close()


def test_soak_of_3000_clicks_keeps_none_refcount_and_works(window, qtbot):
    """3,000 create/op/undo clicks leave sys.getrefcount(None) unchanged and the app still builds the lecture."""
    create(window, "base", "1.5", typed=False)
    name_edit = find(window, QLineEdit, "nameEdit")
    data_edit = find(window, QLineEdit, "dataEdit")
    create_button = find(window, QPushButton, "createButton")
    add_button = find(window, QPushButton, "addButton")
    undo = find(window, QAction, "actionUndo")
    result = find(window, QLineEdit, "resultNameEdit")

    def cycle(i: int) -> None:
        # Undo right after each push, so each push discards one undone command: PySide6 6.11.3's
        # QUndoStack keeps one reference to None for every further command it discards at once.
        name_edit.setText("s")
        data_edit.setText(str(i % 7))
        create_button.click()
        undo.trigger()
        find(window, QComboBox, "operandA").setCurrentIndex(0)
        find(window, QComboBox, "operandB").setCurrentIndex(0)
        result.setText("r")
        add_button.click()
        undo.trigger()

    cycle(0)
    baseline = settled_refcount_of_none(window, qtbot)
    for i in range(1, 750):  # 4 clicks each: 3,000 with the warm-up
        cycle(i)
    change = settled_refcount_of_none(window, qtbot) - baseline
    # PySide6 6.12.0 takes one reference per void Qt call: thousands over these clicks (it aborts
    # after about 2,500). With 6.11.3 each finished graph layout adds about 6 (measured; it grows with
    # layouts, not clicks), and only the few layouts run while settling finish here: the change is
    # about +30 after 10 cycles or 1,500 alike. The tolerance sits far between the two.
    assert abs(change) <= SOAK_TOLERANCE, f"None's refcount moved by {change} over 3,000 clicks"
    assert list(table(window)) == ["base"]
    assert window.errors == []

    build_lecture(window, typed=False)
    backward(window, "L")
    assert table(window)["L"][1:] == ("-8.0000", "1.0000")
    assert table(window)["a"][2] == "6.0000"


def test_a_refused_expression_keeps_the_tool_bar_whole_at_1024(window, qtbot):
    """At 1024x700 the reason for a refused expression shows beside the field without hiding tool bar buttons."""
    from PySide6.QtTest import QTest

    window.resize(1024, 700)
    build_lecture(window, typed=False)
    edit = find(window, QLineEdit, "exprEdit")
    edit.setText("z = (a * b + some_value_that_does_not_exist_anywhere) * 2")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.wait(10)
    error = find(window, QLabel, "exprError")
    assert error.isVisible() and fully_shown(window, error)
    assert "some_value_that_does_not_exist_anywhere" in error.toolTip()
    tool_bar = find(window, QToolBar, "mainToolBar")
    for action in tool_bar.actions():
        if not action.isSeparator():
            button = tool_bar.widgetForAction(action)
            assert button.isVisible() and fully_shown(window, button), action.objectName()
    assert fully_shown(window, edit)

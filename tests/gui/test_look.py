"""Themes, role colours with their legend, and presentation mode."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from micrograd_gui.commands import SetData
from micrograd_gui.dataset import DataTable
from micrograd_gui.document import Definition, Document
from micrograd_gui.roles import value_role
from micrograd_gui.settings import app_settings
from micrograd_gui.widgets import graph_items
from tests.gui.clicks import build_lecture, find

ROOT = Path(__file__).resolve().parents[2]


def test_each_value_has_a_role():
    """A leaf is a parameter, a number typed in an expression a constant, an op a result, and the
    value backward runs from the root."""
    document = Document()
    document.replace_definitions(
        [
            Definition("a", data=2.0),
            Definition("k1", data=3.0, constant=True),
            Definition("e", "*", ("a", "k1")),
            Definition("L", "tanh", ("e",)),
        ]
    )
    document.backward("L")
    assert [value_role(document, n) for n in document.names] == ["parameter", "constant", "result", "root"]
    document.set_data(DataTable.of(["a"], [[1.0]]))  # a column binds a: a data input, not a parameter
    assert value_role(document, "a") == "data"


def test_binding_a_leaf_to_a_column_fills_it_as_data(window, qtbot):
    build_lecture(window, typed=False)
    view = window.graph_view
    qtbot.waitUntil(lambda: "a" in view._picture.values, timeout=10_000)
    window.session.push(SetData, window.document, DataTable.of(["a", "b"], [[1.0, 2.0]]))
    qtbot.waitUntil(lambda: view._picture.values["a"].role_fill is graph_items.ROLE_FILLS["data"], timeout=5_000)
    assert view._picture.values["c"].role_fill is graph_items.ROLE_FILLS["parameter"]
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: view._picture.values["a"].role_fill is graph_items.ROLE_FILLS["parameter"], timeout=5_000)


def test_the_picture_fills_values_by_role_and_shows_a_legend(window, qtbot):
    """After backward from L the root, the leaves and the results each have their fill; a legend names them."""
    build_lecture(window, typed=False)
    window.backward_panel.run_backward()
    view = window.graph_view
    qtbot.waitUntil(lambda: "L" in view._picture.values, timeout=10_000)
    qtbot.waitUntil(lambda: view._picture.values["L"].role_fill is graph_items.ROLE_FILLS["root"], timeout=5_000)
    assert view._picture.values["a"].role_fill is graph_items.ROLE_FILLS["parameter"]
    assert view._picture.values["e"].role_fill is graph_items.ROLE_FILLS["result"]
    legend = find(window, QLabel, "graphLegend")
    assert legend.isVisible()
    for title in ("parameter", "data input", "constant", "result", "backward root"):
        assert title in legend.text()


def test_dark_theme_darkens_the_panels_and_the_picture_and_is_remembered(window, qtbot):
    """View > Theme > Dark: dark window colours and a dark picture; Light brings both back; the choice is kept."""
    build_lecture(window, typed=False)
    find(window, QAction, "actionThemeDark").trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert window.value_table.palette().color(QPalette.ColorRole.Base).lightness() < 80
    assert graph_items.BACKGROUND.lightness() < 80 and graph_items.INK.lightness() > 180
    assert window.graph_view.canvas.backgroundBrush().color().lightness() < 80
    assert app_settings().value("view/theme") == "dark"
    find(window, QAction, "actionThemeLight").trigger()
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180
    assert graph_items.BACKGROUND.lightness() > 240
    assert app_settings().value("view/theme") == "light"


def test_presentation_makes_text_bigger_and_back(window, qtbot):
    """View > Presentation: the panels' text 1.5 times bigger and a small picture drawn bigger; off restores both."""
    assert window.open_workspace(ROOT / "resources" / "examples" / "reuse.json")
    qtbot.waitUntil(lambda: "b" in window.graph_view._picture.values, timeout=10_000)
    window.resize(1400, 900)
    qtbot.wait(20)
    edit = window.value_form.name_edit
    size, zoom = edit.font().pointSizeF(), window.graph_view.zoom()
    action = find(window, QAction, "actionPresentation")
    action.trigger()
    assert abs(edit.font().pointSizeF() - 1.5 * size) < 0.01
    assert window.graph_view.zoom() > zoom
    action.trigger()
    assert abs(edit.font().pointSizeF() - size) < 0.01
    assert abs(window.graph_view.zoom() - zoom) < 1e-6


def test_the_look_is_the_same_in_every_window_and_ends_with_the_last(qtbot):
    """Dark chosen in one window darkens another and checks its menu; closing one window keeps the
    look in the other; when the last window with a look goes, the application's own look returns."""
    from micrograd_gui import MainWindow

    first, second = MainWindow(), MainWindow()
    for w in (first, second):
        w.dialogs.ask_save_changes = lambda display_name: "discard"
        w.show()
    find(first, QAction, "actionThemeDark").trigger()
    assert find(second, QAction, "actionThemeDark").isChecked()
    assert second.graph_view.canvas.backgroundBrush().color().lightness() < 80
    find(second, QAction, "actionPresentation").trigger()
    assert find(first, QAction, "actionPresentation").isChecked()
    third = MainWindow()  # a window opened later takes the look in use
    assert find(third, QAction, "actionThemeDark").isChecked()
    assert find(third, QAction, "actionPresentation").isChecked()
    for w in (second, third):
        w.close()
        w.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(second) and not shiboken6.isValid(third), timeout=5_000)
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80  # `first` is still open
    assert graph_items.BACKGROUND.lightness() < 80
    first.close()
    first.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(first), timeout=5_000)
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() > 180
    assert graph_items.BACKGROUND.lightness() > 240


def test_a_failed_check_stays_readable_in_the_dark_theme(window, qtbot):
    """A row the gradient check flags (relu's kink at 0) is drawn dark on its light fill, whatever the theme."""
    from micrograd_gui.widgets.grad_check_panel import DISAGREE_FILL

    find(window, QAction, "actionThemeDark").trigger()
    window.expression_bar.edit.setText("x = 0")
    window.expression_bar.apply()
    window.expression_bar.edit.setText("y = relu(x)")
    window.expression_bar.apply()
    panel = window.learning_dock.grad_check
    with qtbot.waitSignal(panel.check_finished, timeout=10_000):
        panel.run_check()
    assert panel.results()[0].agrees is False
    name_cell = panel.table.item(0, 0)
    assert name_cell.background().color() == DISAGREE_FILL
    assert name_cell.foreground().color().lightness() < 80
    find(window, QAction, "actionThemeLight").trigger()

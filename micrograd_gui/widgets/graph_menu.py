"""The graph's items of the View menu: find, focus, the overview map, collapsing and expanding groups."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.graph_view import GraphView


class GraphMenu(QObject):
    """Adds to `view_menu`: `actionFind` (Ctrl+F, the graph's find bar), `actionFocus` (checked: draw only
    what feeds the value `selected()` gives), `actionOverview` (checked: the overview map),
    `actionCollapseNeurons` and `actionExpandAll`."""

    def __init__(
        self,
        session: WorkspaceSession,
        graph_view: GraphView,
        selected: Callable[[], str],
        view_menu: QMenu,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._graph = graph_view
        self._selected = selected
        self._parent = parent
        self.find_action = self._action("&Find…", "actionFind", "Find a value in the graph by its name")
        self.find_action.setShortcuts(QKeySequence.StandardKey.Find)
        self.focus_action = self._action(
            "&Show only what feeds the selected value", "actionFocus", "Draw only the values the selected one uses"
        )
        self.focus_action.setCheckable(True)
        self.overview_action = self._action(
            "&Overview map", "actionOverview", "A small map of the whole picture, the part in view marked"
        )
        self.overview_action.setCheckable(True)
        self.overview_action.setChecked(True)
        self.collapse_action = self._action(
            "&Collapse all neurons", "actionCollapseNeurons", "Draw each neuron as one node, like n1_1: tanh(w·x + b)"
        )
        self.expand_action = self._action("E&xpand all", "actionExpandAll", "Draw every value of every group")
        view_menu.addSeparator()
        view_menu.addActions([self.find_action, self.focus_action, self.overview_action])
        view_menu.addSeparator()
        view_menu.addActions([self.collapse_action, self.expand_action])

        self.find_action.triggered.connect(graph_view.show_find)
        self.focus_action.triggered.connect(self._on_focus_triggered)
        self.overview_action.toggled.connect(graph_view.set_map_shown)
        self.collapse_action.triggered.connect(graph_view.collapse_all_neurons)
        self.expand_action.triggered.connect(graph_view.expand_all)
        graph_view.focus_changed.connect(lambda name: self.focus_action.setChecked(bool(name)))

    def _action(self, text: str, object_name: str, tip: str) -> QAction:
        action = QAction(text, self._parent)
        action.setObjectName(object_name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _on_focus_triggered(self, checked: bool) -> None:
        if not checked:
            self._graph.set_focus(None)
            self._session.show_status("Showing every value")
            return
        name = self._graph.selected() or self._selected()
        if not name:
            self.focus_action.setChecked(False)
            self._session.show_error("Select a value first: the graph then shows only what feeds it")
            return
        self._graph.set_focus(name)
        self._session.show_status(f"Showing only what feeds {name} (View > Show only… again shows everything)")

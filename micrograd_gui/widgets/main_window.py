"""The main window, the composition root: it builds the workspace session, the widgets, the menus
and the docks, and connects them. No widget knows the window; each takes the session."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeySequence,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from micrograd_gui import assets, shortcuts
from micrograd_gui.document import Change, Document
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.about_box import show_about_box
from micrograd_gui.widgets.backward_panel import BackwardPanel
from micrograd_gui.widgets.controls import UndoKeysToWorkspace, chain_tab_order
from micrograd_gui.widgets.expression_bar import ExpressionBar
from micrograd_gui.widgets.file_actions import FileActions
from micrograd_gui.widgets.file_dialogs import FileDialogs
from micrograd_gui.widgets.graph_menu import GraphMenu
from micrograd_gui.widgets.graph_view import GraphView
from micrograd_gui.widgets.help_pages import GETTING_STARTED, HelpDialog, keyboard_shortcuts, shortcuts_page
from micrograd_gui.widgets.learning_dock import DOCK_HEIGHT, LearningDock
from micrograd_gui.widgets.look_actions import LookActions
from micrograd_gui.widgets.net_dialog import NetDialog
from micrograd_gui.widgets.op_buttons import OpButtons
from micrograd_gui.widgets.paste_action import PasteAction
from micrograd_gui.widgets.train_panel import TrainPanel
from micrograd_gui.widgets.training_dock import TrainingDock
from micrograd_gui.widgets.value_actions import ValueActions, ask_delete_dependents
from micrograd_gui.widgets.value_form import ValueForm
from micrograd_gui.widgets.value_table import ValueTable
from micrograd_gui.widgets.window_state import WindowState


class MainWindow(QMainWindow):
    """The app's window over one workspace session.

    `session` owns `document` (the one source of truth) and `undo_stack`, both also
    readable here. Widgets take the session, read their inputs and hand a command to
    its `push()`; they never change the document themselves, and none of them knows
    the window. The session's messages show in the status bar. Menus live in
    `file_menu`, `edit_menu`, `view_menu` and `help_menu`; the tool bar in
    `tool_bar`. File questions go through `dialogs` (tests replace its methods).
    `insert_menu` opens the form for neurons, layers and MLPs (`open_net_dialog`).
    Edit > Paste (`paste_action`) adds the clipboard's code or workspace as values.
    `closed()` is emitted once the window has closed (micrograd_gui.show waits for it).

    Layout: `side_panel` (the Create, Combine and Backward groups) on the left, `graph_view` in the centre over
    `value_table`, in `main_splitter` and `centre_splitter`. Docks added with
    `add_dock` live in `centre_area`, around the graph and the table only, so
    they never squeeze the side panel. Geometry, splitters, tool bars and docks
    are remembered with QSettings.
    """

    closed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.session = WorkspaceSession(self)
        self.session.status_shown.connect(lambda message: self.statusBar().showMessage(message, 5000))
        self.session.error_shown.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.setWindowTitle("micrograd-gui")
        self.setWindowIcon(assets.icon("app"))
        self.setStyleSheet(assets.style_sheet())
        self.file_menu = self.menuBar().addMenu("&File")
        self.edit_menu = self.menuBar().addMenu("&Edit")
        self.insert_menu = self.menuBar().addMenu("&Insert")
        self.view_menu = self.menuBar().addMenu("&View")
        self.help_menu = self.menuBar().addMenu("&Help")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.file_menu.addAction(quit_action)
        self.quit_action = quit_action
        self._undo_index = 0

        self._build_widgets()
        self._build_actions()
        self._lay_out()
        self._connect()
        self._on_document_changed(Change(True))
        self._add_file_actions()
        self._add_learning_tools()
        self._set_tab_order()
        self._undo_keys = UndoKeysToWorkspace(self)
        for field in self.findChildren(QLineEdit):
            field.installEventFilter(self._undo_keys)
            field.installEventFilter(self.paste_action.text_field_filter)

        # Last, so the tool bars and docks the features added come back where the user left them.
        self._restore_settings()
        self.value_form.name_edit.setFocus()
        self.show_status("Ready: create a value, then combine values with the operation buttons")

    @property
    def document(self) -> Document:
        """The workspace document (the session's)."""
        return self.session.document

    @property
    def undo_stack(self) -> QUndoStack:
        """The workspace's undo stack (the session's)."""
        return self.session.undo_stack

    # ---- files (widgets/file_actions.py): contract methods, blocking, for scripts and tests ----

    def open_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Open a workspace file now; True if opened, else the reason is shown and nothing changes."""
        return self.file_actions.open_workspace(path)

    def save_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Save the workspace to `path` now (atomically); True if saved, else the reason is shown."""
        return self.file_actions.save_workspace(path)

    def export_image(self, path: str | os.PathLike[str], rankdir: str | None = None, root: str | None = None) -> bool:
        """Export now; the format comes from the suffix (.png .svg .pdf .dot .py). True if written."""
        return self.file_actions.export_image(path, rankdir, root)

    # ---- building -------------------------------------------------------------

    def _build_widgets(self) -> None:
        session = self.session
        self.value_form = ValueForm(session)
        self.op_buttons = OpButtons(session)
        self.backward_panel = BackwardPanel(session)
        self.graph_view = GraphView(session.document, self)
        self.value_table = ValueTable(session)

    def _action(self, text: str, object_name: str, icon: str = "", tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        if icon:
            action.setIcon(assets.icon(icon))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setObjectName("actionUndo")
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(assets.icon("undo"))
        self.undo_action.setProperty("shortcutTitle", "Undo")
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setObjectName("actionRedo")
        self.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)
        self.redo_action.setIcon(assets.icon("redo"))
        self.redo_action.setProperty("shortcutTitle", "Redo")
        self.paste_action = PasteAction(self.session, self)

        # Rename and Delete act on the table's or the graph's selection, so their keys
        # work only there: Delete in a text field still deletes text.
        # Rename and Delete act on the table's or the graph's selection, so their keys work only there.
        self.value_edits = ValueActions(
            self.session, self.value_table, lambda name, dependents: self.ask_delete_dependents(name, dependents), self
        )
        self.value_edits.add_to(self.value_table, self.graph_view)
        self.rename_action, self.delete_action = self.value_edits.actions()

        self.backward_action = self._action(
            "&Backward", "actionBackward", "backward", "Run backward from the value chosen in Backward"
        )
        self.backward_action.setShortcut(QKeySequence(shortcuts.BACKWARD))
        self.zero_grads_action = self._action("&Zero grads", "actionZeroGrads", "zero_grads", "Set every grad to 0")
        self.zero_grads_action.setShortcut(QKeySequence(shortcuts.ZERO_GRADS))
        self.focus_expression_action = self._action(
            "Type an &expression", "actionFocusExpression", tip="Go to the Expression bar"
        )
        self.focus_expression_action.setShortcut(QKeySequence(shortcuts.FOCUS_EXPRESSION))

        self.zoom_in_action = self._action("Zoom &in", "actionZoomIn", "zoom_in", "Zoom in on the graph")
        self.zoom_in_action.setShortcuts(QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action("Zoom &out", "actionZoomOut", "zoom_out", "Zoom out of the graph")
        self.zoom_out_action.setShortcuts(QKeySequence.StandardKey.ZoomOut)
        self.fit_action = self._action("&Fit to window", "actionFit", "fit", "Show the whole graph")
        self.fit_action.setShortcut(QKeySequence(shortcuts.FIT))
        self.top_to_bottom_action = self._action(
            "&Top to bottom", "actionTopToBottom", tip="Lay the graph out from top to bottom instead of left to right"
        )
        self.top_to_bottom_action.setCheckable(True)
        self.insert_net_action = self._action(
            "&Neuron / Layer / MLP…", "actionInsertNet", tip="Make a neuron, a layer or an MLP over the selected values"
        )

        self.about_action = self._action("&About micrograd-gui", "actionAbout")
        self.getting_started_action = self._action("&Getting started", "actionGettingStarted")
        self.getting_started_action.setShortcuts(QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action = self._action("&Keyboard shortcuts", "actionKeyboardShortcuts")

    def _lay_out(self) -> None:
        self.side_panel = QWidget()
        self.side_panel.setObjectName("sidePanel")
        self.side_layout = QVBoxLayout(self.side_panel)
        self.side_layout.setContentsMargins(6, 6, 6, 6)
        self.side_layout.addWidget(self.value_form)
        self.side_layout.addWidget(self.op_buttons)
        self.side_layout.addWidget(self.backward_panel)
        self.side_layout.addStretch(1)
        side_scroll = QScrollArea()
        side_scroll.setObjectName("sideScroll")
        side_scroll.setWidget(self.side_panel)
        side_scroll.setWidgetResizable(True)
        side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        side_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields are the Tab stops, not the area
        scroll_bar = side_scroll.verticalScrollBar().sizeHint().width()
        side_scroll.setMinimumWidth(self.side_panel.minimumSizeHint().width() + scroll_bar)

        self.centre_splitter = QSplitter(Qt.Orientation.Vertical)
        self.centre_splitter.setObjectName("centreSplitter")
        self.centre_splitter.addWidget(self.graph_view)
        self.centre_splitter.addWidget(self.value_table)
        self.centre_splitter.setStretchFactor(0, 3)
        self.centre_splitter.setStretchFactor(1, 1)
        self.centre_splitter.setChildrenCollapsible(False)
        # The centre is a main window of its own (as in Qt Creator's debug mode): its docks share
        # the graph's column, and the side panel keeps the full height of the window.
        self.centre_area = QMainWindow()
        self.centre_area.setObjectName("centreArea")
        self.centre_area.setWindowFlags(Qt.WindowType.Widget)
        self.centre_area.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.centre_area.setCentralWidget(self.centre_splitter)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(side_scroll)
        self.main_splitter.addWidget(self.centre_area)
        self.main_splitter.setStretchFactor(0, 0)
        self.main_splitter.setStretchFactor(1, 1)
        self.main_splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.main_splitter)

        edit = self.edit_menu
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        edit.addAction(self.paste_action.action)
        edit.addSeparator()
        edit.addAction(self.rename_action)
        edit.addAction(self.delete_action)
        edit.addSeparator()
        edit.addAction(self.backward_action)
        edit.addAction(self.zero_grads_action)
        edit.addSeparator()
        edit.addAction(self.focus_expression_action)
        view = self.view_menu
        view.addAction(self.zoom_in_action)
        view.addAction(self.zoom_out_action)
        view.addAction(self.fit_action)
        view.addSeparator()
        view.addAction(self.top_to_bottom_action)
        self.look = LookActions(self, self.graph_view)
        self.look.add_to(view)
        self.graph_menu = GraphMenu(self.session, self.graph_view, self.value_table.current_name, view, self)
        self.insert_menu.addAction(self.insert_net_action)
        self.help_menu.addAction(self.getting_started_action)
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addSeparator()
        self.help_menu.addAction(self.about_action)

        self.tool_bar = QToolBar("Main tool bar", self)
        self.tool_bar.setObjectName("mainToolBar")
        self.tool_bar.setMovable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.tool_bar)
        self.tool_bar.addActions([self.undo_action, self.redo_action])
        self.tool_bar.addSeparator()
        self.tool_bar.addActions([self.backward_action, self.zero_grads_action])
        self.tool_bar.addSeparator()
        self.tool_bar.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action])

    def _connect(self) -> None:
        self.undo_stack.indexChanged.connect(self._on_undo_index_changed)
        self.backward_action.triggered.connect(self.backward_panel.run_backward)
        self.zero_grads_action.triggered.connect(self.backward_panel.zero_grads)
        self.zoom_in_action.triggered.connect(self.zoom_in)
        self.zoom_out_action.triggered.connect(self.zoom_out)
        self.fit_action.triggered.connect(self.fit_to_window)
        self.top_to_bottom_action.toggled.connect(self._on_top_to_bottom_toggled)
        self.insert_net_action.triggered.connect(self.open_net_dialog)
        self.about_action.triggered.connect(self.show_about)
        self.getting_started_action.triggered.connect(self.show_getting_started)
        self.shortcuts_action.triggered.connect(self.show_keyboard_shortcuts)
        self.graph_view.node_double_clicked.connect(self.value_edits.rename)  # a double-click renames
        self.value_table.value_selected.connect(self._on_table_selection)
        self.graph_view.node_clicked.connect(self._on_node_clicked)
        self.graph_view.selection_changed.connect(self._on_graph_selection)
        self.graph_view.picture_updated.connect(self._on_picture_updated)
        self.document.add_listener(self._on_document_changed)

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> None:
        """Dock `dock` beside the graph and the table (never beside the side panel); give it an objectName
        so its place is remembered. `dock_area(dock)` tells where it is."""
        self.centre_area.addDockWidget(area, dock)

    def dock_area(self, dock: QDockWidget) -> Qt.DockWidgetArea:
        """Where `dock` sits around the graph and the table (NoDockWidgetArea when floating or unknown)."""
        return self.centre_area.dockWidgetArea(dock)

    def training_history(self) -> list[float]:
        """The losses of the training steps done so far, oldest first (the Train panel's run)."""
        panel = self.findChild(TrainPanel)
        return panel.history() if panel is not None else []

    def value_actions(self) -> list[QAction]:
        """The actions on the selected value (the table's context menu)."""
        return self.value_edits.actions()

    # ---- intent methods: tests replace these instead of clicking dialogs ----

    def show_error(self, message: str) -> None:
        """Tell the user why something was refused (through the session, shown in the status bar)."""
        self.session.show_error(message)

    def show_status(self, message: str) -> None:
        """Tell the user what happened (through the session, shown in the status bar)."""
        self.session.show_status(message)

    def ask_delete_dependents(self, name: str, dependents: Sequence[str]) -> bool:
        """Ask whether deleting `name` may delete the values computed from it too (tests replace this)."""
        return ask_delete_dependents(self, name, dependents)

    def show_getting_started(self) -> HelpDialog:
        """Open Help > Getting started (not modal; tests read and close it)."""
        return self._show_help("Getting started", GETTING_STARTED)

    def show_keyboard_shortcuts(self) -> HelpDialog:
        """Open Help > Keyboard shortcuts, read off the actions and buttons themselves."""
        return self._show_help("Keyboard shortcuts", shortcuts_page(keyboard_shortcuts(self)))

    def _show_help(self, title: str, page: str) -> HelpDialog:
        dialog = HelpDialog(title, page, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def open_net_dialog(self) -> NetDialog:
        """Open Insert > Neuron / Layer / MLP…, its inputs the values selected in the table (not modal to
        the app's event loop; tests fill it in and call its `insert()`)."""
        dialog = NetDialog(self.session, self.value_table.selected_names(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def show_about(self) -> QMessageBox:
        """Open the About box (not modal to the app's event loop; tests read and close it)."""
        return show_about_box(self)

    # ---- commands ----------------------------------------------------------------

    def try_push(self, make_command: Callable[..., QUndoCommand], *args: Any) -> str | None:
        """The session's `try_push`: None when pushed, else the reason it was refused (already shown)."""
        return self.session.try_push(make_command, *args)

    def push(self, make_command: Callable[..., QUndoCommand], *args: Any) -> bool:
        """The session's `push`: True if pushed; a refused change shows its reason and changes nothing.

        Example: `window.push(AddDefinitions, window.document, [definition])`.
        """
        return self.session.push(make_command, *args)

    def rename_value(self, old: str, new: str) -> bool:
        """Rename a value and every reference to it; True if renamed."""
        return self.value_edits.rename_value(old, new)

    def delete_values(self, names: Sequence[str]) -> bool:
        """Delete `names`; values computed from them go too, only if the user agrees."""
        return self.value_edits.delete_values(names)

    # ---- reacting ------------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        has_values = len(self.document) > 0
        self.backward_action.setEnabled(has_values)
        self.zero_grads_action.setEnabled(self.document.backward_root is not None)

    def _on_undo_index_changed(self, index: int) -> None:
        previous, self._undo_index = self._undo_index, index
        # A new workspace clears the stack (index 0 of 0): that is no undo.
        if self.session.pushing or self.undo_stack.count() == 0 or not 0 <= index <= self.undo_stack.count():
            return
        if index < previous:
            self.show_status(f"Undone: {self.undo_stack.text(index)}")
        elif index > previous:
            self.show_status(f"Redone: {self.undo_stack.text(index - 1)}")

    def _on_table_selection(self, name: str) -> None:
        self.graph_view.select(name or None)

    def _on_picture_updated(self) -> None:
        # A row selected before its node was drawn gets its highlight once the picture catches up.
        name = self.value_table.current_name()
        if name and self.graph_view.selected() != name:
            self.graph_view.select(name)

    def _on_graph_selection(self, name: str) -> None:
        if name:
            self.value_table.select_name(name)

    def _on_node_clicked(self, name: str, shift: bool) -> None:
        if name not in self.document:
            return
        which = "B" if shift else "A"
        self.value_table.select_name(name)
        self.op_buttons.set_operand(name, which)
        self.show_status(f"Operand {which} = {name}" + ("" if shift else " (Shift+click sets B)"))

    def _on_top_to_bottom_toggled(self, checked: bool) -> None:
        self.graph_view.set_rankdir("TB" if checked else "LR")
        self.show_status("Graph laid out " + ("top to bottom" if checked else "left to right"))

    # ---- View --------------------------------------------------------------------

    def zoom_in(self) -> None:
        self.graph_view.zoom_in()
        self.show_status(f"Zoom {self.graph_view.zoom():.0%}")

    def zoom_out(self) -> None:
        self.graph_view.zoom_out()
        self.show_status(f"Zoom {self.graph_view.zoom():.0%}")

    def fit_to_window(self) -> None:
        self.graph_view.fit_to_window()
        self.show_status("Showing the whole graph")

    # ---- window state ----------------------------------------------------------------

    def _restore_settings(self) -> None:
        restored = WindowState(self, self.centre_area, self.main_splitter, self.centre_splitter).restore()
        self.top_to_bottom_action.setChecked(restored.rankdir == "TB")

    def save_settings(self) -> None:
        """Remember the window's geometry, splitters, tool bars, docks and graph direction."""
        WindowState(self, self.centre_area, self.main_splitter, self.centre_splitter).save(self.graph_view.rankdir())

    def _add_file_actions(self) -> None:
        """The File menu's items above Quit, New, Open, Save and Export at the front of the tool bar,
        the window title, dropped files and the question about unsaved work on close."""
        self.dialogs = FileDialogs(self)
        files = self.file_actions = FileActions(self.session, self.dialogs, self.graph_view.rankdir, self)
        for item in files.menu_items():
            if item is None:
                self.file_menu.insertSeparator(self.quit_action)
            else:
                self.file_menu.insertAction(self.quit_action, item)
        first = self.tool_bar.actions()[0]
        for action, icon in (
            (files.new_action, "new"),
            (files.open_action, "open"),
            (files.save_action, "save"),
            (files.export_action, "export"),
        ):
            action.setIcon(assets.icon(icon))
            self.tool_bar.insertAction(first, action)
        self.tool_bar.insertSeparator(first)
        files.title_changed.connect(self.setWindowTitle)
        files.modified_changed.connect(self.setWindowModified)
        files.close_requested.connect(self.close)
        self.setWindowTitle(files.title())
        self.setAcceptDrops(True)

    def _add_learning_tools(self) -> None:
        """The expression bar (beside the main tool bar), the Learn dock (under the graph and the table)
        and the Training dock."""
        self.expression_bar = ExpressionBar(self.session)
        tool_bar = QToolBar("Expression", self)
        tool_bar.setObjectName("expressionToolBar")
        tool_bar.setMovable(False)
        tool_bar.addWidget(self.expression_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tool_bar)
        dock = self.learning_dock = LearningDock(
            self.session, self.backward_panel.backward_from, self.value_table.current_name, self
        )
        dock.highlight_changed.connect(self.graph_view.set_step_highlight)
        dock.grad_paths.path_highlighted.connect(self.graph_view.set_path_highlight)
        self.add_dock(dock, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.centre_area.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)  # compact: the graph keeps room
        self.view_menu.addSeparator()
        self.view_menu.addAction(tool_bar.toggleViewAction())
        self.view_menu.addAction(dock.toggleViewAction())
        # The Training dock: right of the graph, full height; hidden until a workspace has data.
        training = self.training_dock = TrainingDock(self.session, self.dialogs, self)
        training.train_panel.updates_shown.connect(self.graph_view.show_updates)
        self.centre_area.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.add_dock(training, Qt.DockWidgetArea.RightDockWidgetArea)
        training.hide()
        self.view_menu.addAction(training.toggleViewAction())
        self.learn_menu = QMenu("&Learn", self)
        self.learn_menu.setObjectName("learnMenu")
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.learn_menu)
        for item in dock.menu_actions():
            if item is None:
                self.learn_menu.addSeparator()
            else:
                self.learn_menu.addAction(item)
        self.focus_expression_action.triggered.connect(self._focus_expression)

    def _focus_expression(self) -> None:
        self.expression_bar.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.expression_bar.edit.selectAll()

    def _set_tab_order(self) -> None:
        """Tab goes top to bottom, left to right: the expression bar, the side panel's fields, the
        picture, the table, then the Learn panel."""
        form, ops, backward = self.value_form, self.op_buttons, self.backward_panel
        chain: list[QWidget] = [
            self.expression_bar.edit,
            form.name_edit,
            form.data_edit,
            form.create_button,
            ops.operand_a,
            ops.operand_b,
            ops.result_name_edit,
            *ops.buttons.values(),
            backward.backward_from,
            backward.backward_button,
            backward.zero_grads_button,
            self.graph_view.canvas,
            self.value_table,
            self.learning_dock.tabs,
            self.training_dock.tabs,
        ]
        chain_tab_order(chain)

    # ---- drops and closing ---------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.dragMoveEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self.file_actions.dropped_workspace(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.file_actions.dropped_workspace(event.mimeData())
        if path:
            event.acceptProposedAction()
            self.file_actions.open_path(path)
        else:
            super().dropEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.file_actions.may_close():
            event.ignore()
            return
        self.save_settings()
        super().closeEvent(event)
        self.closed.emit()

"""The File menu: New, Open, Open Recent, Examples, Save, Save As, Export; the window title;
files dropped on the window; crash recovery.

`FileActions` installs itself into a `MainWindow` (one line at the end of its
`__init__`). It asks the user through the window's intent methods
(`ask_save_changes`, `ask_open_path`, `ask_save_path`, `ask_export_options`,
`ask_restore_recovery`), which tests replace instead of clicking dialogs.

The disk and Graphviz never block the UI thread for the menu actions: reading
a file, writing one, exporting a picture and writing the recovery file run in
a worker thread and report back through signals. The contract methods
`open_workspace`, `save_workspace` and `export_image` are for scripts and
tests: they do the same work synchronously and return when it is done.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import shiboken6
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from micrograd_gui import assets, render
from micrograd_gui.document import Definition, Document, DocumentError
from micrograd_gui.export_python import python_script
from micrograd_gui.recovery import RecoveryFile, RecoveryInfo, discard_recovery, pending_recoveries, read_recovery
from micrograd_gui.workspace_file import (
    EXAMPLES,
    SUFFIX,
    Workspace,
    WorkspaceFileError,
    load_workspace,
    read_example,
    read_workspace,
    write_text,
    write_workspace,
)

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

APP_NAME = "micrograd-gui"
SETTINGS_ORGANIZATION = "micrograd-gui"
SETTINGS_APPLICATION = "micrograd-gui"


def app_settings() -> QSettings:
    """The app's QSettings (window layout, recent files), the one place naming them."""
    return QSettings(SETTINGS_ORGANIZATION, SETTINGS_APPLICATION)


RECENT_KEY = "files/recent"
MAX_RECENT = 8
RECOVERY_INTERVAL_MS = 30_000

# Export formats, by suffix, in the order the Export dialog lists them.
EXPORT_FORMATS = {
    ".png": "PNG picture",
    ".svg": "SVG picture",
    ".pdf": "PDF document",
    ".dot": "Graphviz DOT source",
    ".py": "Python script",
}
MIN_SCALE, MAX_SCALE = 0.25, 8.0

EXAMPLE_TITLES = {
    "lecture": "&Lecture: L = (a*b + c) * f",
    "neuron": "&Neuron: o = tanh(x1*w1 + x2*w2 + b)",
    "reuse": "&Reuse: b = a + a",
}


@dataclass(frozen=True)
class ExportOptions:
    """What to export: the file (its suffix picks the format), the direction, the value whose
    inputs alone are drawn (for .py: the value backward runs from), and the PNG scale."""

    path: str
    rankdir: str = "LR"
    root: str | None = None
    scale: float = 2.0


class ExportError(Exception):
    """An export that could not be done; the message is written for the user."""


def check_export_options(options: ExportOptions, names: set[str] | None = None) -> None:
    """ExportError unless the options make sense (a known suffix, a known root, a sane scale)."""
    suffix = Path(options.path).suffix.lower()
    if suffix not in EXPORT_FORMATS:
        known = " ".join(EXPORT_FORMATS)
        raise ExportError(f"cannot export to '{Path(options.path).name}': the name must end in one of {known}")
    if options.rankdir not in ("LR", "TB"):
        raise ExportError(f"the direction must be LR or TB, not {options.rankdir!r}")
    if names is not None and options.root is not None and options.root not in names:
        raise ExportError(f"there is no value named '{options.root}'")
    if not MIN_SCALE <= options.scale <= MAX_SCALE:
        raise ExportError(f"the PNG scale must be between {MIN_SCALE:g} and {MAX_SCALE:g}")


def export_snapshot(
    definitions: tuple[Definition, ...],
    grads: tuple[dict[str, float], str | None, bool],
    options: ExportOptions,
) -> None:
    """Export a snapshot of a document (its definitions and grad state); safe in a worker thread
    because it builds its own Document. Raises ExportError."""
    document = Document()
    try:
        document.replace_definitions(definitions, notify=False)
        document.set_grads(*grads)
        check_export_options(options, set(document.names))
        if Path(options.path).suffix.lower() == ".py":
            write_text(options.path, python_script(document, options.root))
            return
        render.export(document, options.path, rankdir=options.rankdir, root=options.root, scale=options.scale)
    except (DocumentError, WorkspaceFileError, render.RenderError) as error:
        raise ExportError(str(error)) from None


# ---- the Export dialog -------------------------------------------------------------

_W = TypeVar("_W", bound=QWidget)


def _named(widget: _W, object_name: str) -> _W:
    widget.setObjectName(object_name)
    return widget


class ExportDialog(QDialog):
    """Choose a file (its format follows the suffix), the direction, what to draw and the PNG scale."""

    def __init__(
        self,
        parent: QWidget | None,
        names: list[str],
        path: str,
        rankdir: str = "LR",
        scale: float = 2.0,
        default_root: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self._default_root = default_root

        self.path_edit = _named(QLineEdit(path), "exportPathEdit")
        self.browse_button = _named(QPushButton("Browse…"), "exportBrowseButton")
        self.format_combo = _named(QComboBox(), "exportFormatCombo")
        for suffix, title in EXPORT_FORMATS.items():
            self.format_combo.addItem(f"{title} ({suffix})", suffix)
        self.direction_combo = _named(QComboBox(), "exportDirectionCombo")
        self.direction_combo.addItem("Left to right", "LR")
        self.direction_combo.addItem("Top to bottom", "TB")
        self.direction_combo.setCurrentIndex(1 if rankdir == "TB" else 0)
        self.root_label = QLabel("&Draw:")
        self.root_combo = _named(QComboBox(), "exportRootCombo")
        self._names = list(names)
        self.scale_spin = _named(QDoubleSpinBox(), "exportScaleSpin")
        self.scale_spin.setRange(MIN_SCALE, MAX_SCALE)
        self.scale_spin.setSingleStep(0.5)
        self.scale_spin.setDecimals(2)
        self.scale_spin.setSuffix(" × 72 dpi")
        self.scale_spin.setValue(scale)
        self.error_label = _named(QLabel(), "exportErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {assets.ERROR_COLOUR.name()};")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportAcceptButton")

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, path_row)
        form.addRow("F&ormat:", self.format_combo)
        form.addRow("D&irection:", self.direction_combo)
        form.addRow(self.root_label, self.root_combo)
        form.addRow("PNG &scale:", self.scale_spin)
        self.root_label.setBuddy(self.root_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._on_format_chosen)
        self.path_edit.textChanged.connect(self._on_path_edited)
        self.browse_button.clicked.connect(self._browse)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_path_edited(path)
        self._fill_roots()
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def suffix(self) -> str:
        return str(self.format_combo.currentData())

    def _fill_roots(self) -> None:
        current = self.root_combo.currentData()
        self.root_combo.clear()
        if self.suffix() == ".py":
            self.root_label.setText("&Backward from:")
            default = self._default_root or (self._names[-1] if self._names else "")
            self.root_combo.addItem(f"The default ({default or 'none'})", None)
            for name in self._names:
                self.root_combo.addItem(name, name)
        else:
            self.root_label.setText("&Draw:")
            self.root_combo.addItem("The whole workspace", None)
            for name in self._names:
                self.root_combo.addItem(f"Only what feeds {name}", name)
        index = self.root_combo.findData(current)
        self.root_combo.setCurrentIndex(max(index, 0))

    def _on_format_chosen(self) -> None:
        suffix = self.suffix()
        path = self.path_edit.text().strip()
        if path and Path(path).suffix.lower() != suffix:
            stem = path[: -len(Path(path).suffix)] if Path(path).suffix else path
            self.path_edit.blockSignals(True)
            self.path_edit.setText(stem + suffix)
            self.path_edit.blockSignals(False)
        self.scale_spin.setEnabled(suffix == ".png")
        self.direction_combo.setEnabled(suffix != ".py")
        self._fill_roots()

    def _on_path_edited(self, text: str) -> None:
        index = self.format_combo.findData(Path(text.strip()).suffix.lower())
        if index >= 0 and index != self.format_combo.currentIndex():
            self.format_combo.setCurrentIndex(index)
        else:
            self.scale_spin.setEnabled(self.suffix() == ".png")
            self.direction_combo.setEnabled(self.suffix() != ".py")
        self.error_label.hide()

    def _browse(self) -> None:
        filters = ";;".join(f"{title} (*{suffix})" for suffix, title in EXPORT_FORMATS.items())
        chosen = f"{EXPORT_FORMATS[self.suffix()]} (*{self.suffix()})"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), filters, chosen)
        if path:
            self.path_edit.setText(path)

    def options(self) -> ExportOptions:
        """The options as chosen (the path gets the chosen format's suffix if it has none)."""
        path = self.path_edit.text().strip()
        if path and not Path(path).suffix:
            path += self.suffix()
        return ExportOptions(
            path=path,
            rankdir=str(self.direction_combo.currentData()),
            root=self.root_combo.currentData(),
            scale=self.scale_spin.value(),
        )

    def accept(self) -> None:
        options = self.options()
        problem = "choose a file to export to" if not options.path else None
        if problem is None:
            try:
                check_export_options(options)
            except ExportError as error:
                problem = str(error)
        if problem is not None:
            self.error_label.setText(problem[:1].upper() + problem[1:])
            self.error_label.show()
            return
        super().accept()


# ---- the File menu -------------------------------------------------------------------


class FileActions(QObject):
    """The File menu features of one window: the current file, its title, recent files,
    examples, saving, exporting, dropped files and the crash-recovery file.

    Signals (all on the UI thread): `opened(path)` (path is '' for an example or a
    recovery), `open_failed(message)`, `saved(path)`, `save_failed(message)`,
    `exported(path)`, `export_failed(message)`, `recovery_written(path)`.
    """

    opened = Signal(str)
    open_failed = Signal(str)
    saved = Signal(str)
    save_failed = Signal(str)
    exported = Signal(str)
    export_failed = Signal(str)
    recovery_written = Signal(str)
    _job_finished = Signal(int, object, object)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.path: str | None = None
        self.display_name = "untitled"
        self.recovery = RecoveryFile()
        self.recovery_interval_ms = RECOVERY_INTERVAL_MS
        self._generation = 0  # bumped each time the document is replaced (open, new, example)
        self._latest_request = 0  # bumped by each New, Open or Example: only the latest one goes ahead
        self._jobs: dict[int, Callable[[Any, BaseException | None], None]] = {}
        self._job_count = 0
        self._saving = False
        self._writing_recovery = False
        self._close_confirmed = False

        self._build_actions()
        self._build_menus()
        self.recovery_timer = QTimer(self)
        self.recovery_timer.setSingleShot(True)
        self._connect()
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._update_title()

    # ---- building ---------------------------------------------------------------------

    def _action(self, text: str, object_name: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(object_name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New", "actionNew", "Start an empty workspace")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.open_action = self._action("&Open…", "actionOpen", "Open a workspace file")
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.save_action = self._action("&Save", "actionSave", "Save the workspace")
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_as_action = self._action("Save &As…", "actionSaveAs", "Save the workspace under a new name")
        self.save_as_action.setShortcut(QKeySequence.StandardKey.SaveAs)
        self.export_action = self._action(
            "&Export…", "actionExport", "Export the graph as PNG, SVG, PDF or DOT, or the workspace as a Python script"
        )
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.clear_recent_action = self._action("&Clear the list", "actionClearRecent", "Forget the recent files")
        self.example_actions: dict[str, QAction] = {}
        for name in EXAMPLES:
            action = self._action(
                EXAMPLE_TITLES.get(name, name),
                f"actionExample{name.capitalize()}",
                f"Open a copy of the {name} example",
            )
            action.triggered.connect(lambda _checked=False, n=name: self.open_example(n))
            self.example_actions[name] = action

    def _build_menus(self) -> None:
        menu = self.window.file_menu
        before = self.window.quit_action  # the file items go above Quit
        self.recent_menu = QMenu("Open &Recent", self.window)
        self.recent_menu.setObjectName("recentMenu")
        self.examples_menu = QMenu("E&xamples", self.window)
        self.examples_menu.setObjectName("examplesMenu")
        self.examples_menu.addActions(list(self.example_actions.values()))
        for item in (
            self.new_action,
            self.open_action,
            self.recent_menu.menuAction(),
            self.examples_menu.menuAction(),
            None,
            self.save_action,
            self.save_as_action,
            self.export_action,
            None,
        ):
            if item is None:
                menu.insertSeparator(before)
            else:
                menu.insertAction(before, item)
        self._fill_recent_menu()

    def _connect(self) -> None:
        self.new_action.triggered.connect(self.new)
        self.open_action.triggered.connect(self.open)
        self.save_action.triggered.connect(self.save)
        self.save_as_action.triggered.connect(lambda: self.save_as())
        self.export_action.triggered.connect(self.export)
        self.clear_recent_action.triggered.connect(self.clear_recent)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.window.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.window.undo_stack.indexChanged.connect(self._on_index_changed)
        self.recovery_timer.timeout.connect(self.write_recovery)
        self._job_finished.connect(self._on_job_finished)

    # ---- worker threads ---------------------------------------------------------------

    def _start_job(self, name: str, work: Callable[[], Any], done: Callable[[Any, BaseException | None], None]) -> None:
        """Run `work` in a worker thread; `done(result, error)` runs on the UI thread afterwards."""
        self._job_count += 1
        job = self._job_count
        self._jobs[job] = done

        def run() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except Exception as caught:
                error = caught
            try:
                self._job_finished.emit(job, result, error)
            except RuntimeError:  # the window was deleted meanwhile: nobody is waiting
                pass

        threading.Thread(target=run, name=f"micrograd-gui-{name}", daemon=True).start()

    @Slot(int, object, object)
    def _on_job_finished(self, job: int, result: object, error: object) -> None:
        done = self._jobs.pop(job, None)
        if done is not None:
            done(result, error if isinstance(error, BaseException) else None)

    # ---- title -----------------------------------------------------------------------------

    def _update_title(self) -> None:
        self.window.setWindowTitle(f"{self.display_name}[*] — {APP_NAME}")
        self.window.setWindowModified(not self.window.undo_stack.isClean())

    def is_modified(self) -> bool:
        return not self.window.undo_stack.isClean()

    def _window_alive(self) -> bool:
        # The undo stack emits while the window is being destroyed: nothing to update then.
        return shiboken6.isValid(self.window) and shiboken6.isValid(self.window.undo_stack)

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        if not self._window_alive():
            return
        self.window.setWindowModified(not clean)
        if clean:
            self.recovery_timer.stop()
            if not self._writing_recovery:
                self.recovery.remove()
        else:
            self._schedule_recovery()

    @Slot(int)
    def _on_index_changed(self, _index: int) -> None:
        if self._window_alive() and self.is_modified():
            self._schedule_recovery()

    # ---- unsaved changes -------------------------------------------------------------------

    def _maybe_proceed(self, action: Callable[[], object]) -> None:
        """Run `action` (it replaces the work) once unsaved changes are saved or discarded; not on Cancel."""
        if not self.is_modified():
            action()
            return
        answer = self.window.ask_save_changes()
        if answer == "discard":
            action()
        elif answer == "save":
            self._save_then(action)

    def _save_then(self, action: Callable[[], object]) -> None:
        path = self.path or self._ask_save_path()
        if path:
            self._save_in_background(path, then=action)

    def ask_save_changes(self) -> str:
        """Save / Discard / Cancel for unsaved changes: 'save', 'discard' or 'cancel'."""
        box = QMessageBox(self.window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Unsaved changes")
        box.setText(f"Save the changes to {self.display_name}?")
        box.setInformativeText("Your changes will be lost if you don't save them.")
        box.setStandardButtons(
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
        )
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return "save"
        if answer == QMessageBox.StandardButton.Discard:
            return "discard"
        return "cancel"

    # ---- New and Open -----------------------------------------------------------------

    def new(self) -> None:
        """Start an empty untitled workspace (after asking about unsaved changes). It is a request to
        replace the work once the user goes ahead: Cancel leaves a file still loading to open, and a
        New that waits for a save gives way to anything asked for meanwhile."""
        asked = self._latest_request

        def replace() -> None:
            if self._latest_request == asked:
                self._new_request()
                self._replace_with_empty()

        self._maybe_proceed(replace)

    def _new_request(self) -> Callable[[], bool]:
        """Start a request to replace the work (New, Open, an example); the answer says whether it is
        still the latest, so that a file still loading when the user asks for something else is dropped
        instead of replacing what they asked for later."""
        self._latest_request += 1
        request = self._latest_request
        return lambda: request == self._latest_request

    def _replace_with_empty(self) -> None:
        self._adopt(Workspace(()), path=None, display_name="untitled")

    def open(self) -> None:
        """Ask for a workspace file and open it."""
        path = self.window.ask_open_path()
        if path:
            self.open_path(path)

    def ask_open_path(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open workspace", self._start_folder(), "Workspaces (*.json);;All files (*)"
        )
        return path or None

    def open_path(self, path: str) -> None:
        """Open a workspace file without blocking: read and validated in the background, then
        (after asking about unsaved changes) put in place. A bad file changes nothing."""
        path = os.path.abspath(path)
        name = os.path.basename(path)
        self.window.show_status(f"Opening {name}…")
        self._load_in_background(
            lambda: load_workspace(read_workspace(path), name),
            failed=lambda error: self._open_failed(path, error),
            install=lambda loaded: self._adopt_file(path, loaded),
        )

    def _load_in_background(
        self,
        load: Callable[[], tuple[Document, str | None]],
        failed: Callable[[BaseException], None],
        install: Callable[[tuple[Document, str | None]], None],
    ) -> None:
        """Open, as a request to replace the work: `load` runs on a worker thread; then, unless
        something else was asked for meanwhile, `failed(error)`, or `install(loaded)` once unsaved
        changes are dealt with."""
        latest = self._new_request()

        def done(loaded: Any, error: BaseException | None) -> None:
            if not latest():
                return
            if error is not None:
                failed(error)
                return
            self._maybe_proceed(lambda: install(loaded) if latest() else None)

        self._start_job("open", load, done)

    def open_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Open a workspace file now (blocking; no question about unsaved changes).
        True if opened; otherwise the reason is shown and the current work is untouched."""
        path = os.path.abspath(os.fspath(path))
        self._new_request()
        try:
            loaded = load_workspace(read_workspace(path), os.path.basename(path))
        except WorkspaceFileError as error:
            self._open_failed(path, error)
            return False
        self._adopt_file(path, loaded)
        return True

    def _adopt_file(self, path: str, loaded: tuple[Document, str | None]) -> None:
        self._install(loaded, path=path, display_name=os.path.basename(path))
        self._add_recent(path)

    def _adopt(
        self, workspace: Workspace, path: str | None, display_name: str, modified: bool = False, source: str = ""
    ) -> bool:
        """Put a workspace in the window (validated whole first), clear the undo history."""
        try:
            loaded = load_workspace(workspace, source or display_name)
        except WorkspaceFileError as error:
            self._report_open_failure(str(error))
            return False
        self._install(loaded, path, display_name, modified)
        return True

    def _install(
        self, loaded: tuple[Document, str | None], path: str | None, display_name: str, modified: bool = False
    ) -> None:
        """Put a document built by `load_workspace` in the window and clear the undo history."""
        document, note = loaded
        count = len(document)
        self.window.document.take_over(document)
        self._generation += 1
        self.window.undo_stack.clear()
        self.recovery_timer.stop()
        self.recovery.remove()
        self.path = path
        self.display_name = display_name
        if modified:
            self.window.undo_stack.resetClean()
        self._update_title()
        self.window.show_status(f"Opened {display_name} ({count} value{'s' if count != 1 else ''})")
        if note:
            self.window.show_error(note)
        self.opened.emit(path or "")

    def _open_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, WorkspaceFileError) else f"{os.path.basename(path)}: {error!r}"
        if not os.path.exists(path) and path in self.recent_files():
            self._remove_recent(path)
            message = f"{os.path.basename(path)} no longer exists; it was removed from Open Recent"
        self._report_open_failure(message)

    def _report_open_failure(self, message: str) -> None:
        self.window.show_error(message)
        self.open_failed.emit(message)

    def open_example(self, name: str) -> None:
        """Open an untitled copy of a shipped example (Save asks where to save it). Read and computed
        in the background, like a file, then (after asking about unsaved changes) put in place."""
        self._load_in_background(
            lambda: load_workspace(read_example(name), f"{name}.json"),
            failed=lambda error: self._report_open_failure(f"the {name} example could not be read: {error}"),
            install=lambda loaded: self._install(loaded, None, f"{name} (example)"),
        )

    # ---- Save ----------------------------------------------------------------------------

    def save(self) -> None:
        """Save to the current file (in the background), or ask where if it has none."""
        if self.path is None:
            self.save_as()
        else:
            self._save_in_background(self.path)

    def save_as(self, then: Callable[[], object] | None = None) -> None:
        """Ask for a file name and save there (in the background)."""
        path = self._ask_save_path()
        if path:
            self._save_in_background(path, then)

    def _ask_save_path(self) -> str | None:
        path = self.window.ask_save_path()
        if not path:
            return None
        if not Path(path).suffix:
            path += SUFFIX
        return os.path.abspath(path)

    def ask_save_path(self) -> str | None:
        suggested = self.path or os.path.join(self._start_folder(), self._suggested_file_name())
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save workspace", suggested, "Workspaces (*.json);;All files (*)"
        )
        return path or None

    def _suggested_file_name(self) -> str:
        stem = self.display_name.split(" ")[0]
        return (stem if stem and stem != "untitled" else "workspace") + SUFFIX

    def _save_in_background(self, path: str, then: Callable[[], object] | None = None) -> None:
        if self._saving:
            self.window.show_status("Still saving the previous version; try again in a moment")
            return
        document = self.window.document
        definitions, root = document.definitions, document.backward_root
        generation, index = self._generation, self.window.undo_stack.index()
        self._set_saving(True)
        self.window.show_status(f"Saving {os.path.basename(path)}…")

        def done(_result: Any, error: BaseException | None) -> None:
            self._set_saving(False)
            if error is not None:
                self._save_failed(path, error)
                return
            self._saved(path, generation, index)
            if then is not None:
                then()

        self._start_job("save", lambda: write_workspace(path, definitions, root), done)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        for action in (self.save_action, self.save_as_action):
            action.setEnabled(not saving)

    def save_workspace(self, path: str | os.PathLike[str]) -> bool:
        """Save the workspace to `path` now (blocking). True if saved; otherwise the reason is
        shown and any file already at `path` is left exactly as it was."""
        path = os.path.abspath(os.fspath(path))
        document = self.window.document
        try:
            write_workspace(path, document.definitions, document.backward_root)
        except WorkspaceFileError as error:
            self._save_failed(path, error)
            return False
        self._saved(path, self._generation, self.window.undo_stack.index())
        return True

    def _saved(self, path: str, generation: int, index: int) -> None:
        if generation == self._generation:
            self.path = path
            self.display_name = os.path.basename(path)
            if self.window.undo_stack.index() == index:
                self.window.undo_stack.setClean()
                self.recovery_timer.stop()
                self.recovery.remove()
            self._update_title()
        self._add_recent(path)
        self.window.show_status(f"Saved {os.path.basename(path)}")
        self.saved.emit(path)

    def _save_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, WorkspaceFileError) else f"could not save {path}: {error!r}"
        message = message[:1].upper() + message[1:]
        self.window.show_error(message)
        self.save_failed.emit(message)

    # ---- Export -------------------------------------------------------------------------

    def export(self) -> None:
        """Ask for the export options, then export in the background."""
        options = self.window.ask_export_options()
        if options is None:
            return
        self._remember_export(options)
        self.export_in_background(options)

    def export_in_background(self, options: ExportOptions) -> None:
        """Export without blocking; `exported(path)` or `export_failed(message)` follows."""
        document = self.window.document
        definitions, grads = document.definitions, document.grad_state()
        name = os.path.basename(options.path)
        self.window.show_status(f"Exporting {name}…")

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._export_failed(options.path, error)
                return
            self.window.show_status(f"Exported {name}")
            self.exported.emit(options.path)

        self._start_job("export", lambda: export_snapshot(definitions, grads, options), done)

    def export_image(
        self,
        path: str | os.PathLike[str],
        rankdir: str | None = None,
        root: str | None = None,
        scale: float = 2.0,
    ) -> bool:
        """Export now (blocking); the format comes from the suffix: .png .svg .pdf .dot .py.
        True if written; otherwise the reason is shown and nothing is written."""
        options = ExportOptions(os.fspath(path), rankdir or self.window.graph_view.rankdir(), root, scale)
        document = self.window.document
        try:
            export_snapshot(document.definitions, document.grad_state(), options)
        except ExportError as error:
            self._export_failed(options.path, error)
            return False
        self.window.show_status(f"Exported {os.path.basename(options.path)}")
        self.exported.emit(options.path)
        return True

    def _export_failed(self, path: str, error: BaseException) -> None:
        message = str(error) if isinstance(error, ExportError) else f"could not export {path}: {error!r}"
        message = message[:1].upper() + message[1:]
        self.window.show_error(message)
        self.export_failed.emit(message)

    def ask_export_options(self) -> ExportOptions | None:
        settings = app_settings()
        folder = str(settings.value("export/folder", "") or "") or self._start_folder()
        suffix = str(settings.value("export/suffix", ".png") or ".png")
        suffix = suffix if suffix in EXPORT_FORMATS else ".png"
        try:
            scale = float(settings.value("export/scale", 2.0))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            scale = 2.0
        stem = self._suggested_file_name()[: -len(SUFFIX)]
        dialog = ExportDialog(
            self.window,
            self.window.document.names,
            os.path.join(folder, stem + suffix),
            rankdir=self.window.graph_view.rankdir(),
            scale=min(max(scale, MIN_SCALE), MAX_SCALE),
            default_root=self.window.document.backward_root,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.options()

    def _remember_export(self, options: ExportOptions) -> None:
        settings = app_settings()
        settings.setValue("export/folder", os.path.dirname(os.path.abspath(options.path)))
        settings.setValue("export/suffix", Path(options.path).suffix.lower())
        settings.setValue("export/scale", options.scale)

    # ---- recent files --------------------------------------------------------------

    def recent_files(self) -> list[str]:
        """The recently opened or saved files, newest first (at most 8)."""
        value = app_settings().value(RECENT_KEY, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(p) for p in value if isinstance(p, str) and p][:MAX_RECENT]

    def _set_recent(self, paths: list[str]) -> None:
        app_settings().setValue(RECENT_KEY, paths[:MAX_RECENT])
        self._fill_recent_menu()

    def _add_recent(self, path: str) -> None:
        self._set_recent([path, *[p for p in self.recent_files() if p != path]])

    def _remove_recent(self, path: str) -> None:
        self._set_recent([p for p in self.recent_files() if p != path])

    def clear_recent(self) -> None:
        self._set_recent([])

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number} {os.path.basename(path)}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_recent(p))
        if recent:
            self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.clear_recent_action)
        self.clear_recent_action.setEnabled(bool(recent))
        self.recent_menu.menuAction().setEnabled(bool(recent))

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that no longer exists is removed from the list with a message."""
        if not os.path.isfile(path):
            self._remove_recent(path)
            self._report_open_failure(f"{os.path.basename(path)} no longer exists; it was removed from Open Recent")
            return
        self.open_path(path)

    def _start_folder(self) -> str:
        if self.path:
            return os.path.dirname(self.path)
        recent = self.recent_files()
        return os.path.dirname(recent[0]) if recent else os.path.expanduser("~")

    # ---- drops and closing ----------------------------------------------------------

    @staticmethod
    def _dropped_workspace(event: QDragEnterEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(SUFFIX):
                return url.toLocalFile()
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            kind = event.type()
            if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                assert isinstance(event, (QDragEnterEvent, QDropEvent))
                if self._dropped_workspace(event):
                    event.acceptProposedAction()
                    return True
            elif kind == QEvent.Type.Drop:
                assert isinstance(event, QDropEvent)
                path = self._dropped_workspace(event)
                if path:
                    event.acceptProposedAction()
                    self.open_path(path)
                    return True
            elif kind == QEvent.Type.Close:
                return self._on_close(event)
        return super().eventFilter(watched, event)

    def _on_close(self, event: QEvent) -> bool:
        """True (and the close ignored) to keep the window open."""
        if self._close_confirmed or not self.is_modified():
            self._close_cleanly()
            return False
        answer = self.window.ask_save_changes()
        if answer == "discard":
            self._close_cleanly()
            return False
        event.ignore()
        if answer == "save":
            self._save_then(self._close_after_save)
        return True

    def _close_after_save(self) -> None:
        self._close_confirmed = True
        self.window.close()

    def _close_cleanly(self) -> None:
        self.recovery_timer.stop()
        self.recovery.remove()

    # ---- crash recovery --------------------------------------------------------------

    def _schedule_recovery(self) -> None:
        if not self.recovery_timer.isActive():
            self.recovery_timer.start(self.recovery_interval_ms)

    @Slot()
    def write_recovery(self) -> None:
        """Write the recovery file in the background (the timer calls this while there are unsaved changes)."""
        if not self.is_modified():
            return
        if self._writing_recovery:
            self._schedule_recovery()
            return
        document = self.window.document
        definitions, root, original = document.definitions, document.backward_root, self.path
        self._writing_recovery = True

        def done(_result: Any, error: BaseException | None) -> None:
            self._writing_recovery = False
            if not self.is_modified():
                self.recovery.remove()
            elif error is not None:
                self.window.show_status(f"The recovery copy could not be written: {error}")
            else:
                self.recovery_written.emit(str(self.recovery.path))

        self._start_job("recovery", lambda: self.recovery.write(definitions, root, original), done)

    def offer_recovery(self) -> bool:
        """Offer to restore work left unsaved by a window that crashed; True if restored.
        The files declined are deleted; after a restore the others wait for the next start."""
        for info in pending_recoveries(self.recovery.directory):
            if not self.window.ask_restore_recovery(info):
                discard_recovery(info)
                continue
            try:
                workspace = read_recovery(info)
            except WorkspaceFileError as error:
                self.window.show_error(str(error))
                discard_recovery(info)
                continue
            name = os.path.basename(info.original_path) if info.original_path else "untitled"
            if self._adopt(workspace, info.original_path, name, modified=True, source="the recovered work"):
                self.window.show_status(f"Restored the unsaved work on {info.original_name}: save it to keep it")
                discard_recovery(info)
                self.write_recovery()
                return True
            discard_recovery(info)
        return False

    def ask_restore_recovery(self, info: RecoveryInfo) -> bool:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.saved_at))
        answer = QMessageBox.question(
            self.window,
            "Restore unsaved work?",
            f"micrograd-gui did not close normally. Unsaved work on {info.original_name} "
            f"({info.value_count} values, {when}) was kept.\n\nRestore it? (No deletes it.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

"""The Why this grad? tab: every path from the backward root down to a value, with its product."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import Value
from micrograd_gui.document import Change
from micrograd_gui.grad_paths import GradPaths, explain_grad
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.widgets.controls import compact_button, monospace

PATH_ROLE = Qt.ItemDataRole.UserRole  # an item's path, root first ([] for a summary line)
INLINE_VALUES = 5_000  # a workspace this small is explained at once; a bigger one on a worker thread
INTRO = "Select a value in the table or the picture, then press Why this grad?"


class GradPathsPanel(QWidget):
    """`explainGradButton`: for the value selected (`selected_name()`), every path from the root
    chosen in `backwardFrom` down to it, one line each in `gradPathsView` with the product of
    the local derivatives along it, then their sum, which is the grad. Too many to list (an
    MLP): the largest by magnitude, how many there are and what the rest add up to.
    `gradPathsTitle` says what is explained. Hovering a line (or making it current) emits
    `path_highlighted(names)`, root first, for the picture; [] clears it. `explained()` follows
    each explanation asked for.
    """

    path_highlighted = Signal(list)
    explained = Signal()

    def __init__(
        self,
        session: WorkspaceSession,
        root_choice: QComboBox,
        selected_name: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gradPathsPanel")
        self._session = session
        self._root_choice = root_choice
        self._selected_name = selected_name
        self._jobs = BackgroundJobs(self)
        self._generation = 0
        self._explained: tuple[Value, Value] | None = None  # the root and value the list describes
        self._result: GradPaths | None = None

        self.explain_button = compact_button(
            "Why this grad?",
            "explainGradButton",
            "List every path from the Backward value down to the selected value, with the product of the"
            " local derivatives along each: they add up to its grad",
        )
        self.title = QLabel(INTRO)
        self.title.setObjectName("gradPathsTitle")
        self.title.setProperty("role", "hint")
        self.title.setWordWrap(True)
        self.view = QListWidget()
        self.view.setObjectName("gradPathsView")
        self.view.setFont(monospace())
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setAccessibleName("Gradient paths")
        self.view.setStyleSheet("QListWidget#gradPathsView::item { padding: 1px 2px; }")  # room for _ below

        top = QHBoxLayout()
        top.addWidget(self.explain_button)
        top.addWidget(self.title, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self.explain_button.clicked.connect(lambda: self.explain())
        self.view.itemEntered.connect(self._on_item_hovered)
        self.view.currentItemChanged.connect(self._on_current_changed)
        self.view.viewport().installEventFilter(self)
        session.document.add_listener(self._on_document_changed)
        root_choice.currentTextChanged.connect(self._on_root_changed)
        session.workspace_replaced.connect(self._on_workspace_replaced)

    # ---- public -------------------------------------------------------------------

    @property
    def result(self) -> GradPaths | None:
        """The explanation shown (None before one, or once the workspace changed)."""
        return self._result

    def lines(self) -> list[str]:
        """The texts of `gradPathsView`, in order."""
        return [self.view.item(row).text() for row in range(self.view.count())]

    def explain(self, name: str | None = None) -> bool:
        """Explain `name`'s grad (default: the selected value); True if started."""
        document = self._session.document
        root = self._root_choice.currentText()
        target = name if name is not None else self._selected_name()
        if not root or root not in document:
            self._session.show_error("Nothing to explain: create a value and choose it in Backward")
            return False
        if not target or target not in document:
            self._session.show_error("Select a value in the table or the picture to explain its grad")
            return False
        self._generation += 1
        generation = self._generation
        root_value, target_value = document.value(root), document.value(target)
        self._explained = (root_value, target_value)
        self.title.setText(f"Why is {target}.grad what it is? Every path from {root} down to {target}:")
        self.explained.emit()
        if len(document) <= INLINE_VALUES:
            self._show(generation, explain_grad(root_value, target_value))
        else:
            self.view.clear()
            self.view.addItem(f"Following the paths from {root} to {target}…")
            self._jobs.start(
                "grad-paths",
                lambda: explain_grad(root_value, target_value),
                lambda result, error: self._show(generation, result, error),
            )
        return True

    # ---- showing ---------------------------------------------------------------------

    def _show(self, generation: int, result: GradPaths | None, error: BaseException | None = None) -> None:
        if generation != self._generation:
            return  # the workspace changed meanwhile, or a newer question was asked
        if error is not None or result is None:
            self._session.show_error(f"Why this grad? could not follow the paths: {error}")
            return
        self._result = result
        view = self.view
        view.clear()
        for path, text in zip(result.paths, result.path_lines()):
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, list(path.names))
            item.setToolTip(f"Hover to see this path in the picture; its product is {path.product!r}")
            view.addItem(item)
        bold = QFont(view.font())
        bold.setBold(True)
        document = self._session.document
        summary = result.summary_lines()
        shown = result.target in document and document.shown_grad(result.target)
        if result.count and (document.backward_root != result.root or document.grads_stale or shown != result.total):
            summary.append(f"(The table shows {result.target}.grad after Backward from {result.root}.)")
        for text in summary:
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, [])
            item.setFont(bold)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            view.addItem(item)
        count = result.count
        self._session.show_status(
            f"{result.target}.grad: {count:,} path{'s' if count != 1 else ''} from {result.root}"
            f", adding up to {result.total:.4f}"
        )
        self.path_highlighted.emit([])

    def _forget(self, why: str) -> None:
        self._generation += 1
        self._explained = None
        if self._result is not None or self.view.count():
            self._result = None
            self.view.clear()
            self.title.setText(f"{why}: press Why this grad? again.")
            self.path_highlighted.emit([])

    # ---- reacting --------------------------------------------------------------------

    def _on_item_hovered(self, item: QListWidgetItem) -> None:
        self.path_highlighted.emit(item.data(PATH_ROLE) or [])

    def _on_current_changed(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        self.path_highlighted.emit(current.data(PATH_ROLE) or [] if current is not None else [])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Leave:  # back to the chosen line's path, if any
            current = self.view.currentItem()
            self.path_highlighted.emit(current.data(PATH_ROLE) or [] if current is not None else [])
        return super().eventFilter(watched, event)

    def _on_document_changed(self, change: Change) -> None:
        explained = self._explained
        if explained is None:
            return
        document = self._session.document
        root, target = explained
        still = all(v.label in document and document.value(v.label) is v for v in (root, target))
        if not still or (change.structure and not change.appended):  # new values elsewhere change no path
            self._forget("The workspace changed")

    def _on_workspace_replaced(self) -> None:
        """New, Open or an example: nothing of the old explanation applies."""
        self._forget("")
        self.title.setText(INTRO)

    def _on_root_changed(self, root: str) -> None:
        if self._explained is not None and root != self._explained[0].label:
            self._forget(f"Backward is now from {root}")

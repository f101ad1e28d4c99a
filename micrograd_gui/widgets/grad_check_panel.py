"""The Gradient check tab: backward, then each leaf's grad against a central finite difference."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine import format_decimals
from micrograd_gui.commands import RunBackward
from micrograd_gui.document import Change, Definition, Document, DocumentError
from micrograd_gui.gradcheck import GradCheckCancelledError, LeafCheck, check_gradients, summary
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.controls import compact_button, monospace

AGREE_COLOUR = QColor("#2e7d32")
AGREE_FILL = QColor("#e8f5e9")
DISAGREE_COLOUR = QColor("#c62828")
DISAGREE_FILL = QColor("#fdecea")
FILLED_TEXT = QColor("#202020")
NOT_AVAILABLE_COLOUR = QColor("#757575")
INTRO = "Compares backward's grads with finite differences."
# Evaluations (leaves x values) a check may do on the UI thread: about 30 ms. Bigger ones run on a thread.
INLINE_CHECK_LIMIT = 10_000


class _Relay(QObject):
    """Carries a worker thread's results to the UI thread (queued signals)."""

    finished = Signal(int, object)
    failed = Signal(int, str)
    progressed = Signal(int, int, int)


class GradCheckPanel(QWidget):
    """`gradCheckButton`: backward from `backwardFrom` (one undoable RunBackward), then each
    leaf's grad against a central finite difference, shown in `gradCheckTable`
    (Leaf | Analytic | Numeric | Agreement) with a summary in `gradCheckStatus`
    and the status bar. Big workspaces are checked on a worker thread.
    Emits `check_finished(summary)`.
    """

    check_finished = Signal(str)

    def __init__(self, session: WorkspaceSession, root_choice: QComboBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradCheckPanel")
        self._session = session
        self._root_choice = root_choice
        self._generation = 0
        self._cancel: threading.Event | None = None
        self._checked: tuple[Definition, ...] | None = None  # the definitions the table describes
        self._checked_lens: object = None  # and the lens on their grads (the bug lab's), if any
        self._relay = _Relay(self)
        self._results: list[LeafCheck] = []

        self.check_button = compact_button(
            "Check gradients",
            "gradCheckButton",
            "Run backward, then compare each leaf's grad with a finite difference (f(x+h) - f(x-h)) / 2h",
        )
        self.status = QLabel(INTRO)
        self.status.setObjectName("gradCheckStatus")
        self.status.setProperty("role", "hint")
        self.status.setWordWrap(True)  # a narrow dock wraps the summary instead of widening the window
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("gradCheckTable")
        headers = [
            ("Leaf", "A leaf the value depends on"),
            ("Analytic", "The grad from backward"),
            ("Numeric", "(f(x+h) - f(x-h)) / 2h with h = 1e-5 * max(1, |x|)"),
            ("Agreement", "✓ when they agree to a relative error of 1e-4"),
        ]
        for column, (title, tip) in enumerate(headers):
            item = QTableWidgetItem(title)
            item.setToolTip(tip)
            numeric = column in (1, 2)  # headers line up with their cells: numbers to the right
            item.setTextAlignment(
                (Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft) | Qt.AlignmentFlag.AlignVCenter
            )
            self.table.setHorizontalHeaderItem(column, item)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)  # a stretched Agreement column strands its short text
        header.setMinimumSectionSize(self.table.fontMetrics().averageCharWidth() * 6 + 12)
        self.table.setMinimumHeight(3 * (self.table.fontMetrics().height() + 6) + 28)

        top = QHBoxLayout()
        top.addWidget(self.check_button)
        top.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self.check_button.clicked.connect(self.run_check)
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._relay.progressed.connect(self._on_progress)
        session.document.add_listener(self._on_document_changed)
        session.workspace_replaced.connect(self._on_workspace_replaced)
        self.destroyed.connect(self._cancel_running)
        self._update_button()

    def results(self) -> list[LeafCheck]:
        """The rows shown, one per leaf."""
        return list(self._results)

    def is_running(self) -> bool:
        return self._cancel is not None

    def run_check(self) -> bool:
        """Backward, then the finite-difference check (inline if small, else on a thread). True if started."""
        session, document = self._session, self._session.document
        root = self._root_choice.currentText()
        if not root or root not in document:
            session.show_error("Nothing to check: create a value and choose it in Backward")
            return False
        self._cancel_running()
        self._generation += 1
        generation = self._generation
        if not session.push(RunBackward, document, root):
            return False
        definitions = document.definitions
        # The grads shown: with the bug lab on, the lab's backward is the one checked.
        analytic = {name: _shown(document, name) for name in document.names}
        self._checked = definitions
        self._checked_lens = document.lens
        leaves = sum(1 for d in definitions if d.is_leaf)
        if leaves * len(definitions) <= INLINE_CHECK_LIMIT:
            try:
                results = check_gradients(definitions, root, analytic)
            except DocumentError as error:
                self._on_failed(generation, str(error))
                return False
            self._on_finished(generation, results)
            return True
        cancel = threading.Event()
        self._cancel = cancel
        self.status.setText(f"Checking {leaves} leaves…")
        self._set_out_of_date(True)
        self._update_button()
        relay = self._relay
        thread = threading.Thread(
            target=_check_in_background,
            args=(relay, generation, cancel, definitions, root, analytic),
            name="gradient-check",
            daemon=True,
        )
        thread.start()
        return True

    # ---- results ----------------------------------------------------------------------

    def _on_finished(self, generation: int, results: list[LeafCheck]) -> None:
        if generation != self._generation:
            return
        self._cancel = None
        self._results = list(results)
        self._fill_table(self._results)
        self._set_out_of_date(False)
        text = summary(self._results)
        self.status.setText(text)
        self._update_button()
        self._session.show_status(text)
        self.check_finished.emit(text)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._cancel = None
        self._update_button()
        self.status.setText("The check could not run")
        self._session.show_error(f"Gradient check: {message}")

    def _on_progress(self, generation: int, done: int, total: int) -> None:
        if generation == self._generation and self._cancel is not None:
            self.status.setText(f"Checking… {done} of {total} leaves")

    def _fill_table(self, results: Sequence[LeafCheck]) -> None:
        table = self.table
        table.setUpdatesEnabled(False)
        table.setRowCount(len(results))
        font = monospace()
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, result in enumerate(results):
            cells = [
                QTableWidgetItem(result.name),
                QTableWidgetItem(_format(result.analytic)),
                QTableWidgetItem("n/a" if result.numeric is None else _format(result.numeric)),
                QTableWidgetItem(_agreement(result)),
            ]
            for column, cell in enumerate(cells):
                if column:
                    cell.setFont(font)
                if column in (1, 2):
                    cell.setTextAlignment(right)
                table.setItem(row, column, cell)
            agreement = cells[3]
            if result.agrees is True:
                agreement.setForeground(QBrush(AGREE_COLOUR))
                agreement.setBackground(QBrush(AGREE_FILL))
                agreement.setToolTip("Backward and the finite difference agree")
            elif result.agrees is False:
                agreement.setForeground(QBrush(DISAGREE_COLOUR))
                for cell in cells:
                    cell.setBackground(QBrush(DISAGREE_FILL))
                    if cell is not agreement:  # dark text on the light fill, in the dark theme too
                        cell.setForeground(QBrush(FILLED_TEXT))
                agreement.setToolTip(
                    "They differ: a kink (relu at 0) or a wrong grad; relative error %.3g" % (result.error or 0.0)
                )
            else:
                agreement.setForeground(QBrush(NOT_AVAILABLE_COLOUR))
                agreement.setToolTip(result.note)
                cells[2].setToolTip(result.note)
        table.setUpdatesEnabled(True)

    def _set_out_of_date(self, out_of_date: bool) -> None:
        self.table.setEnabled(not out_of_date)

    def _update_button(self) -> None:
        root = self._root_choice.currentText()
        self.check_button.setEnabled(bool(root) and root in self._session.document and self._cancel is None)

    def _cancel_running(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _on_document_changed(self, change: Change) -> None:
        self._update_button()
        if self._checked is None:
            return
        document = self._session.document
        lens_changed = document.lens is not self._checked_lens  # the bug lab went on or off: other grads
        if lens_changed or document.definitions != self._checked:
            self._checked = None
            self._generation += 1
            self._cancel_running()
            self._update_button()
            self._set_out_of_date(True)
            if self._results:
                what = "the grads shown changed" if lens_changed else "the workspace changed"
                self.status.setText(f"Out of date: {what} since this check")
            else:
                self.status.setText("The workspace changed: check again")

    def _on_workspace_replaced(self) -> None:
        """New, Open or an example: a check of the old work says nothing about this one."""
        self._checked = None
        self._generation += 1
        self._cancel_running()
        self._results = []
        self.table.setRowCount(0)
        self._set_out_of_date(False)
        self.status.setText(INTRO)
        self._update_button()


def _check_in_background(
    relay: _Relay,
    generation: int,
    cancel: threading.Event,
    definitions: tuple[Definition, ...],
    root: str,
    analytic: dict[str, float],
) -> None:
    """The worker thread's job: only immutable definitions and a dict of floats cross over."""
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last > 0.1:
            last = now
            _emit(relay.progressed, generation, done, total)

    try:
        results = check_gradients(definitions, root, analytic, cancelled=cancel.is_set, progress=progress)
    except GradCheckCancelledError:
        return
    except DocumentError as error:
        _emit(relay.failed, generation, str(error))
        return
    if not cancel.is_set():
        _emit(relay.finished, generation, results)


def _emit(signal: SignalInstance, *args: object) -> None:
    try:
        signal.emit(*args)
    except RuntimeError:  # the panel is gone: nobody is waiting for the result
        pass


def _shown(document: Document, name: str) -> float:
    grad = document.shown_grad(name)
    return document.grad(name) if grad is None else grad


def _format(x: float) -> str:
    return format_decimals(x, 6) if abs(x) < 1e6 else "%.6e" % x


def _agreement(result: LeafCheck) -> str:
    if result.agrees is None:
        return "n/a"
    mark = "✓" if result.agrees else "✗"
    return f"{mark}  rel. error {result.error or 0.0:.1e}"

"""The Learn dock: step through backward one node at a time, and check gradients numerically.

`install_learning_tools(window)` adds the expression bar (a tool bar) and this
dock to a MainWindow; it is the one call the window makes.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QBrush, QColor, QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from micrograd_gui.commands import RunBackward
from micrograd_gui.document import Change, Definition, DocumentError
from micrograd_gui.gradcheck import GradCheckCancelledError, LeafCheck, check_gradients, summary
from micrograd_gui.stepper import BackwardStepper
from micrograd_gui.widgets.expression_bar import ExpressionBar

if TYPE_CHECKING:
    from micrograd_gui.widgets.main_window import MainWindow

AGREE_COLOUR = QColor("#2e7d32")
AGREE_FILL = QColor("#e8f5e9")
DISAGREE_COLOUR = QColor("#c62828")
DISAGREE_FILL = QColor("#fdecea")
NOT_AVAILABLE_COLOUR = QColor("#757575")
EXPLANATION_STYLE = (
    "QLabel#stepExplanation { background: #fbfbf8; color: #202020; padding: 6px 8px;"
    " border: 1px solid #dcdcd4; border-radius: 3px; }"
)
# Evaluations (leaves x values) a check may do on the UI thread: about 30 ms. Bigger ones run on a thread.
INLINE_CHECK_LIMIT = 10_000
DOCK_HEIGHT = 200  # the dock's first height: a step's explanation shows whole, the graph keeps the room
SPEEDS_MS = (2000, 1500, 1000, 700, 500, 350, 250, 150, 100, 50)  # slider position -> time per step


def monospace() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def backward_root(window: MainWindow) -> str:
    """The value the Backward group differentiates (`backwardFrom`)."""
    return window.backward_panel.backward_from.currentText()


def _button(text: str, object_name: str, tip: str, widest: str = "") -> QPushButton:
    """A push button that may shrink to its text (`widest`: the longest text it will show), not Qt's 80 px."""
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setToolTip(tip)
    button.setMinimumWidth(button.fontMetrics().horizontalAdvance(widest or text) + 18)
    return button


class StepThroughPanel(QWidget):
    """Walks the backward pass from `backwardFrom` one node at a time.

    Buttons `stepBackButton`, `stepBackwardButton` (Step), `stepPlayButton`
    (Play/Pause, speed `stepSpeed`) and `stepResetButton`; the chain-rule
    arithmetic of the current step shows in `stepExplanation`.

    The partial grads are shown with `Document.show_partial_grads`, so the
    table and the graph show them while the document keeps the last backward's
    grads for undo; stepping itself records no undo steps. The last step pushes
    `RunBackward`, which gives the same grads: the finished pass is one
    undoable "Backward from L". Reset (or Step back to the start) shows the
    grads from before the walk again. Any other change to the workspace ends
    the walk (the document then stops showing its partial grads by itself).
    Emits `step_shown(number)` after each step (0 when the walk is reset).
    """

    step_shown = Signal(int)

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepThroughPanel")
        self._window = window
        self._stepper: BackwardStepper | None = None
        self._recorded = False  # the finished pass is on the undo stack
        self._own_change = False
        self._notice = ""  # why the last walk ended, shown above the introduction

        self.back_button = _button("◀ Step back", "stepBackButton", "Undo the last step")
        self.step_button = _button("Step ▶", "stepBackwardButton", "Propagate the next node's grad to its operands")
        self.step_button.setProperty("role", "primary")
        self.play_button = _button("Play", "stepPlayButton", "Step automatically at the chosen speed", "Pause")
        self.play_button.setCheckable(True)
        self.reset_button = _button("Reset", "stepResetButton", "Forget the walk and put the grads back as they were")
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setObjectName("stepSpeed")
        self.speed.setRange(0, len(SPEEDS_MS) - 1)
        self.speed.setValue(4)
        self.speed.setMinimumWidth(60)
        self.speed.setMaximumWidth(110)
        self.speed.setToolTip("Playing speed: time per step")
        self.speed.setAccessibleName("Speed")
        self.speed_label = QLabel()
        self.speed_label.setObjectName("stepSpeedLabel")
        self.speed_label.setProperty("role", "hint")
        self.explanation = QLabel()
        self.explanation.setObjectName("stepExplanation")
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setFont(monospace())
        self.explanation.setStyleSheet(EXPLANATION_STYLE)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setAccessibleName("Step explanation")
        scroll = QScrollArea()
        scroll.setObjectName("stepExplanationScroll")
        scroll.setWidget(self.explanation)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        line = self.explanation.fontMetrics().lineSpacing()
        scroll.setMinimumHeight(4 * line + 16)  # a step's four lines; more scroll
        self.play_timer = QTimer(self)

        controls = QHBoxLayout()
        for button in (self.back_button, self.step_button, self.play_button, self.reset_button):
            controls.addWidget(button)
        controls.addSpacing(8)
        controls.addWidget(self.speed)
        controls.addWidget(self.speed_label)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(scroll, 1)

        self.step_button.clicked.connect(self.step)
        self.back_button.clicked.connect(self.step_back)
        self.reset_button.clicked.connect(self.reset)
        self.play_button.toggled.connect(self._on_play_toggled)
        self.speed.valueChanged.connect(self._on_speed_changed)
        self.play_timer.timeout.connect(self._on_tick)
        window.document.add_listener(self._on_document_changed)
        window.backward_panel.backward_from.currentTextChanged.connect(self._on_root_changed)
        self._on_speed_changed(self.speed.value())
        self._show_intro()
        self._update_buttons()

    # ---- public ------------------------------------------------------------------

    @property
    def stepper(self) -> BackwardStepper | None:
        return self._stepper

    def step(self) -> bool:
        """One step of the backward pass (starting a walk if none is going); True if it stepped."""
        if self._stepper is None and not self._start():
            return False
        stepper = self._stepper
        assert stepper is not None
        if stepper.done:
            return False
        step = stepper.step()
        if stepper.done:
            self._finish()
        else:
            self._publish()
        self._show()
        self.step_shown.emit(step.number)
        return True

    def step_back(self) -> bool:
        """Undo the last step; from the first step, back to before the walk. True if it moved."""
        stepper = self._stepper
        if stepper is None or stepper.position == 0:
            return False
        if stepper.position == 1:
            self.reset()
            return True
        stepper.step_back()
        self._publish()
        self._show()
        self.step_shown.emit(stepper.position)
        return True

    def reset(self) -> None:
        """End the walk; an unfinished one puts the grads back as they were before it."""
        self._forget()
        with self._own():
            self._window.document.clear_partial_grads()
        self.step_shown.emit(0)

    # ---- walking -------------------------------------------------------------------

    def _start(self) -> bool:
        document = self._window.document
        root = backward_root(self._window)
        if not root or root not in document:
            self._window.show_error("Nothing to step through: create a value and choose it in Backward")
            return False
        self._notice = ""
        self._stepper = BackwardStepper(document.value(root))
        self._recorded = False
        return True

    def _publish(self) -> None:
        stepper = self._stepper
        assert stepper is not None
        with self._own():
            self._window.document.show_partial_grads(stepper.grads_by_name())

    def _finish(self) -> None:
        """The walk is complete: record it as one backward (same grads) unless it already was."""
        stepper = self._stepper
        assert stepper is not None
        if self._recorded:  # stepped back and forward again: the recorded backward holds these grads
            with self._own():
                self._window.document.clear_partial_grads()
            return
        with self._own():
            self._recorded = self._window.push(RunBackward, self._window.document, stepper.root_name)
        if not self._recorded:
            self._publish()

    def _forget(self, message: str = "") -> None:
        self.play_button.setChecked(False)
        self._stepper = None
        self._recorded = False
        self._highlight(None, ())
        self._notice = message
        self._show_intro()
        self._update_buttons()

    @contextmanager
    def _own(self) -> Iterator[None]:
        """Changes made here: the listener must not take them for someone else's."""
        self._own_change = True
        try:
            yield
        finally:
            self._own_change = False

    def _abandon(self, message: str) -> None:
        """Someone else changed the workspace or the root: end the walk and its partial grads."""
        self._forget(message)
        with self._own():
            self._window.document.clear_partial_grads()

    # ---- showing -------------------------------------------------------------------

    def _show(self) -> None:
        stepper = self._stepper
        assert stepper is not None
        step = stepper.current
        if step is None:
            self._show_intro()
        else:
            text = step.explanation
            if stepper.done and not all(math.isfinite(g) for g in stepper.grads_by_name().values()):
                text += "\n\nDone, but a gradient overflows (it is not a finite number): Backward refuses this one."
            elif stepper.done:
                text += f"\n\nDone: every grad is d{stepper.root_name}/d(value), as Backward gives."
            self.explanation.setText(text)
            self._highlight(step.node, stepper.visited())
        self._update_buttons()

    def _show_intro(self) -> None:
        root = backward_root(self._window) or "L"
        lines = [self._notice] if self._notice else []
        lines += [
            f"Step walks backward from {root} one node at a time, in reverse topological order.",
            "Each step applies the chain rule at one node:",
            "    operand.grad += (d node / d operand) * node.grad",
        ]
        self.explanation.setText("\n".join(lines))

    def _highlight(self, active: str | None, visited: Sequence[str] | set[str]) -> None:
        self._window.graph_view.set_step_highlight(active, visited)

    def _update_buttons(self) -> None:
        document = self._window.document
        root = backward_root(self._window)
        can_start = bool(root) and root in document
        stepper = self._stepper
        done = stepper is not None and stepper.done
        self.step_button.setEnabled((can_start or stepper is not None) and not done)
        self.play_button.setEnabled((can_start or stepper is not None) and not done)
        self.back_button.setEnabled(stepper is not None and stepper.position > 0)
        self.reset_button.setEnabled(stepper is not None)
        if done and self.play_button.isChecked():
            self.play_button.setChecked(False)

    # ---- reacting --------------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        if self._own_change:
            return
        if self._stepper is not None:
            what = "The workspace changed" if change.structure else "Numbers or grads changed elsewhere"
            self._abandon(f"{what}, so the walk ended.")
        else:
            self._update_buttons()
            self._show_intro()

    def _on_root_changed(self, root: str) -> None:
        if self._stepper is not None and root != self._stepper.root_name:
            self._abandon(f"The walk ended: Backward is now from {root}.")
        else:
            self._update_buttons()
            if self._stepper is None:
                self._show_intro()

    def _on_play_toggled(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")
        if not playing:
            self.play_timer.stop()
            return
        if not self.step():
            self.play_button.setChecked(False)
            return
        if self._stepper is not None and not self._stepper.done:
            self.play_timer.start(SPEEDS_MS[self.speed.value()])

    def _on_tick(self) -> None:
        if not self.step() or self._stepper is None or self._stepper.done:
            self.play_button.setChecked(False)

    def _on_speed_changed(self, position: int) -> None:
        ms = SPEEDS_MS[position]
        self.speed_label.setText(f"{ms / 1000:g} s/step")
        if self.play_timer.isActive():
            self.play_timer.setInterval(ms)


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

    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradCheckPanel")
        self._window = window
        self._generation = 0
        self._cancel: threading.Event | None = None
        self._checked: tuple[Definition, ...] | None = None  # the definitions the table describes
        self._relay = _Relay(self)
        self._results: list[LeafCheck] = []

        self.check_button = _button(
            "Check gradients",
            "gradCheckButton",
            "Run backward, then compare each leaf's grad with a finite difference (f(x+h) - f(x-h)) / 2h",
        )
        self.status = QLabel("Compares backward's grads with finite differences.")
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
        window.document.add_listener(self._on_document_changed)
        self.destroyed.connect(self._cancel_running)
        self._update_button()

    def results(self) -> list[LeafCheck]:
        """The rows shown, one per leaf."""
        return list(self._results)

    def is_running(self) -> bool:
        return self._cancel is not None

    def run_check(self) -> bool:
        """Backward, then the finite-difference check (inline if small, else on a thread). True if started."""
        window, document = self._window, self._window.document
        root = backward_root(window)
        if not root or root not in document:
            window.show_error("Nothing to check: create a value and choose it in Backward")
            return False
        self._cancel_running()
        self._generation += 1
        generation = self._generation
        if not window.push(RunBackward, document, root):
            return False
        definitions = document.definitions
        analytic = {name: document.grad(name) for name in document.names}
        self._checked = definitions
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
        self._window.show_status(text)
        self.check_finished.emit(text)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._cancel = None
        self._update_button()
        self.status.setText("The check could not run")
        self._window.show_error(f"Gradient check: {message}")

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
        root = backward_root(self._window)
        self.check_button.setEnabled(bool(root) and root in self._window.document and self._cancel is None)

    def _cancel_running(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _on_document_changed(self, change: Change) -> None:
        self._update_button()
        if self._checked is None:
            return
        if self._window.document.definitions != self._checked:
            self._checked = None
            self._generation += 1
            self._cancel_running()
            self._update_button()
            self._set_out_of_date(True)
            if self._results:
                self.status.setText("Out of date: the workspace changed since this check")
            else:
                self.status.setText("The workspace changed: check again")


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


def _format(x: float) -> str:
    return "%.6f" % x if abs(x) < 1e6 else "%.6e" % x


def _agreement(result: LeafCheck) -> str:
    if result.agrees is None:
        return "n/a"
    mark = "✓" if result.agrees else "✗"
    return f"{mark}  rel. error {result.error or 0.0:.1e}"


class LearningDock(QDockWidget):
    """A compact dock (`learningDock`, titled Learn) with two tabs in `tabs` (`learningTabs`):
    Step through (`step_through`) and Gradient check (`grad_check`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Learn", window)
        self.setObjectName("learningDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.step_through = StepThroughPanel(window)
        self.grad_check = GradCheckPanel(window)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("learningTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.step_through, "Step through backward")
        self.tabs.addTab(self.grad_check, "Gradient check")
        self.tabs.setTabToolTip(0, "Walk the backward pass one node at a time, with the chain-rule arithmetic")
        self.tabs.setTabToolTip(1, "Compare backward's grads with finite differences")
        self.setWidget(self.tabs)

        # Whichever tool just acted shows its tab: a step or a check started elsewhere is seen.
        self.step_through.step_shown.connect(self._on_step_shown)
        self.grad_check.check_finished.connect(self._on_check_finished)

    def _on_step_shown(self, number: int) -> None:
        if number:
            self.tabs.setCurrentWidget(self.step_through)

    def _on_check_finished(self, summary: str) -> None:
        self.tabs.setCurrentWidget(self.grad_check)


def install_learning_tools(window: MainWindow) -> LearningDock:
    """Add the expression bar (beside the main tool bar) and the Learn dock (under the graph) to `window`."""
    expression_bar = ExpressionBar(window)
    tool_bar = QToolBar("Expression", window)
    tool_bar.setObjectName("expressionToolBar")
    tool_bar.setMovable(False)
    tool_bar.addWidget(expression_bar)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, tool_bar)
    dock = LearningDock(window)
    window.add_dock(dock, Qt.DockWidgetArea.BottomDockWidgetArea)  # under the graph and the table only
    window.centre_area.resizeDocks([dock], [DOCK_HEIGHT], Qt.Orientation.Vertical)  # compact: the graph keeps the room
    window.view_menu.addSeparator()
    window.view_menu.addAction(tool_bar.toggleViewAction())
    window.view_menu.addAction(dock.toggleViewAction())
    window.expression_bar = expression_bar  # type: ignore[attr-defined]
    window.learning_dock = dock  # type: ignore[attr-defined]
    return dock

"""The Step through tab: walk the backward pass one node at a time, with the chain rule written out."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSlider, QVBoxLayout, QWidget

from micrograd_gui.commands import RunBackward
from micrograd_gui.document import Change
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.stepper import BackwardStepper
from micrograd_gui.widgets.controls import compact_button, monospace

EXPLANATION_STYLE = (  # the palette's colours, so the dark theme gives a dark box
    "QLabel#stepExplanation { background: palette(base); color: palette(text); padding: 6px 8px;"
    " border: 1px solid palette(mid); border-radius: 3px; }"
)
SPEEDS_MS = (2000, 1500, 1000, 700, 500, 350, 250, 150, 100, 50)  # slider position -> time per step


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
    Emits `step_shown(number)` after each step (0 when the walk is reset), and
    `highlight_changed(active, visited)` with the node to highlight in the picture
    (None for none) and the names already visited.
    """

    step_shown = Signal(int)
    highlight_changed = Signal(object, list)

    def __init__(self, session: WorkspaceSession, root_choice: QComboBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepThroughPanel")
        self._session = session
        self._root_choice = root_choice
        self._stepper: BackwardStepper | None = None
        self._recorded = False  # the finished pass is on the undo stack
        self._own_change = False
        self._notice = ""  # why the last walk ended, shown above the introduction

        self.back_button = compact_button("◀ Step back", "stepBackButton", "Undo the last step")
        self.step_button = compact_button(
            "Step ▶", "stepBackwardButton", "Propagate the next node's grad to its operands"
        )
        self.step_button.setProperty("role", "primary")
        self.play_button = compact_button("Play", "stepPlayButton", "Step automatically at the chosen speed", "Pause")
        self.play_button.setCheckable(True)
        self.reset_button = compact_button(
            "Reset", "stepResetButton", "Forget the walk and put the grads back as they were"
        )
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
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the text is read, not a Tab stop
        line = self.explanation.fontMetrics().lineSpacing()
        scroll.setMinimumHeight(4 * line + 16)  # a step's four lines at the least; more scroll
        self._scroll = scroll
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
        session.document.add_listener(self._on_document_changed)
        root_choice.currentTextChanged.connect(self._on_root_changed)
        session.workspace_replaced.connect(self._on_workspace_replaced)
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
            self._session.document.clear_partial_grads()
        self.step_shown.emit(0)

    # ---- walking -------------------------------------------------------------------

    def _start(self) -> bool:
        document = self._session.document
        root = self._root_choice.currentText()
        if not root or root not in document:
            self._session.show_error("Nothing to step through: create a value and choose it in Backward")
            return False
        self._notice = ""
        self._stepper = BackwardStepper(document.value(root))
        self._recorded = False
        return True

    def _publish(self) -> None:
        stepper = self._stepper
        assert stepper is not None
        with self._own():
            self._session.document.show_partial_grads(stepper.grads_by_name())

    def _finish(self) -> None:
        """The walk is complete: record it as one backward (same grads) unless it already was."""
        stepper = self._stepper
        assert stepper is not None
        if self._recorded:  # stepped back and forward again: the recorded backward holds these grads
            with self._own():
                self._session.document.clear_partial_grads()
            return
        with self._own():
            self._recorded = self._session.push(RunBackward, self._session.document, stepper.root_name)
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
            self._session.document.clear_partial_grads()

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
            if stepper.done:  # a short panel still shows the closing line: scrolled to the end once laid out
                bar = self._scroll.verticalScrollBar()
                QTimer.singleShot(0, bar, lambda: bar.setValue(bar.maximum()))  # not once the bar is gone
            self._highlight(step.node, stepper.visited())
        self._update_buttons()

    def _show_intro(self) -> None:
        root = self._root_choice.currentText()
        lines = [self._notice] if self._notice else []
        if root:
            lines.append(f"Step walks backward from {root} one node at a time, in reverse topological order.")
        else:
            lines.append("Create values and choose one in Backward: Step walks backward from it")
            lines.append("one node at a time, in reverse topological order.")
        lines += [
            "Each step applies the chain rule at one node:",
            "    operand.grad += (d node / d operand) * node.grad",
        ]
        self.explanation.setText("\n".join(lines))

    def _highlight(self, active: str | None, visited: Sequence[str] | set[str]) -> None:
        self.highlight_changed.emit(active, list(visited))

    def _update_buttons(self) -> None:
        document = self._session.document
        root = self._root_choice.currentText()
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
            self._abandon(f"The walk ended: Backward is now from {root}." if root else "The walk ended.")
        else:
            self._update_buttons()
            if self._stepper is None:
                self._show_intro()

    def _on_workspace_replaced(self) -> None:
        """New, Open or an example: a walk of the old work, and what it said, are over."""
        if self._stepper is not None:
            self._abandon("")
        self._notice = ""
        self._show_intro()
        self._update_buttons()

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

"""The Predict tab: guess each grad of a backward pass before it is revealed."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from micrograd_gui.document import Change, DocumentError
from micrograd_gui.quiz import GradQuiz, Verdict
from micrograd_gui.session import WorkspaceSession, sentence
from micrograd_gui.widgets.controls import compact_button, monospace

FEEDBACK_STYLE = (  # the palette's colours, so the dark theme gives a dark box; the verdict colours its border
    "QLabel#quizFeedback { background: palette(base); color: palette(text); padding: 6px 8px;"
    " border: 1px solid palette(mid); border-radius: 3px; }"
    'QLabel#quizFeedback[verdict="right"] { border: 2px solid #43a047; }'
    'QLabel#quizFeedback[verdict="wrong"] { border: 2px solid #e53935; }'
)


class PredictPanel(QWidget):
    """Predict, then reveal: `quizModeButton` (checkable) hides every grad (the table and the
    picture show `?`) and walks backward from `backwardFrom` one value at a time. `quizPrompt`
    asks for the next value's grad, typed in `quizAnswerEdit`; Return checks it, `quizFeedback`
    says right or wrong with the chain-rule line, `quizScore` reads `3 of 4 right`.
    `quizRevealButton` shows an answer without a guess, `quizRestartButton` starts again.
    Turning the mode off shows every grad again. The quiz never changes the workspace: it is a
    lens on the document's grads (see grad_overlay.py), so nothing goes on the undo stack.

    Emits `mode_changed(on)` and `highlight_changed(asked, revealed)`: the value asked (None for
    none) and those revealed, for the picture.
    """

    mode_changed = Signal(bool)
    highlight_changed = Signal(object, list)

    def __init__(self, session: WorkspaceSession, root_choice: QComboBox, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("predictPanel")
        self._session = session
        self._root_choice = root_choice
        self._quiz: GradQuiz | None = None
        self._notice = ""

        self.mode_button = compact_button(
            "Predict mode", "quizModeButton", "Hide every grad, then guess each one before it is revealed"
        )
        self.mode_button.setCheckable(True)
        self.mode_button.setProperty("role", "primary")
        self.prompt = QLabel()
        self.prompt.setObjectName("quizPrompt")
        self.prompt.setWordWrap(True)
        self.answer_edit = QLineEdit()
        self.answer_edit.setObjectName("quizAnswerEdit")
        self.answer_edit.setPlaceholderText("grad, e.g. -2 or 0.5")
        self.answer_edit.setToolTip("Type the grad you predict and press Return")
        self.answer_edit.setAccessibleName("Predicted grad")
        self.answer_edit.setMaximumWidth(160)
        self.reveal_button = compact_button("Show answer", "quizRevealButton", "Reveal this grad (counts as a miss)")
        self.restart_button = compact_button("Start again", "quizRestartButton", "Hide every grad and start over")
        self.score = QLabel()
        self.score.setObjectName("quizScore")
        self.feedback = QLabel()
        self.feedback.setObjectName("quizFeedback")
        self.feedback.setTextFormat(Qt.TextFormat.PlainText)
        self.feedback.setFont(monospace())
        self.feedback.setStyleSheet(FEEDBACK_STYLE)
        self.feedback.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feedback.setAccessibleName("Answer feedback")
        scroll = QScrollArea()
        scroll.setObjectName("quizFeedbackScroll")
        scroll.setWidget(self.feedback)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the text is read, not a Tab stop
        scroll.setMinimumHeight(3 * self.feedback.fontMetrics().lineSpacing() + 16)

        top = QHBoxLayout()
        top.addWidget(self.mode_button)
        top.addWidget(self.prompt, 1)
        answer = QHBoxLayout()
        answer.addWidget(self.answer_edit)
        answer.addWidget(self.reveal_button)
        answer.addWidget(self.restart_button)
        answer.addSpacing(8)
        answer.addWidget(self.score)
        answer.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addLayout(answer)
        layout.addWidget(scroll, 1)

        self.mode_button.toggled.connect(self._on_mode_toggled)
        self.answer_edit.returnPressed.connect(self.check_answer)
        self.reveal_button.clicked.connect(self.reveal)
        self.restart_button.clicked.connect(self.restart)
        session.document.add_listener(self._on_document_changed)
        root_choice.currentTextChanged.connect(self._on_root_changed)
        session.workspace_replaced.connect(self._on_workspace_replaced)
        self._show()

    # ---- public ------------------------------------------------------------------

    @property
    def quiz(self) -> GradQuiz | None:
        """The quiz going on (None when the mode is off)."""
        return self._quiz

    def set_mode(self, on: bool) -> None:
        self.mode_button.setChecked(on)

    def check_answer(self) -> bool:
        """Check the typed answer to the question asked; True if it was taken (right or wrong)."""
        quiz = self._quiz
        if quiz is None:
            return False
        try:
            verdict = quiz.answer(self.answer_edit.text())
        except DocumentError as error:
            self._session.show_error(f"Answer not taken: {error}")
            self._set_feedback(f"{sentence(str(error))}: type a number, such as -2 or 0.5.", "")
            return False
        self.answer_edit.clear()
        self._revealed(verdict)
        return True

    def reveal(self) -> bool:
        """Reveal the current answer without a guess; True if there was one."""
        verdict = self._quiz.reveal() if self._quiz is not None else None
        if verdict is None:
            return False
        self._revealed(verdict)
        return True

    def restart(self) -> None:
        """Hide every grad again and ask from the first question."""
        if self._quiz is None:
            return
        self._quiz.restart()
        self._notice = ""
        self._set_feedback("", "")
        self._session.document.show_lens(self._quiz)
        self._show()

    # ---- the mode ------------------------------------------------------------------

    def _on_mode_toggled(self, on: bool) -> None:
        document = self._session.document
        if on:
            self._quiz = GradQuiz(self._root_choice.currentText())
            self._notice = ""
            self._set_feedback("", "")
            document.show_lens(self._quiz)
            self._session.show_status("Predict mode: every grad is hidden until you predict it")
            self.answer_edit.setFocus()
        else:
            quiz, self._quiz = self._quiz, None
            if quiz is not None and document.lens is quiz:
                document.show_lens(None)
            self._set_feedback("", "")
        self._show()
        self.mode_changed.emit(on)

    def _revealed(self, verdict: Verdict) -> None:
        assert self._quiz is not None
        self._notice = ""
        self._set_feedback(verdict.text, "right" if verdict.right else "wrong")
        self._session.document.show_lens(self._quiz)  # the answer shows in the table and the picture
        self._show()

    # ---- showing -------------------------------------------------------------------

    def _show(self) -> None:
        quiz = self._quiz
        asking = quiz is not None and quiz.current is not None
        self.answer_edit.setEnabled(asking)
        self.reveal_button.setEnabled(asking)
        self.restart_button.setEnabled(quiz is not None and bool(quiz.verdicts))
        self.score.setText(quiz.score_text() if quiz is not None and quiz.verdicts else "")
        if quiz is None:
            root = self._root_choice.currentText() or "the value chosen in Backward"
            self.prompt.setText(
                f"Predict mode hides every grad; you guess each one, from {root} down, before it is revealed."
            )
            self._emit_highlight(None, [])
            return
        question = quiz.current
        notice = f"{self._notice} " if self._notice else ""
        revealed = [v.question.name for v in quiz.verdicts]
        if quiz.problem:
            self.prompt.setText(notice + quiz.problem)
        elif question is None:
            self.prompt.setText(
                f"{notice}Done: every grad of {quiz.root} is revealed, {quiz.score_text()}."
                " Turn Predict mode off, or start again."
            )
        else:
            number = len(quiz.verdicts) + 1
            hint = f"It is used in {', '.join(question.uses)}." if question.uses else "Backward starts here."
            self.prompt.setText(
                f"{notice}Question {number} of {quiz.count}: what is {question.name}.grad,"
                f" d{quiz.root}/d{question.name}? {hint}"
            )
        self._emit_highlight(question.name if question is not None else None, revealed)

    def _set_feedback(self, text: str, verdict: str) -> None:
        self.feedback.setText(text or "Type your answer and press Return: right to 4 decimals counts.")
        if self.feedback.property("verdict") != verdict:
            self.feedback.setProperty("verdict", verdict)
            self.feedback.style().unpolish(self.feedback)
            self.feedback.style().polish(self.feedback)

    def _emit_highlight(self, asked: str | None, revealed: list[str]) -> None:
        self.highlight_changed.emit(asked, revealed)

    # ---- reacting --------------------------------------------------------------------

    def _on_document_changed(self, change: Change) -> None:
        quiz = self._quiz
        if quiz is None:
            return
        if self._session.document.lens is not quiz:  # another tool took the grads over
            self.mode_button.setChecked(False)
            return
        if quiz.restarted:  # the document asked the quiz, which found the values changed
            self._notice = "The workspace changed, so the quiz started again."
            self._set_feedback("", "")
        self._show()

    def _on_workspace_replaced(self) -> None:
        """New, Open or an example: the quiz (still on) starts on the new workspace."""
        if self._quiz is not None:
            self._notice = "A new workspace: the quiz starts on it." if len(self._session.document) else ""
            self._set_feedback("", "")
            self._show()

    def _on_root_changed(self, root: str) -> None:
        if self._quiz is not None and root != self._quiz.root:
            self._quiz = GradQuiz(root)
            self._notice = f"Now predicting the grads of {root}." if root else ""
            self._set_feedback("", "")
            self._session.document.show_lens(self._quiz)
        self._show()

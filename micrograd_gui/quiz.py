"""Predict, then reveal: guess each grad before backward shows it. Qt-free.

`GradQuiz` walks backward from a root one value at a time, in the order the
grads become final (reverse topological order: every value after all the
values that use it), the root first. Each question asks for one value's grad;
an answer within 4 decimals (or 1e-4 relative) is right. Right or wrong, the
answer is then revealed with the chain-rule line that gives it, built from the
engine's table of local derivatives (`engine.local_grads`, with the words from
`LOCAL_GRAD_FORMULAS`), the same table `backward()` uses.

As a `GradLens` (grad_overlay.py) the quiz hides every grad not yet revealed.
The document asks it for its overlay after each change: if the workspace's
values changed, the quiz starts again (`restarted` says so).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine import Value, format_decimals, local_grads, topological_order
from micrograd_gui.document import Document, DocumentError, parse_number
from micrograd_gui.grad_overlay import GradOverlay
from micrograd_gui.stepper import describe, format_grad, local_formulas

DECIMALS_TOLERANCE = 0.5e-4  # the answer rounds to the same 4 decimals
RELATIVE_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Question:
    """One value's grad to guess: the `answer`, the chain-rule `line` that gives it, and how each
    value using it is computed (`uses`), for the prompt."""

    name: str
    answer: float
    line: str
    uses: tuple[str, ...]  # how each user of the value computes it, `e = a * b`: the prompt's hint


@dataclass(frozen=True)
class Verdict:
    """How one answer went."""

    question: Question
    right: bool
    given: float | None  # None: the answer was revealed without a guess

    @property
    def text(self) -> str:
        q = self.question
        if self.given is None:
            return f"{q.name}.grad is {format_decimals(q.answer)}:\n{q.line}"
        if self.right:
            return f"Right: {q.name}.grad = {format_decimals(q.answer)}\n{q.line}"
        return (
            f"Not quite: you said {format_decimals(self.given)}, {q.name}.grad is {format_decimals(q.answer)}\n{q.line}"
        )


def is_right(given: float, answer: float) -> bool:
    """Right to 4 decimals, or within 1e-4 relative."""
    difference = abs(given - answer)
    return difference <= DECIMALS_TOLERANCE * (1 + 1e-9) or difference <= RELATIVE_TOLERANCE * abs(answer)


MAX_TERMS = 6  # a chain-rule line with more uses shows the first few and the sum
MAX_USES = 3  # uses named in a prompt's hint


class QuizWalk:
    """The values `root` depends on in the order they are asked, the root first, each after every value
    that uses it (reverse topological order), with their grads. A question, with its chain-rule line,
    is made only when asked: a big workspace costs one pass like backward's, not a line per value."""

    def __init__(self, root: Value, order: list[Value] | None = None) -> None:
        order = topological_order(root) if order is None else order
        self._index = index = {v: i for i, v in enumerate(order)}
        self.order = order
        self.names = [v.label or f"v{i}" for i, v in enumerate(order)]
        self.grads = grads = [0.0] * len(order)
        self.users: list[list[tuple[int, int]]] = [[] for _ in order]  # (user, operand slot), as backward adds
        grads[-1] = 1.0
        for i in reversed(range(len(order))):  # as backward() visits them
            v = order[i]
            operands = v._prev
            if not operands:
                continue
            for slot, (child, local) in enumerate(zip(operands, local_grads(v))):
                j = index[child]
                grads[j] += local * grads[i]  # the chain rule, as in Value.backward
                self.users[j].append((i, slot))

    def __len__(self) -> int:
        return len(self.order)

    def question(self, k: int) -> Question:
        """The k-th question (0 is the root's)."""
        i = len(self.order) - 1 - k
        name, grad = self.names[i], self.grads[i]
        if k == 0:
            return Question(name, grad, f"{name}.grad = 1   (d{name}/d{name} = 1: the chain rule starts here)", ())
        terms: list[tuple[str, float, float, str]] = []  # formula, local, upstream, user
        statements: dict[str, None] = {}  # how each user computes it, once each, in order
        for u, slot in self.users[i]:
            user = self.order[u]
            operands = self._operand_names(user)
            if len(terms) < MAX_TERMS + 1:
                formula = local_formulas(user, operands, self.names[u])[slot]
                terms.append((formula, local_grads(user)[slot], self.grads[u], self.names[u]))
            if len(statements) <= MAX_USES:
                statements.setdefault(describe(user, self.names[u], operands), None)
        uses = list(statements)
        if len(uses) > MAX_USES:
            uses = [*uses[:MAX_USES], f"{len(self.users[i]) - MAX_USES} more"]
        return Question(name, grad, _chain_line(name, terms, grad, len(self.users[i])), tuple(uses))

    def _operand_names(self, user: Value) -> list[str]:
        return [self.names[self._index[operand]] for operand in user._prev]


def build_questions(root: Value) -> list[Question]:
    """Every question of the walk from `root`, in order."""
    walk = QuizWalk(root)
    return [walk.question(k) for k in range(len(walk))]


def _chain_line(name: str, terms: list[tuple[str, float, float, str]], grad: float, count: int) -> str:
    """`a.grad = b.data * e.grad = (-3.0000) * (-2.0000) = 6.0000`, one term per use; of many uses,
    the first few and the sum."""
    if count > MAX_TERMS:
        terms = terms[:3]
    words = " + ".join(f"{f'({f})' if ' ' in f else f} * {user}.grad" for f, _, _, user in terms)
    numbers = " + ".join(f"{format_grad(local)} * {format_grad(up)}" for _, local, up, _ in terms)
    if count > MAX_TERMS:
        more = f" + … ({count - len(terms)} more uses)"
        return f"{name}.grad = {words}{more} = {numbers}{more} = {format_decimals(grad)}"
    return f"{name}.grad = {words} = {numbers} = {format_decimals(grad)}"


class GradQuiz:
    """The quiz from `root` over a document: `current` is the question asked (None when done),
    `verdicts` the answers so far. `restarted` is True when the last look at the document found
    its values changed and began again."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.walk: QuizWalk | None = None
        self.verdicts: list[Verdict] = []
        self.problem = ""  # why there is nothing to ask ('' when there is)
        self.restarted = False
        self._built_from: tuple[str, Value | None, tuple[str, ...]] | None = None
        self._asked: tuple[int, Question] | None = None  # the current question, made once

    # ---- as a lens ---------------------------------------------------------------------

    def grad_overlay(self, document: Document) -> GradOverlay:
        self.sync(document)
        revealed = {v.question.name: v.question.answer for v in self.verdicts}
        return GradOverlay(
            grads=revealed, hide_others=True, reason="hidden until you predict it (Learn panel, Predict)"
        )

    def sync(self, document: Document) -> bool:
        """Build the questions again if the workspace or the root changed; True if it did."""
        # A change of numbers or structure below the root makes a new root Value; a rename keeps it.
        root = document.value(self.root) if self.root in document else None
        order = topological_order(root) if root is not None else []
        key = (self.root, root, tuple(v.label for v in order))
        if self._built_from is not None and key[0] == self._built_from[0] and key[1] is self._built_from[1]:
            if key[2] == self._built_from[2]:
                self.restarted = False
                return False
        self.restarted = self._built_from is not None
        self._built_from = key
        self.verdicts = []
        self.walk = None
        self._asked = None
        self.problem = ""
        if root is None:
            self.problem = "Choose a value in Backward to start."
            return True
        walk = QuizWalk(root, order)
        if not all(math.isfinite(grad) for grad in walk.grads):
            self.problem = f"A gradient of {self.root} overflows (it is not a finite number): nothing to predict."
            return True
        self.walk = walk
        return True

    # ---- asking --------------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many questions there are: one per value the root depends on."""
        return len(self.walk) if self.walk is not None else 0

    @property
    def current(self) -> Question | None:
        position = len(self.verdicts)
        if self.walk is None or position >= len(self.walk):
            return None
        if self._asked is None or self._asked[0] != position:
            self._asked = (position, self.walk.question(position))
        return self._asked[1]

    @property
    def done(self) -> bool:
        return self.count > 0 and self.current is None

    @property
    def right(self) -> int:
        return sum(1 for v in self.verdicts if v.right)

    def score_text(self) -> str:
        """`3 of 4 right`."""
        return f"{self.right} of {len(self.verdicts)} right"

    def answer(self, text: str) -> Verdict:
        """Check a typed answer to the current question and reveal it; DocumentError (changing
        nothing) when the text is not a number or nothing is asked."""
        question = self.current
        if question is None:
            raise DocumentError("nothing is asked: the quiz is over" if self.count else self.problem)
        given = parse_number(text)
        verdict = Verdict(question, is_right(given, question.answer), given)
        self.verdicts.append(verdict)
        return verdict

    def reveal(self) -> Verdict | None:
        """Show the current answer without a guess (it counts as not right)."""
        question = self.current
        if question is None:
            return None
        verdict = Verdict(question, False, None)
        self.verdicts.append(verdict)
        return verdict

    def restart(self) -> None:
        self.verdicts = []

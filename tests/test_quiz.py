"""Predict, then reveal: the quiz's questions, answers and checks, and the document's lens for it."""

from __future__ import annotations

import pytest

from engine import Value, topological_order
from micrograd_gui.document import Change, Definition, Document, DocumentError, compute
from micrograd_gui.quiz import GradQuiz, build_questions, is_right
from tests.learning_graphs import REUSE, random_graph
from tests.workspaces import LECTURE, NEURON


def document_of(definitions) -> Document:
    document = Document()
    document.add_many(definitions)
    return document


@pytest.mark.parametrize("seed", range(30))
def test_answers_are_backwards_grads_asked_after_every_user(seed):
    """Every value the root depends on is asked once, the root first, each after all the values that use
    it, and its answer is the engine's grad."""
    values, root = random_graph(seed)
    questions = build_questions(root)
    root.backward()
    order = topological_order(root)
    assert [q.name for q in questions] == [v.label for v in reversed(order)]
    asked = {q.name: i for i, q in enumerate(questions)}
    for v in order:
        assert all(asked[user.label] < asked[v.label] for user in order if v in user._prev)
    assert {q.name: q.answer for q in questions} == {v.label: v.grad for v in order}


def test_the_chain_rule_lines_of_the_lecture_and_of_reuse():
    """Each answer comes with the line that gives it: one term per use of the value."""
    lecture = {q.name: q for q in build_questions(compute(LECTURE)["L"])}
    assert lecture["L"].line == "L.grad = 1   (dL/dL = 1: the chain rule starts here)"
    assert lecture["a"].line == "a.grad = b.data * e.grad = (-3.0000) * (-2.0000) = 6.0000"
    assert lecture["d"].line == "d.grad = f.data * L.grad = (-2.0000) * 1.0000 = -2.0000"
    assert lecture["a"].uses == ("e = a * b",)
    reuse = {q.name: q for q in build_questions(compute(REUSE)["b"])}
    assert reuse["a"].line == "a.grad = 1 * b.grad + 1 * b.grad = 1.0000 * 1.0000 + 1.0000 * 1.0000 = 2.0000"
    neuron = {q.name: q for q in build_questions(compute(NEURON)["o"])}
    assert neuron["n"].line == "n.grad = (1 - o.data**2) * o.grad = 0.5000 * 1.0000 = 0.5000"


@pytest.mark.parametrize(
    ("given", "answer", "right"),
    [
        (6.0, 6.0, True),
        (-0.6667, -2 / 3, True),  # to 4 decimals
        (-0.667, -2 / 3, False),
        (0.50006, 0.5, False),
        (0.0, 1e-8, True),
        (1000.05, 1000.0, True),  # within 1e-4 relative
        (1000.2, 1000.0, False),
        (-6.0, 6.0, False),
    ],
)
def test_an_answer_is_right_to_4_decimals_or_1e_4_relative(given, answer, right):
    """The check the issue asks for."""
    assert is_right(given, answer) is right


def test_the_lens_hides_every_grad_until_it_is_answered():
    """All grads show as hidden; each answer, right or wrong, reveals one; the score counts the right ones."""
    document = document_of(LECTURE)
    document.backward("L")
    quiz = GradQuiz("L")
    document.show_lens(quiz)
    assert all(document.shown_grad(name) is None for name in document.names)
    assert document.grad("a") == 6.0  # the grads themselves are untouched
    verdict = quiz.answer("1")
    assert verdict.right and verdict.text.startswith("Right: L.grad = 1.0000")
    assert quiz.current is not None and quiz.current.name == "f"
    wrong = quiz.answer("-2")
    assert not wrong.right and wrong.text.startswith("Not quite: you said -2.0000, f.grad is 4.0000")
    document.show_lens(quiz)
    assert document.shown_grad("L") == 1.0 and document.shown_grad("f") == 4.0
    assert document.shown_grad("a") is None
    assert quiz.score_text() == "1 of 2 right"
    revealed = quiz.reveal()
    assert revealed is not None and revealed.given is None and quiz.score_text() == "1 of 3 right"
    document.show_lens(None)
    assert document.shown_grad("a") == 6.0


def test_a_bad_answer_changes_nothing():
    """Text that is not a number is refused with the reason, and the question stays."""
    quiz = GradQuiz("L")
    quiz.sync(document_of(LECTURE))
    with pytest.raises(DocumentError, match="not a number"):
        quiz.answer("six")
    with pytest.raises(DocumentError, match="required"):
        quiz.answer("  ")
    assert quiz.verdicts == [] and quiz.current is not None and quiz.current.name == "L"


def test_the_quiz_ends_and_says_so():
    """After the last value, nothing is asked; answering then is refused."""
    quiz = GradQuiz("b")
    quiz.sync(document_of(REUSE))
    quiz.answer("1")
    quiz.answer("2")
    assert quiz.done and quiz.current is None and quiz.score_text() == "2 of 2 right"
    with pytest.raises(DocumentError, match="over"):
        quiz.answer("1")
    assert quiz.reveal() is None


def test_changed_values_restart_the_quiz_before_any_listener_hears():
    """A leaf edit makes the quiz start again, already when the listeners are told; a backward does not."""
    document = document_of(LECTURE)
    quiz = GradQuiz("L")
    document.show_lens(quiz)
    quiz.answer("1")
    document.show_lens(quiz)
    seen: list[tuple[bool, float | None]] = []

    def listener(change: Change) -> None:
        seen.append((quiz.restarted, document.shown_grad("L")))

    document.add_listener(listener)
    document.backward("L")  # grads only: the questions are the same
    assert seen[-1] == (False, 1.0) and len(quiz.verdicts) == 1
    document.set_leaf_data("f", 3.0)
    assert seen[-1] == (True, None) and quiz.verdicts == []
    assert quiz.current is not None and quiz.current.name == "L"
    document.rename("a", "alpha")
    assert seen[-1][0] is True and quiz.walk is not None and "alpha" in quiz.walk.names


def test_a_missing_root_or_an_overflow_leaves_nothing_to_ask():
    """No root: the problem says to choose one; an overflowing gradient is refused."""
    quiz = GradQuiz("")
    quiz.sync(document_of(LECTURE))
    assert quiz.current is None and not quiz.done and "Choose a value" in quiz.problem
    tiny = [
        Definition("tiny", data=1e-300),
        Definition("one", data=1.0),
        Definition("q", "/", ("one", "tiny")),
        Definition("w", "*", ("q", "tiny")),
    ]
    overflow = GradQuiz("w")
    overflow.sync(document_of(tiny))
    assert overflow.current is None and "overflows" in overflow.problem


def test_a_value_with_many_uses_gets_a_short_line():
    """A leaf used by many values: the line shows the first uses and the sum, the hint a few of them."""
    x = Value(0.5, label="x")
    total = x * 1.0
    total.label = "m0"
    for i in range(1, 10):
        product = x * float(i + 1)
        product.label = f"m{i}"
        total = total + product
        total.label = f"s{i}"
    total.backward()
    question = {q.name: q for q in build_questions(total)}["x"]
    assert question.answer == x.grad == 55.0
    assert question.line.count("…") == 2 and "(7 more uses)" in question.line
    assert question.line.endswith("= 55.0000")
    assert len(question.uses) == 4 and question.uses[-1] == "7 more"


def test_a_lens_shown_by_a_listener_waits_for_the_others_to_hear_of_the_change():
    """A listener that shows a lens while a change is being told makes no notice the later listeners
    hear before that change (they would read a document they do not know yet)."""
    document = document_of(LECTURE)
    heard: list[tuple[str, bool]] = []

    def first(change: Change) -> None:
        heard.append(("first", change.structure))
        if change.structure:
            document.show_lens(GradQuiz("L"))

    def second(change: Change) -> None:
        heard.append(("second", change.structure))

    document.add_listener(first)
    document.add_listener(second)
    document.add(Definition("z", data=1.0))
    assert heard == [("first", True), ("second", True), ("first", False), ("second", False)]
    assert document.shown_grad("a") is None

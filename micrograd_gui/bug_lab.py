"""The bug lab: backward with one classic mistake in it, beside the correct one. Qt-free.

Each `Bug` is the engine's `LOCAL_GRADS` table with one entry replaced, or the
chain-rule loop with one rule changed, the mistakes learners make when they
write micrograd themselves (and the lecture makes on purpose). `lab_backward`
runs that backward on its own copy of the grads; the engine and the document
stay correct. `BugLabLens` shows the result in the table and the picture,
marking the grads that differ from the correct ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from engine import LOCAL_GRADS, Value, topological_order
from engine.value import LocalGrad
from micrograd_gui.document import Document
from micrograd_gui.grad_overlay import GradOverlay

LocalGrads = Mapping[tuple[str, int], LocalGrad]
LAB_LIMIT = 10_000  # values in a workspace the lab runs on: at most about 50 ms a change, both backwards


def _replaced(op: tuple[str, int], grad: LocalGrad) -> LocalGrads:
    """LOCAL_GRADS with one entry replaced."""
    table = dict(LOCAL_GRADS)
    table[op] = grad
    return MappingProxyType(table)


@dataclass(frozen=True)
class Bug:
    """One mistake: its `title` (the combo's text), the lecture moment it recalls (`moment`),
    the local derivatives backward uses, and the rules of its loop."""

    key: str
    title: str
    moment: str
    local_grads: LocalGrads = field(default_factory=lambda: LOCAL_GRADS)
    accumulate: bool = True  # False: `operand.grad = ...` instead of `+=`
    chain: bool = True  # False: `operand.grad += local`, without `* out.grad`
    passes: int = 1  # 2: a second backward without zeroing the grads first
    ops: tuple[str, ...] = ()  # the ops whose local derivative is wrong ('' for a mistake in the loop)


NO_BUG = Bug("none", "No bug", "The correct backward: every grad is d root / d value.")

BUGS: tuple[Bug, ...] = (
    NO_BUG,
    Bug(
        "assign",
        "= instead of +=",
        "The lecture's first backward wrote `self.grad = 1.0 * out.grad`: with `b = a + a` it gave"
        " a.grad = 1, not 2. A value used more than once must add up the grad of every use, so the"
        " fix is `+=` (and the grads start at 0).",
        accumulate=False,
    ),
    Bug(
        "not_zeroed",
        "grads not zeroed between two backward passes",
        "In the lecture's training loop, forgetting `p.grad = 0.0` before `loss.backward()` adds each"
        " step's grads onto the last ones. Here two passes run over the same numbers, so every leaf's"
        " grad doubles; the values computed in between are made afresh by each forward pass.",
        passes=2,
    ),
    Bug(
        "tanh_input",
        "tanh's derivative from the input, not the output",
        "The lecture writes tanh's derivative as `1 - t**2`, with t = tanh(x), the output. Writing"
        " `1 - x**2`, with the input, is the slip: right only where x = 0.",
        local_grads=_replaced(("tanh", 1), lambda out, a: (1.0 - a.data**2,)),
        ops=("tanh",),
    ),
    Bug(
        "exp_input",
        "exp's derivative from the wrong value",
        "When the lecture breaks tanh into exp, the derivative of e**x is e**x itself:"
        " `self.grad += out.data * out.grad`. Using the input, `self.data * out.grad`, is the mistake.",
        local_grads=_replaced(("exp", 1), lambda out, a: (a.data,)),
        ops=("exp",),
    ),
    Bug(
        "mul_own",
        "* uses the operand's own data",
        "For `out = a * b` the lecture's rule is `a.grad += b.data * out.grad`: each operand gets the"
        " other's data. Giving each its own (`a.data * out.grad`) is right only when a = b.",
        local_grads=_replaced(("*", 2), lambda out, a, b: (a.data, b.data)),
        ops=("*",),
    ),
    Bug(
        "no_chain",
        "the local derivative without out.grad",
        "The lecture's chain rule, dL/dc = dL/dd * dd/dc: each node's local derivative is multiplied"
        " by the grad flowing in from above, `self.grad += local * out.grad`. Leaving out"
        " `* out.grad` keeps only the last step of each path.",
        chain=False,
    ),
)

BUGS_BY_KEY = {bug.key: bug for bug in BUGS}


def lab_backward(root: Value, bug: Bug) -> dict[Value, float]:
    """The grad of every Value `root` depends on, as backward with `bug` computes it.

    The same loop as `Value.backward()`: seed root.grad = 1, then visit the values in
    reverse topological order and pass each one's grad to its operands. The Values' own
    grads are never touched.
    """
    order = topological_order(root)
    grads = dict.fromkeys(order, 0.0)
    table = bug.local_grads
    # Each op result with its operands and its local derivative, looked up once, not once per pass.
    results = [(v, operands, table[(v._op, len(operands))]) for v in order if (operands := v._prev)]
    accumulate, chain = bug.accumulate, bug.chain
    for _ in range(bug.passes):
        for v, _operands, _local in results:  # a new forward pass makes the computed values afresh
            grads[v] = 0.0  # (the leaves keep their grads)
        grads[root] = 1.0
        for v, operands, local_grad in reversed(results):
            grad = grads[v] if chain else 1.0  # without the chain rule, the local derivative alone
            locals_ = local_grad(v, *operands)
            if accumulate:
                for child, local in zip(operands, locals_):
                    grads[child] += local * grad
            else:
                for child, local in zip(operands, locals_):
                    grads[child] = local * grad
    return grads


def differs(shown: float, correct: float) -> bool:
    """Whether a grad from the lab is not the correct one (rounding aside)."""
    if math.isnan(shown) or math.isnan(correct):
        return not (math.isnan(shown) and math.isnan(correct))
    return not math.isclose(shown, correct, rel_tol=1e-9, abs_tol=1e-12)


@dataclass(frozen=True)
class LabResult:
    """The lab's backward from `root` beside the correct one, by name."""

    root: str
    grads: dict[str, float]
    correct: dict[str, float]

    @property
    def wrong(self) -> list[str]:
        """The values whose grad the bug changes, in the order the grads are listed."""
        return [name for name, grad in self.grads.items() if differs(grad, self.correct[name])]


def run_lab(document: Document, root: str, bug: Bug) -> LabResult:
    """The bug's backward and the correct one from `root`, over every value of the document
    (0 for the values root does not depend on, as Backward gives them)."""
    value = document.value(root)
    buggy = lab_backward(value, bug)
    grads = dict.fromkeys(document.names, 0.0)
    for v, grad in buggy.items():
        grads[v.label] = grad
    if document.backward_root == root and not document.grads_stale and not document.showing_partial_grads:
        right = {name: document.grad(name) for name in grads}  # Backward's own: the usual case, nothing to do
    else:
        right = dict.fromkeys(grads, 0.0)
        for v, grad in lab_backward(value, NO_BUG).items():  # backward's grads, bit for bit
            right[v.label] = grad
    return LabResult(root, grads, right)


class BugLabLens:
    """Shows backward from `root` with `bug` in the table and the picture (see grad_overlay.py),
    marking each grad that differs from the correct one. `result` is the last one shown; None
    when there is no root, or the workspace has more than LAB_LIMIT values (`too_big`): the lab
    runs again after every change, on the UI thread, so it stays small."""

    def __init__(self, bug: Bug, root: str) -> None:
        self.bug = bug
        self.root = root
        self.result: LabResult | None = None
        self.too_big = False

    def grad_overlay(self, document: Document) -> GradOverlay | None:
        self.too_big = len(document) > LAB_LIMIT
        if self.root not in document or self.too_big:
            self.result = None
            return None
        self.result = result = run_lab(document, self.root, self.bug)
        expected = {name: result.correct[name] for name in result.wrong}
        return GradOverlay(grads=result.grads, expected=expected, reason=f"backward with the bug “{self.bug.title}”")

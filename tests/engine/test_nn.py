"""engine.nn against micrograd.nn 0.1.0 (same seed: same parameters, outputs, grads) and the lecture's nets."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import micrograd.engine
import micrograd.nn
import pytest

from engine import Value, nn

ROWS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
TARGETS = [1.0, -1.0, -1.0, 1.0]

# (what to build, given the module nn or micrograd.nn), each built under the same seed by both
SHAPES: list[tuple[str, Callable[[Any], Any]]] = [
    ("Neuron(3)", lambda m: m.Neuron(3)),
    ("Neuron(3, nonlin=False)", lambda m: m.Neuron(3, nonlin=False)),
    ("Layer(3, 4)", lambda m: m.Layer(3, 4)),
    ("Layer(3, 1, nonlin=False)", lambda m: m.Layer(3, 1, nonlin=False)),
    ("MLP(3, [4, 4, 1])", lambda m: m.MLP(3, [4, 4, 1])),
    ("MLP(3, [16, 16, 1])", lambda m: m.MLP(3, [16, 16, 1])),
    ("MLP(3, [2])", lambda m: m.MLP(3, [2])),
]


def build_both(make: Callable[[Any], Any], seed: int) -> tuple[Any, Any]:
    random.seed(seed)
    ours = make(nn)
    ours_state = random.getstate()
    random.seed(seed)
    theirs = make(micrograd.nn)
    assert random.getstate() == ours_state, "a different number of random draws"
    return ours, theirs


def outputs(out: Any) -> list[Any]:
    return out if isinstance(out, list) else [out]


def squared_error(module: Any, rows: Sequence[Sequence[float]]) -> Any:
    """The lecture's loss: the sum over the rows of (output - target) squared, over every output."""
    loss: Any = 0.0
    for row, target in zip(rows, TARGETS):
        for out in outputs(module(row)):
            loss = loss + (out - target) ** 2
    return loss


@pytest.mark.parametrize("shape", SHAPES, ids=[name for name, _ in SHAPES])
@pytest.mark.parametrize("seed", [0, 1337, 2026])
def test_same_parameters_outputs_and_grads_as_micrograd(shape: tuple[str, Callable[[Any], Any]], seed: int) -> None:
    """Under one seed, engine.nn and micrograd.nn draw the same parameters, compute the same outputs
    on each row, and backward through the squared error gives the same grads."""
    ours, theirs = build_both(shape[1], seed)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert all(isinstance(p, Value) for p in ours.parameters())
    for row in ROWS:
        assert [o.data for o in outputs(ours(row))] == [o.data for o in outputs(theirs(row))]
    loss, their_loss = squared_error(ours, ROWS), squared_error(theirs, ROWS)
    assert loss.data == their_loss.data
    loss.backward()
    their_loss.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):  # the grads add up in another order: the last bits differ
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("shape", SHAPES, ids=[name for name, _ in SHAPES])
def test_repr_is_micrograds(shape: tuple[str, Callable[[Any], Any]]) -> None:
    """repr reads exactly as micrograd's: 'MLP of [Layer of [ReLUNeuron(3), ...], ...]'."""
    ours, theirs = build_both(shape[1], 7)
    assert repr(ours) == repr(theirs)


def test_bias_starts_at_zero_and_parameters_are_weights_then_bias() -> None:
    """micrograd's neuron: weights drawn in [-1, 1], a bias of 0, parameters() lists w then b."""
    random.seed(3)
    n = nn.Neuron(4)
    assert n.b.data == 0.0
    assert n.parameters() == [*n.w, n.b]
    assert all(-1.0 <= w.data <= 1.0 for w in n.w)


def test_zero_grad_sets_every_parameter_grad_to_zero() -> None:
    """zero_grad() clears the grads backward left on the parameters, as before the lecture's update step."""
    random.seed(5)
    net = nn.MLP(3, [4, 4, 1])
    squared_error(net, ROWS).backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())
    assert nn.Module().parameters() == []


def test_a_one_neuron_layer_can_feed_the_next_layer() -> None:
    """MLP(2, [1, 3]): the single output of the first layer is the next layer's one input."""
    random.seed(9)
    net = nn.MLP(2, [1, 3])
    out = net([0.5, -2.0])
    assert isinstance(out, list) and len(out) == 3


# ---- the lecture's variant ------------------------------------------------------------------------


class LectureNeuron:
    """The lecture's code, as typed in the video (with its Values): tanh, a random bias."""

    def __init__(self, nin: int) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x: Sequence[Any]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class LectureLayer:
    def __init__(self, nin: int, nout: int) -> None:
        self.neurons = [LectureNeuron(nin) for _ in range(nout)]

    def __call__(self, x: Sequence[Any]) -> Any:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]


class LectureMLP:
    def __init__(self, nin: int, nouts: list[int]) -> None:
        sz = [nin] + nouts
        self.layers = [LectureLayer(sz[i], sz[i + 1]) for i in range(len(nouts))]

    def __call__(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]


def test_lecture_mlp_is_the_lectures_code() -> None:
    """MLP(3, [4, 4, 1], lecture=True) draws, computes and differentiates as the lecture's own MLP."""
    random.seed(42)
    ours = nn.MLP(3, [4, 4, 1], lecture=True)
    random.seed(42)
    theirs = LectureMLP(3, [4, 4, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert len(ours.parameters()) == 41
    loss, their_loss = squared_error(ours, ROWS), squared_error(theirs, ROWS)
    assert loss.data == their_loss.data
    loss.backward()
    their_loss.backward()
    assert [p.grad for p in ours.parameters()] == [p.grad for p in theirs.parameters()]
    assert repr(ours) == "MLP of [Layer of [TanhNeuron(3), TanhNeuron(3), TanhNeuron(3), TanhNeuron(3)], " + (
        "Layer of [TanhNeuron(4), TanhNeuron(4), TanhNeuron(4), TanhNeuron(4)], Layer of [TanhNeuron(4)]]"
    )


def test_lecture_neuron_and_layer() -> None:
    """The keyword reaches Neuron and, through Layer's keywords, every neuron of a layer."""
    random.seed(1)
    neuron = nn.Neuron(2, lecture=True)
    random.seed(1)
    theirs = LectureNeuron(2)
    assert neuron.b.data == theirs.b.data != 0.0
    assert neuron([1.0, -2.0]).data == theirs([1.0, -2.0]).data
    layer = nn.Layer(2, 3, lecture=True)
    assert all(n.lecture and n.b.data != 0.0 for n in layer.neurons)


def test_micrograd_values_are_not_ours() -> None:
    """The oracle is an independent engine: its Values are micrograd's own class."""
    random.seed(0)
    assert not isinstance(micrograd.nn.Neuron(2).w[0], Value)
    assert isinstance(micrograd.nn.Neuron(2).w[0], micrograd.engine.Value)

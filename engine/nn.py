"""Neurons, layers and MLPs of Values: micrograd's `nn.py`, with the same names, signatures and random
draws (the weights of each neuron in turn, `random.uniform(-1, 1)`), so that under the same `random.seed`
the parameters, outputs and grads are micrograd's.

The lecture builds its nets a little differently: every neuron, the last layer's too, is a tanh, and
its bias is drawn at random right after its weights. `lecture=True` (on `Neuron`, `Layer` and `MLP`)
builds those: `MLP(3, [4, 4, 1], lecture=True)` is the lecture's `MLP(3, [4, 4, 1])`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import cast

from engine.value import Value

Input = Value | float


class Module:
    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    def __init__(self, nin: int, nonlin: bool = True, lecture: bool = False) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1) if lecture else 0)
        self.nonlin = nonlin
        self.lecture = lecture

    def __call__(self, x: Sequence[Input]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        if not self.nonlin:
            return act
        return act.tanh() if self.lecture else act.relu()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = ("Tanh" if self.lecture else "ReLU") if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    def __init__(self, nin: int, nouts: Sequence[int], lecture: bool = False) -> None:
        sz = [nin, *nouts]
        self.layers = [
            Layer(sz[i], sz[i + 1], nonlin=lecture or i != len(nouts) - 1, lecture=lecture) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        out: Value | Sequence[Input] = x
        for layer in self.layers:
            out = layer([out] if isinstance(out, Value) else out)  # so a one-neuron layer can feed another
        return cast("Value | list[Value]", out)

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"

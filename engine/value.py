"""A scalar value that remembers how it was computed, and backpropagates.

Shaped like micrograd's engine (Karpathy's lecture): each op coerces its
operand, computes `out`, and records its operands in `_prev` and its symbol
in `_op`. Two mechanisms differ, each changed once, here, rather than per op:

* The local derivative of every op is a small function in one table,
  `LOCAL_GRADS`, and `backward()` applies the chain rule in one loop. There is
  no `_backward` closure per node, so a node is not a reference cycle (building
  and freeing big graphs stays fast) and a step-through view can show exactly
  the derivative the maths uses.
* The topological sort is iterative, so a graph a million operations deep
  works with the default recursion limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Number = int | float


def format_number(x: float) -> str:
    """The shortest text for a constant's label: 2.0 -> '2', 0.5 -> '0.5'."""
    if x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _finite(x: float, what: str) -> float:
    if not math.isfinite(x):
        raise OverflowError(f"{what} overflows: the result is too large for a float")
    return x


class Value:
    """One scalar in a computation graph: its data, its grad and where it came from."""

    __slots__ = ("data", "grad", "_prev", "_op", "label", "_arg", "__weakref__")

    def __init__(self, data: Number, _children: tuple[Value, ...] = (), _op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_children)  # ordered; `a + a` keeps both entries
        self._op = _op
        self.label = label
        self._arg: float | None = None  # the exponent of a `**` node

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}data={self.data:.4f}, grad={self.grad:.4f})"

    # ---- binary ops -------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        other = _coerce(other)
        out = Value(_finite(self.data + other.data, "addition"), (self, other), "+")
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = _coerce(other)
        out = Value(_finite(self.data * other.data, "multiplication"), (self, other), "*")
        return out

    def __sub__(self, other: Value | Number) -> Value:  # self - other, one node
        other = _coerce(other)
        out = Value(_finite(self.data - other.data, "subtraction"), (self, other), "-")
        return out

    def __truediv__(self, other: Value | Number) -> Value:  # self / other, one node
        other = _coerce(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: the denominator {_name(other)} is 0")
        out = Value(_finite(self.data / other.data, "division"), (self, other), "/")
        return out

    def __pow__(self, other: Number) -> Value:
        if isinstance(other, Value) or not isinstance(other, (int, float)):
            raise TypeError("the exponent of ** must be a number (int or float)")
        n = float(other)
        out = Value(_power(self.data, n, _name(self)), (self,), "**")
        out._arg = n
        return out

    # ---- unary ops --------------------------------------------------------

    def __neg__(self) -> Value:  # -self, one node
        return Value(-self.data, (self,), "-")

    def tanh(self) -> Value:
        return Value(math.tanh(self.data), (self,), "tanh")

    def exp(self) -> Value:
        try:
            data = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data:g}) overflows: the result is too large for a float") from None
        return Value(data, (self,), "exp")

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive number: {_name(self)} is {self.data:g}")
        return Value(math.log(self.data), (self,), "log")

    def relu(self) -> Value:
        return Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    # ---- numbers on the left ----------------------------------------------

    def __radd__(self, other: Number) -> Value:  # other + self
        return _coerce(other) + self

    def __rmul__(self, other: Number) -> Value:  # other * self
        return _coerce(other) * self

    def __rsub__(self, other: Number) -> Value:  # other - self
        return _coerce(other) - self

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        return _coerce(other) / self

    # ---- backpropagation --------------------------------------------------

    def backward(self) -> None:
        """Fill `grad` of every Value this one depends on, with d self / d value.

        Unlike micrograd, grads are set, not accumulated across calls: every
        grad in the graph is reset to 0 first, so calling backward() twice
        gives the same grads as calling it once.
        """
        topo = topological_order(self)
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            if v._prev:
                for child, local in zip(v._prev, local_grads(v)):
                    child.grad += local * v.grad  # the chain rule


def _coerce(x: Value | Number) -> Value:
    """A number mixed into an op becomes a constant leaf labelled with the number."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"cannot combine a Value with {type(x).__name__}")
    return Value(x, label=format_number(float(x)))


def _name(v: Value) -> str:
    return v.label or format_number(v.data)


def _power(base: float, n: float, name: str) -> float:
    if base < 0 and n != int(n):
        raise ValueError(f"a negative base ({name} = {base:g}) with a fractional exponent ({n:g}) is not a real number")
    if base == 0 and n < 0:
        raise ZeroDivisionError(f"division by zero: {name} is 0 and the exponent {n:g} is negative")
    try:
        return _finite(base**n, "**")
    except OverflowError:
        raise OverflowError(f"{base:g} ** {n:g} overflows: the result is too large for a float") from None


# The local derivative of each op: d out / d operand, one entry per operand, in
# the order of `_prev`. `x` are the operands' data, `out` the node itself.
LocalGrad = Callable[["Value", "list[float]"], "tuple[float, ...]"]

LOCAL_GRADS: dict[tuple[str, int], LocalGrad] = {
    ("+", 2): lambda out, x: (1.0, 1.0),
    ("-", 2): lambda out, x: (1.0, -1.0),
    ("*", 2): lambda out, x: (x[1], x[0]),
    ("/", 2): lambda out, x: (1.0 / x[1], -x[0] / (x[1] * x[1])),
    ("-", 1): lambda out, x: (-1.0,),
    ("**", 1): lambda out, x: (_pow_grad(x[0], out._arg or 0.0),),
    ("tanh", 1): lambda out, x: (1.0 - out.data * out.data,),
    ("exp", 1): lambda out, x: (out.data,),
    ("log", 1): lambda out, x: (1.0 / x[0],),
    ("relu", 1): lambda out, x: (1.0 if x[0] > 0 else 0.0,),
}

# How each local derivative reads, for explanations: {0} and {1} name the operands.
LOCAL_GRAD_FORMULAS: dict[tuple[str, int], tuple[str, ...]] = {
    ("+", 2): ("1", "1"),
    ("-", 2): ("1", "-1"),
    ("*", 2): ("{1}.data", "{0}.data"),
    ("/", 2): ("1 / {1}.data", "-{0}.data / {1}.data**2"),
    ("-", 1): ("-1",),
    ("**", 1): ("n * {0}.data**(n-1)",),
    ("tanh", 1): ("1 - out.data**2",),
    ("exp", 1): ("out.data",),
    ("log", 1): ("1 / {0}.data",),
    ("relu", 1): ("1 if {0}.data > 0 else 0",),
}


def _pow_grad(base: float, n: float) -> float:
    if n == 0:
        return 0.0
    try:
        return n * base ** (n - 1)
    except (ZeroDivisionError, OverflowError):
        return math.copysign(math.inf, n) if base == 0 else math.inf


def local_grads(v: Value) -> tuple[float, ...]:
    """d v / d operand for each operand of v, in the order of `v._prev`."""
    return LOCAL_GRADS[(v._op, len(v._prev))](v, [c.data for c in v._prev])


def topological_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, operands before results, without recursion."""
    topo: list[Value] = []
    visited: set[int] = set()
    for root in roots:
        if id(root) in visited:
            continue
        visited.add(id(root))
        stack: list[tuple[Value, int]] = [(root, 0)]
        while stack:
            v, i = stack[-1]
            if i < len(v._prev):
                stack[-1] = (v, i + 1)
                child = v._prev[i]
                if id(child) not in visited:
                    visited.add(id(child))
                    stack.append((child, 0))
            else:
                stack.pop()
                topo.append(v)
    return topo

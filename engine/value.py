"""A scalar value that remembers how it was computed, and backpropagates.

Shaped like micrograd's engine (Karpathy's lecture): each op coerces its
operand, computes `out`, and records its operands (read back as `_prev`) and
its symbol in `_op`. A few mechanisms differ, each changed once, here, rather
than per op:

* The local derivative of every op is a small function in one table,
  `LOCAL_GRADS`, and `backward()` applies the chain rule in one loop. There is
  no `_backward` closure per node, so a node is not a reference cycle (building
  and freeing big graphs stays fast, the garbage collector has little to do)
  and a step-through view can show exactly the derivative the maths uses.
  `_backward()` is a method that applies the same table at one node, adding
  into the operands' grads as the lecture's closures do.
* A Value is six slots: its data, grad, symbol, label and two operands. The
  operands are not kept in a tuple (`_prev` builds the ordered tuple when
  read), and the exponent of `**` is a seventh slot only on a `**` result: the
  garbage collector, whose passes over young objects are much of the cost of
  building a big graph, then tracks one small object per node and visits few
  fields. One more slot, `__dict__`, takes the attributes code adds to a Value
  (`p.m = 0.0` for an optimizer's state): 8 bytes, and no dict until one is
  set.
* Numbers of any real type (int, float, numpy's scalars: anything registered
  as `numbers.Real`) mix with Values; each becomes a float when it enters.
* The topological sort is iterative, so a graph a million operations deep
  works with the default recursion limit. backward() walks in the same
  order, marking the Values it has visited by their grad (which it resets
  anyway) rather than in a set: the walk is half of backward's work.
* A Value checks its number when it is made, so an op whose result is not a
  finite float raises before anything is linked to its operands. Ops check
  their own domain (division by zero, log of a non-positive number, a negative
  base with a fractional exponent) before computing, for the same reason.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from math import isfinite
from types import MappingProxyType
from typing import cast

Number = int | float  # for the type checker; at run time any numbers.Real (numpy's scalars too) is taken


def format_number(x: float) -> str:
    """The shortest text for a constant's label: 2.0 -> '2', 0.5 -> '0.5'."""
    if isfinite(x) and x == int(x) and abs(x) < 1e16:
        return str(int(x))
    return repr(float(x))


def format_decimals(x: float, places: int = 4) -> str:
    """A data or grad as the lecture shows it, `%.4f`, everywhere a number is shown (table, picture,
    hover, step-through, exports). From 1e10 on it is `%.4e`, so a label stays short; and a number
    that is not zero but would show as 0.0000 (below 1e-4 in magnitude) is `%.4e` too, so a
    vanishing gradient of 8.2e-09 stays visible. A zero shows as 0.0000 whatever its sign (`-a` at
    a = 0 is -0.0). `places` gives other than 4 decimals, with the same rule at 10 ** -places."""
    x += 0.0  # -0.0 + 0.0 is 0.0
    size = abs(x)
    if size < 1e10 and (size >= 10.0**-places or x == 0.0):
        return "%.*f" % (places, x)
    return "%.*e" % (places, x)


class Value:
    """One scalar in a computation graph: its data, its grad and where it came from."""

    __slots__ = ("data", "grad", "_a", "_b", "_op", "label", "__dict__")

    _a: Value | None
    _b: Value | None  # or, on a Value made by hand with more than two operands, all of them: see __init__
    _arg: float | None = None  # the exponent of a `**` result (see _Power); None on every other Value

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "", label: str = ""):
        self.data = data = float(data)
        if data - data != 0.0:  # inf or nan (inf - inf is nan, and nan equals nothing)
            raise _not_finite(data, _op)
        self.grad = 0.0
        self._op = _op
        self.label = label
        # The operands, in order, `a + a` keeping both, are read as the tuple `_prev`. `_a` and `_b` hold
        # the first and second operand (None where there is none). A Value made by hand with more than
        # two has `_a` None and all of them, as a tuple, in `_b`: no op makes one, so it gets no slot.
        self._a = self._b = None
        if _children:
            _link(self, tuple(_children))

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands, in order; `a + a` has two entries."""
        a, b = self._a, self._b
        if a is None:
            return b or ()  # type: ignore[return-value]  # a leaf, or made by hand with more than two
        return (a,) if b is None else (a, b)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # ---- binary ops: one node each, a number on either side ---------------

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else _constant(other)
        return _result(self.data + other.data, "+", self, other)

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else _constant(other)
        return _result(self.data * other.data, "*", self, other)

    def __sub__(self, other: Value | Number) -> Value:  # self - other
        other = other if isinstance(other, Value) else _constant(other)
        return _result(self.data - other.data, "-", self, other)

    def __truediv__(self, other: Value | Number) -> Value:  # self / other
        other = other if isinstance(other, Value) else _constant(other)
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: the denominator {_describe(other)} is 0")
        return _result(self.data / other.data, "/", self, other)

    def __pow__(self, other: Number) -> Value:  # self ** n, the exponent n a number
        n = _real(other, "the exponent of ** must be a number (int or float), not {}")
        out = cast(_Power, _result(_power(self, n), "**", self, None, _Power))
        out._arg = n
        return out

    def __radd__(self, other: Number) -> Value:  # other + self
        return _constant(other) + self

    def __rmul__(self, other: Number) -> Value:  # other * self
        return _constant(other) * self

    def __rsub__(self, other: Number) -> Value:  # other - self
        return _constant(other) - self

    def __rtruediv__(self, other: Number) -> Value:  # other / self
        return _constant(other) / self

    # ---- unary ops --------------------------------------------------------

    def __neg__(self) -> Value:  # -self
        return _result(-self.data, "-", self)

    def tanh(self) -> Value:
        return _result(math.tanh(self.data), "tanh", self)

    def exp(self) -> Value:
        if self.data > _LARGEST_EXP:
            raise OverflowError(f"exp({_describe(self)}) overflows: the result is too large for a float")
        return _result(math.exp(self.data), "exp", self)

    def log(self) -> Value:
        if self.data <= 0.0:
            raise ValueError(f"log of a non-positive number: {_describe(self)} is not greater than 0")
        return _result(math.log(self.data), "log", self)

    def relu(self) -> Value:
        return _result(self.data if self.data > 0 else 0.0, "relu", self)

    # ---- backpropagation --------------------------------------------------

    def _backward(self) -> None:
        """The chain rule at this one Value: add d self / d operand * self.grad into each operand's grad.

        What the lecture's `_backward` closure does, for its node-by-node manual backward
        (`o.grad = 1.0; o._backward()`) and `for node in reversed(topo): node._backward()`. Like the
        closure it adds, so calling it twice adds twice; a leaf's does nothing.
        """
        prev = self._prev
        if not prev:
            return
        try:
            local = LOCAL_GRADS[(self._op, len(prev))](self, *prev)
        except KeyError:
            raise _no_local_grad(self) from None
        grad = self.grad
        for child, d in zip(prev, local):
            child.grad += d * grad

    def backward(self) -> None:
        """Fill `grad` of every Value this one depends on with d self / d value.

        Idempotent, unlike micrograd: every grad in the graph is reset to 0
        first, so calling backward() twice gives the same grads as calling it
        once. A Value used twice (`a + a`, `x * x`) gets one contribution per
        use. Works on graphs a million operations deep (no recursion).
        """
        results = _op_results(self)  # operands first, as topological_order lists them; every grad now 0
        self.grad = 1.0
        binary, unary = _BINARY_GRADS, _UNARY_GRADS
        try:
            for v in reversed(results):  # every result before its operands
                a: Value = v._a  # type: ignore[assignment]  # an op result has a first operand
                b, grad = v._b, v.grad
                if b is not None:
                    da, db = binary[v._op](v, a, b)
                    a.grad += da * grad  # the chain rule
                    b.grad += db * grad
                else:
                    (da,) = unary[v._op](v, a)
                    a.grad += da * grad
        except KeyError:
            raise _no_local_grad(v) from None


def _link(v: Value, children: tuple[Value, ...]) -> None:
    """Record the operands of a Value made by hand, `Value(data, (a, b), op)`: Values only."""
    for child in children:
        if not isinstance(child, Value):
            raise TypeError(f"the operands of a Value must be Values, not {type(child).__name__}")
    if len(children) == 1:
        (v._a,) = children
    elif len(children) == 2:
        v._a, v._b = children
    else:
        v._b = children or None  # type: ignore[assignment]  # see __init__


_new_value = object.__new__


def _result(data: float, op: str, a: Value, b: Value | None = None, kind: type[Value] = Value) -> Value:
    """The Value an op makes: `Value(data, (a, b), op)`, built directly, as a `kind` (`**` makes a
    _Power, which also keeps its exponent).

    Every op ends here. It does what the constructor does for an op's result
    (its operands are Values and its data a float already), without the
    constructor's general checks: building a big graph is mostly this.
    """
    if data - data != 0.0:  # inf or nan
        raise _not_finite(data, op)
    out = _new_value(kind)
    out.data = data
    out.grad = 0.0
    out._a = a
    out._b = b
    out._op = op
    out.label = ""
    return out


class _Power(Value):
    """The result of `a ** n`: a Value with one more slot, `_arg`, for its exponent n (a float)."""

    __slots__ = ("_arg",)


def _real(x: object, refusal: str) -> float:
    """A real number as a float (int, float, numpy's scalars: any numbers.Real but bool), or TypeError
    with `refusal` naming x's type."""
    if type(x) is float or type(x) is int:  # the usual case, without the slower ABC check
        return float(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(refusal.format(type(x).__name__))
    return float(x)


def _constant(x: Number) -> Value:
    """A number mixed into an op becomes a constant leaf labelled with the number."""
    number = _real(x, "cannot combine a Value with {}")
    return Value(number, label=format_number(number))


def _describe(v: Value) -> str:
    """How an error message names a Value: `b = -3`, or `-3` when it has no label."""
    number = format_number(v.data)
    return f"{v.label} = {number}" if v.label and v.label != number else number


def _describe_base(v: Value) -> str:
    """How an error message names the base of `**`: in parentheses when it is more than a name
    or a number that is not negative, so `(-1) ** 0.5` never reads as `-(1 ** 0.5)`."""
    text = _describe(v)
    return f"({text})" if " " in text or text.startswith("-") else text


def _not_finite(x: float, op: str) -> ArithmeticError | ValueError:
    """The error for a Value whose data would be inf or nan."""
    if op:
        if math.isnan(x):
            return ValueError(f"'{op}' does not give a number (nan)")
        return OverflowError(f"'{op}' overflows: the result is too large for a float")
    return ValueError(f"a Value's data must be a finite number, not {x}")


def _no_local_grad(v: Value) -> ValueError:
    """The error for a Value, made by hand, whose op has no entry in LOCAL_GRADS."""
    n = len(v._prev)
    return ValueError(f"cannot differentiate {v!r}: no local derivative for '{v._op}' with {n} operand(s)")


_LARGEST_EXP = math.log(1.7976931348623157e308)  # exp of anything larger is not a finite float


def _power(base: Value, n: float) -> float:
    """base ** n as a real number, or an error saying why there is none."""
    x = base.data
    if not isfinite(n):
        raise ValueError(f"the exponent of ** must be a finite number, not {n}")
    if x < 0 and n != int(n):
        shown = f"{_describe_base(base)} ** {format_number(n)}"
        raise ValueError(f"a negative base with a fractional exponent is not a real number: {shown}")
    if x == 0 and n < 0:
        raise ZeroDivisionError(f"division by zero: {_describe_base(base)} ** {format_number(n)} divides by 0")
    try:
        return x**n
    except OverflowError:
        raise OverflowError(
            f"{_describe_base(base)} ** {format_number(n)} overflows: the result is too large for a float"
        ) from None


def _pow_grad(out: Value, a: Value) -> float:
    """d(a ** n)/da = n * a ** (n - 1), infinite where that power divides by 0 or overflows."""
    x, n = a.data, out._arg
    if n is None:  # `Value(data, (a,), "**")` made by hand: only `a ** n` keeps an exponent
        raise ValueError(f"cannot differentiate {out!r}: a '**' made by hand has no exponent; write a ** n")
    if n == 0:
        return 0.0
    try:
        return n * x ** (n - 1)
    except (ZeroDivisionError, OverflowError):
        negative_power = x < 0 and (n - 1) % 2 == 1  # an odd integer power of a negative base
        return -math.inf if (n < 0) != negative_power else math.inf


# The local derivative of each op, keyed by (symbol, number of operands): given
# the result and its operands, d out / d operand for each operand, in order.
LocalGrad = Callable[..., tuple[float, ...]]

LOCAL_GRADS: Mapping[tuple[str, int], LocalGrad] = MappingProxyType(
    {
        ("+", 2): lambda out, a, b: (1.0, 1.0),
        ("-", 2): lambda out, a, b: (1.0, -1.0),
        ("*", 2): lambda out, a, b: (b.data, a.data),
        ("/", 2): lambda out, a, b: (1.0 / b.data, -out.data / b.data),  # -a / b**2, with no b**2 to underflow
        ("-", 1): lambda out, a: (-1.0,),
        ("**", 1): lambda out, a: (_pow_grad(out, a),),
        ("tanh", 1): lambda out, a: (1.0 - out.data**2,),
        ("exp", 1): lambda out, a: (out.data,),
        ("log", 1): lambda out, a: (1.0 / a.data,),
        ("relu", 1): lambda out, a: (1.0 if a.data > 0 else 0.0,),
    }
)  # read-only: backward() works from the split copies below

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

# The same table split by arity, so backward() finds an op by its symbol alone.
_BINARY_GRADS = {op: grad for (op, arity), grad in LOCAL_GRADS.items() if arity == 2}
_UNARY_GRADS = {op: grad for (op, arity), grad in LOCAL_GRADS.items() if arity == 1}


def local_grads(v: Value) -> tuple[float, ...]:
    """d v / d operand for each operand of v, in the order of `v._prev`."""
    return LOCAL_GRADS[(v._op, len(v._prev))](v, *v._prev)


def topological_order(*roots: Value) -> list[Value]:
    """Every Value the roots depend on, operands before results, without recursion.

    The order is the one micrograd's recursive sort gives: depth first, first
    operand first, each Value once. The walk keeps the Values on its current
    path and the operands still to visit in two lists (a million entries down
    a million-deep chain).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    path: list[Value] = []  # the Values being expanded, deepest last
    visit, place = visited.add, order.append
    for root in roots:
        todo: list[Value | None] = [root]  # Values to visit, next last; None: path[-1] is complete
        push, pop = todo.append, todo.pop
        while todo:
            v = pop()
            if v is None:  # every operand of path[-1] is placed
                place(path.pop())
                continue
            if v in visited:
                continue
            visit(v)
            a = v._a
            while a is not None:  # down through first operands, each second operand left to visit after
                path.append(v)
                push(None)
                b = v._b
                if b is not None and b not in visited:
                    push(b)
                if a in visited:
                    break
                visit(a)
                v, a = a, a._a
            else:  # v has no first operand
                if v._b is None:
                    place(v)  # a leaf is placed at once
                else:  # made by hand with more than two operands
                    path.append(v)
                    push(None)
                    todo.extend(reversed(v._prev))
    return order


def _op_results(root: Value) -> list[Value]:
    """The op results `root` depends on, itself included, in `topological_order`'s order without the
    leaves; and the grad of every Value on the way, leaves included, set to 0.

    This is the walk backward() makes every time, so it is made cheap for that one use. A result's
    grad, which is reset anyway, marks it as visited (None until the walk ends) instead of a set, and
    a leaf is only reset, never listed. One list holds the results on the current path: the walk goes
    down through first operands, then back up placing each result whose operands are all placed,
    until a second operand not yet visited sends it down again.
    """
    results: list[Value] = []
    if root._a is None and root._b is None:  # a leaf
        root.grad = 0.0
        return results
    path: list[Value] = []  # the results being expanded, deepest last
    place, enter, leave = results.append, path.append, path.pop
    v: Value | None = root
    try:
        while v is not None:
            while True:  # down from v, a result not visited yet, through first operands
                a = v._a
                if a is None:  # made by hand with more than two operands: LOCAL_GRADS has no such op
                    raise _no_local_grad(v)
                v.grad = None  # type: ignore[assignment]  # visited: see the docstring
                enter(v)
                if a._a is None and a._b is None:  # a leaf
                    a.grad = 0.0
                    break
                if a.grad is None:  # visited
                    break
                v = a
            v = None
            while path:  # up: place each result whose operands are all placed
                u = leave()
                b = u._b
                if b is not None:
                    if b._a is None and b._b is None:
                        b.grad = 0.0
                    elif b.grad is not None:  # not visited: u goes back on the path, and down from b
                        enter(u)
                        v = b
                        break
                place(u)
        for v in results:
            v.grad = 0.0
    except BaseException:  # interrupted (Ctrl+C, say): no grad may stay None
        _unmark(root)
        raise
    return results


def _unmark(root: Value) -> None:
    """Set to 0 every grad `_op_results` left None. Each such Value is reached from `root` through
    Values whose grad is None: the walk marks only an operand of a marked Value, and sets them back
    to 0 operands first, so a Value still None has every result between it and the root None too."""
    todo = [root]
    while todo:
        v = todo.pop()
        if v.grad is None:
            v.grad = 0.0
            todo.extend(v._prev)

"""Neurons, layers and MLPs as definitions: what the expression bar's templates and the Insert dialog
make. Qt-free.

`o = MLP([x1, x2, x3], [4, 4, 1])` makes the lecture's net (`engine.nn.MLP(3, [4, 4, 1],
lecture=True)`): for each layer, each neuron draws its weights, then its bias, uniform in [-1, 1]
from `random.Random(seed)`, the order `engine.nn` draws them in under `random.seed(seed)`. Every
weight and bias is a leaf; each neuron computes `b + w1*x1 + w2*x2 + ...` in micrograd's order
and then its activation.

Names are systematic, from the template's NAME: the neuron j of layer l of an MLP `o` is `o_n2_1`
(a Layer's are `h_n1`, `h_n2`, ...; a Neuron's is NAME), and its values are `o_n2_1_w1` ... (the
weights), `o_n2_1_b` (the bias), `o_n2_1_wx1` ... (weight times input), `o_n2_1_s1` ... (the
running sum, from the bias), `o_n2_1_act` (the sum, before the activation) and `o_n2_1` (the
output). When the last layer has one neuron, NAME is its output. The template records a group
for each neuron, each layer (`o_l1`, ...) and the net.

`activation` is `tanh` (the lecture's default), `relu` or `linear`; in an MLP it is the hidden
layers', and the last layer's is `output`, which defaults to tanh for a tanh net (the lecture's
MLP is tanh throughout) and to linear otherwise (micrograd's MLP: ReLU, then a linear output).
"""

from __future__ import annotations

import ast
import math
import random
import re
from dataclasses import dataclass, field

from micrograd_gui.document import MAX_NAME_LENGTH, Definition, Document, Group, check_name
from micrograd_gui.expression import MAX_EXPRESSION_LENGTH, MAX_NESTING, ExpressionError, parse_statement

ACTIVATIONS = ("tanh", "relu", "linear")
KINDS = ("Neuron", "Layer", "MLP")
MAX_INPUTS = 100
MAX_LAYER_SIZE = 100
MAX_LAYERS = 10
MAX_TEMPLATE_VALUES = 20_000
MAX_SEED = 2**63


class TemplateError(ExpressionError):
    """A template that cannot be built; the message is written for the user, `column` is where."""


@dataclass(frozen=True)
class Net:
    """What to build: a `Neuron`, `Layer` or `MLP` named `name` over `inputs` (value names, or numbers
    that become constant leaves), with `sizes` neurons per layer."""

    kind: str
    name: str
    inputs: tuple[str | float, ...]
    sizes: tuple[int, ...]
    activation: str = "tanh"
    output: str | None = None  # the last layer's activation; None: see `last_activation`
    seed: int = 0

    @property
    def last_activation(self) -> str:
        if self.output is not None:
            return self.output
        if self.kind != "MLP" or self.activation == "tanh":
            return self.activation
        return "linear"

    @property
    def value_count(self) -> int:
        """How many values it makes: per neuron of n inputs 3n + 1 (weights, bias, products, sums), and
        1 for an activation; a constant per number input."""
        count = sum(not isinstance(x, str) for x in self.inputs)
        widths = [len(self.inputs), *self.sizes]
        for i, size in enumerate(self.sizes):
            activation = self.last_activation if i == len(self.sizes) - 1 else self.activation
            count += size * (3 * widths[i] + 1 + (activation != "linear"))
        return count

    @property
    def parameter_count(self) -> int:
        widths = [len(self.inputs), *self.sizes]
        return sum(size * (widths[i] + 1) for i, size in enumerate(self.sizes))


@dataclass
class Built:
    """The definitions a net makes, in document order (constants for number inputs first), its
    groups, and its output values (one per neuron of the last layer)."""

    definitions: list[Definition] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def check_net(net: Net) -> None:
    """TemplateError unless the net's sizes, activations and seed are within bounds."""
    if net.kind not in KINDS:
        raise TemplateError(f"'{net.kind}' is not a template: use Neuron, Layer or MLP")
    if not net.inputs:
        raise TemplateError(f"{net.kind} needs at least one input, like {net.kind}([x1, x2])")
    if len(net.inputs) > MAX_INPUTS:
        raise TemplateError(f"{net.kind} takes at most {MAX_INPUTS} inputs, not {len(net.inputs)}")
    if not net.sizes:
        raise TemplateError("an MLP needs at least one layer, like MLP([x1, x2], [4, 1])")
    if len(net.sizes) > MAX_LAYERS:
        raise TemplateError(f"an MLP has at most {MAX_LAYERS} layers, not {len(net.sizes)}")
    for size in net.sizes:
        if size < 1:
            raise TemplateError(f"a layer needs at least one neuron, not {size}")
        if size > MAX_LAYER_SIZE:
            raise TemplateError(f"a layer has at most {MAX_LAYER_SIZE} neurons, not {size}")
    for activation in (net.activation, net.output):
        if activation is not None and activation not in ACTIVATIONS:
            raise TemplateError(f"the activation must be 'tanh', 'relu' or 'linear', not {activation!r}")
    if not 0 <= net.seed < MAX_SEED:
        raise TemplateError("the seed must be a whole number, 0 or more (below 2**63)")
    if net.value_count > MAX_TEMPLATE_VALUES:
        raise TemplateError(
            f"this {net.kind} would make {net.value_count:,} values; a template makes at most {MAX_TEMPLATE_VALUES:,}"
        )


def neuron_ids(net: Net) -> list[list[str]]:
    """The name of each neuron, layer by layer: `o` (a Neuron), `h_n1` (a Layer), `o_n2_1` (an MLP)."""
    if net.kind == "Neuron":
        return [[net.name]]
    if net.kind == "Layer":
        return [[f"{net.name}_n{j}" for j in range(1, net.sizes[0] + 1)]]
    return [[f"{net.name}_n{i}_{j}" for j in range(1, size + 1)] for i, size in enumerate(net.sizes, start=1)]


def build_net(net: Net, document: Document) -> Built:
    """The definitions and groups of `net` over `document`'s values, or TemplateError saying why not
    (an unknown input, a name taken, a name too long). The maths is checked when it is added."""
    check_net(net)
    reason = check_name(net.name)
    if reason:
        raise TemplateError(reason)
    if net.name in document or any(g.name == net.name for g in document.groups):
        raise TemplateError(f"'{net.name}' already exists: choose a new name")
    built = Built()
    taken: set[str] = set()
    inputs: list[str] = []
    for x in net.inputs:
        if not isinstance(x, str):
            name = document.auto_name("k", taken)
            taken.add(name)
            built.definitions.append(Definition(name, data=x, constant=True))
            inputs.append(name)
        elif x not in document:
            raise TemplateError(f"unknown input '{x}'", None, "an input is an existing value's name or a number")
        else:
            inputs.append(x)
    rng = random.Random(net.seed)
    ids = neuron_ids(net)
    layers: list[Group] = []
    for i, layer_ids in enumerate(ids):
        last = i == len(ids) - 1
        activation = net.last_activation if last else net.activation
        outputs: list[str] = []
        neurons: list[Group] = []
        for neuron_id in layer_ids:
            output = net.name if last and len(layer_ids) == 1 else neuron_id
            definitions = _neuron(neuron_id, output, inputs, activation, rng)
            built.definitions.extend(definitions)
            neurons.append(Group(neuron_id, "neuron", tuple(d.name for d in definitions)))
            outputs.append(output)
        built.groups.extend(neurons)
        if net.kind != "Neuron":
            members = tuple(m for g in neurons for m in g.members)
            layers.append(Group(net.name if net.kind == "Layer" else f"{net.name}_l{i + 1}", "layer", members))
        inputs = outputs
    built.groups.extend(layers)
    if net.kind == "MLP":
        built.groups.append(Group(net.name, "net", tuple(m for g in layers for m in g.members)))
    built.outputs = inputs
    _check_built(net, built, document)
    return built


def _neuron(neuron_id: str, output: str, inputs: list[str], activation: str, rng: random.Random) -> list[Definition]:
    """One neuron's definitions: its weights and bias (drawn in that order), then `neuron_forward`."""
    weights = [Definition(f"{neuron_id}_w{i}", data=rng.uniform(-1, 1)) for i in range(1, len(inputs) + 1)]
    bias = Definition(f"{neuron_id}_b", data=rng.uniform(-1, 1))
    forward = neuron_forward(neuron_id, output, inputs, [w.name for w in weights], bias.name, activation)
    return [*weights, bias, *forward]


def neuron_forward(
    prefix: str, output: str, inputs: list[str], weights: list[str], bias: str, activation: str
) -> list[Definition]:
    """What a neuron computes from its weights and bias: w*x, the running sum from b (micrograd's
    `sum(..., b)`), the activation; named `{prefix}_wx1`, `{prefix}_s1`, ..., `{prefix}_act`, `output`."""
    n = len(inputs)
    products = [Definition(f"{prefix}_wx{i}", "*", (w, x)) for i, (w, x) in enumerate(zip(weights, inputs), 1)]
    sums: list[Definition] = []
    running = bias
    for i, product in enumerate(products, start=1):
        name = f"{prefix}_s{i}"
        if i == n:
            name = output if activation == "linear" else f"{prefix}_act"
        sums.append(Definition(name, "+", (running, product.name)))
        running = name
    out = [] if activation == "linear" else [Definition(output, activation, (running,))]
    return [*products, *sums, *out]


def _check_built(net: Net, built: Built, document: Document) -> None:
    """TemplateError when a name the net makes is too long or taken, before anything is added."""
    longest = max((d.name for d in built.definitions), key=len)
    if len(longest) > MAX_NAME_LENGTH:
        raise TemplateError(
            f"'{net.name}' is too long a name for this {net.kind}: its values would be named like"
            f" '{longest}', over {MAX_NAME_LENGTH} characters"
        )
    for d in built.definitions:
        if d.name in document:
            raise TemplateError(f"'{d.name}' already exists: choose another name than '{net.name}'")
    groups = {g.name for g in document.groups}
    for g in built.groups:
        if g.name in groups:
            raise TemplateError(f"a group named '{g.name}' already exists: choose another name than '{net.name}'")


# ---- the expression bar's templates ---------------------------------------------------------------

_START = re.compile(r"\s*(?:[A-Za-z_]\w*\s*=\s*)?(?:Neuron|Layer|MLP)\s*\(")
_ALLOWED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-*/()[]=,'\" \t")
_USAGE = {
    "Neuron": "n = Neuron([x1, x2])",
    "Layer": "h = Layer([x1, x2], 3)",
    "MLP": "o = MLP([x1, x2, x3], [4, 4, 1])",
}
_KEYWORDS = {"Neuron": ("activation", "seed"), "Layer": ("activation", "seed"), "MLP": ("activation", "output", "seed")}


def is_template(text: str) -> bool:
    """Whether `text` is a template (`NAME = Neuron(...)`, `Layer(...)` or `MLP(...)`), not an expression."""
    return _START.match(text) is not None


def parse_template(text: str) -> tuple[Net, bool]:
    """The net a template line describes, and whether it gave its seed (without one, a seed is drawn
    at random); TemplateError for anything else. The inputs are checked by `build_net`."""
    stripped = text.strip()
    start = len(text) - len(text.lstrip())
    if len(stripped) > MAX_EXPRESSION_LENGTH:
        raise TemplateError(
            f"the template is too long ({len(stripped):,} characters; at most {MAX_EXPRESSION_LENGTH:,})"
        )
    depth = 0
    for i, ch in enumerate(stripped):
        if ch not in _ALLOWED_CHARACTERS:
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise TemplateError(f"unexpected character {shown}", start + i + 1)
        depth += (ch in "([") - (ch in ")]")
        if depth > MAX_NESTING:
            raise TemplateError(f"more than {MAX_NESTING} levels of nesting", start + i + 1)
    return _Reader(start).read(parse_statement(stripped, start))


class _Reader:
    def __init__(self, start: int) -> None:
        self.start = start

    def error(self, message: str, node: ast.AST | None = None, hint: str = "") -> TemplateError:
        column = None if node is None else self.start + getattr(node, "col_offset", 0) + 1
        return TemplateError(message, column, hint)

    def read(self, statement: ast.stmt) -> tuple[Net, bool]:
        call = statement.value if isinstance(statement, (ast.Assign, ast.Expr)) else None
        if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id not in KINDS:
            raise self.error("this is not a template", statement, "; ".join(_USAGE.values()))
        kind = call.func.id
        usage = _USAGE[kind]
        if not isinstance(statement, ast.Assign):
            raise self.error(f"name the {kind}", statement, f"like {usage}")
        if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
            raise self.error("assign to one name", statement, f"like {usage}")
        name = statement.targets[0].id
        wanted = 1 if kind == "Neuron" else 2
        if len(call.args) != wanted or any(isinstance(a, ast.Starred) for a in call.args):
            what = {"Neuron": "a list of inputs", "Layer": "a list of inputs and a number of neurons"}.get(
                kind, "a list of inputs and a list of layer sizes"
            )
            raise self.error(f"{kind} takes {what}", call, f"like {usage}")
        inputs = self.inputs(call.args[0], usage)
        if kind == "Neuron":
            sizes: tuple[int, ...] = (1,)
        elif kind == "Layer":
            sizes = (self.size(call.args[1]),)
        else:
            if not isinstance(call.args[1], ast.List):
                raise self.error("the layer sizes are a list of numbers", call.args[1], f"like {usage}")
            sizes = tuple(self.size(node) for node in call.args[1].elts)
        options: dict[str, str | int] = {}
        for keyword in call.keywords:
            allowed = _KEYWORDS[kind]
            if keyword.arg not in allowed:
                shown = "**" if keyword.arg is None else f"'{keyword.arg}'"
                raise self.error(
                    f"{kind} takes no keyword {shown}", keyword, "it takes " + ", ".join(f"{k}=" for k in allowed)
                )
            if keyword.arg in options:
                raise self.error(f"{keyword.arg}= is given twice", keyword)
            options[keyword.arg] = self.seed(keyword.value) if keyword.arg == "seed" else self.activation(keyword.value)
        seed = options.get("seed")
        given = seed is not None
        if seed is None:
            seed = random.SystemRandom().randrange(1_000_000)
        activation = str(options.get("activation", "tanh"))
        output = options.get("output")
        net = Net(kind, name, inputs, sizes, activation, None if output is None else str(output), int(seed))
        return net, given

    def inputs(self, node: ast.expr, usage: str) -> tuple[str | float, ...]:
        if not isinstance(node, ast.List):
            raise self.error("the inputs are a list in [ ]", node, f"like {usage}")
        found: list[str | float] = []
        for item in node.elts:
            if isinstance(item, ast.Name):
                found.append(item.id)
            else:
                found.append(self.number(item, "an input is a value's name or a number"))
        return tuple(found)

    def number(self, node: ast.expr, message: str) -> float:
        sign = 1.0
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            node = node.operand
        value = node.value if isinstance(node, ast.Constant) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(message, node)
        try:
            number = sign * float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.error("the number is too large (not a finite number)", node)
        return number

    def size(self, node: ast.expr) -> int:
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or not isinstance(node.value, int):
            raise self.error("a layer size is a whole number of neurons", node)
        if not 1 <= node.value <= MAX_LAYER_SIZE:
            raise self.error(f"a layer has from 1 to {MAX_LAYER_SIZE} neurons, not {node.value}", node)
        return node.value

    def seed(self, node: ast.expr) -> int:
        if (
            not isinstance(node, ast.Constant)
            or isinstance(node.value, bool)
            or not isinstance(node.value, int)
            or not 0 <= node.value < MAX_SEED
        ):
            raise self.error("the seed must be a whole number, 0 or more (below 2**63)", node)
        return node.value

    def activation(self, node: ast.expr) -> str:
        if not isinstance(node, ast.Constant) or node.value not in ACTIVATIONS:
            raise self.error("the activation must be 'tanh', 'relu' or 'linear'", node)
        return str(node.value)

"""The expression bar's language: `L = (a*b + c) * f` becomes named definitions. Qt-free.

An expression uses names of existing values, number literals, `+ - * / **`,
unary `-`, parentheses and the functions `tanh exp log relu`; it may start
with `NAME =`. The exponent of `**` is a number, as in the engine: a literal
or arithmetic on literals, worked out to one number (`x ** (1/3)`).
`parse_expression` turns it into the definitions that build it,
operands first: each operation gets an automatic name (`t1`, `t2`, ...), each
number literal used as an operand becomes a constant leaf (`k1`, `k2`, ...,
marked `constant`: a number, not a parameter),
and the result takes the assigned name. `x = 2` is a leaf named x.

User text is never run. It is checked in three passes, each cheap and each
bounding the next: the characters (length, alphabet, parenthesis depth), the
tokens (keywords, number literals, the operation count), then Python's own
parser (`ast.parse`) and a whitelist of node types. Every refusal is an
`ExpressionError` saying what is wrong and where.

Limits: 10,000 characters, 500 operations (each node the expression
creates: a binary op, a negation, a function call, a power; a sign written
on a number is part of the constant; arithmetic inside an exponent counts
too, though it makes no node), 50 levels of parentheses (a function call's
included), number literals of at most 400 characters.
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
import warnings
from dataclasses import replace

from engine import format_number
from micrograd_gui.document import FUNCTIONS, Definition, Document, DocumentError, check_name, underflows
from micrograd_gui.messages import shown_text

MAX_EXPRESSION_LENGTH = 10_000
MAX_OPERATIONS = 500
MAX_NESTING = 50
MAX_NUMBER_LENGTH = 400
RESULT_PREFIX = "t"
CONSTANT_PREFIX = "k"

_ALLOWED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-*/()=, \t")
_DECIMAL = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OPERATORS = {"+", "-", "*", "/", "**"}
_ALLOWED_OPS = _OPERATORS | {"(", ")", "=", ","}
_HELP = "use names, numbers, + - * / **, parentheses and tanh exp log relu"
_FUNCTIONS_HINT = "the functions are tanh, exp, log and relu"

_BIN_OPS: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
# What a refusal says of each node type outside the language, verb included: "tuples are not allowed".
_REFUSED_NODES: dict[type, str] = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "subscripts are",
    ast.Lambda: "lambda is",
    ast.IfExp: "conditional expressions are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.NamedExpr: "the := operator is",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.JoinedStr: "f-strings are",
    ast.Starred: "starred expressions are",
    ast.Tuple: "tuples are",
    ast.List: "lists are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
}


class ExpressionError(DocumentError):
    """An expression the bar refused; `column` (1-based) is where, when known.

    The message reads "<what> at column <n>: <hint>".
    """

    def __init__(self, message: str, column: int | None = None, hint: str = "") -> None:
        where = "" if column is None else f" at column {column}"
        super().__init__(f"{message}{where}" + (f": {hint}" if hint else ""))
        self.column = column


def parse_expression(text: str, document: Document) -> list[Definition]:
    """The definitions that build `text` over `document`'s values, operands first.

    The last definition is the result. Raises ExpressionError (changing
    nothing) for anything outside the language; maths errors such as
    `log(a - a)` are found later by `document.check_many`, before anything is added.
    """
    return parse_expression_sources(text, document)[0]


def parse_expression_sources(text: str, document: Document) -> tuple[list[Definition], dict[str, str]]:
    """`parse_expression`, and the text each value it names stands for ({'t1': 'a * b'}; a result
    named `L = ...` keeps its name), so that a message can speak of what was typed: see `in_typed_terms`."""
    stripped = text.strip()
    start = len(text) - len(text.lstrip())  # columns count from the text as typed
    if not stripped:
        raise ExpressionError("type an expression, like L = (a*b + c) * f")
    _check_characters(stripped, start)
    _check_tokens(stripped, start)
    tree = parse_statement(stripped, start)
    builder = _Builder(document, stripped, start)
    definitions = builder.build(tree)
    sources = {name: format_number(number) for name, number in builder.numbers.items()}
    for name, node in builder.sources.items():
        segment = ast.get_source_segment(stripped, node)
        if segment:
            sources[name] = " ".join(segment.split())
    return definitions, sources


def in_typed_terms(message: str, sources: dict[str, str]) -> str:
    """`message` with each intermediate value's name replaced by the text it stands for:
    'cannot compute t2: ... t1 = 0 ...' becomes 'cannot compute log(a * b): ... a * b = 0 ...'."""
    if not sources:
        return message
    names = "|".join(re.escape(name) for name in sorted(sources, key=len, reverse=True))
    message = re.sub(rf"\b({names})\b", lambda match: sources[match.group(1)], message)
    return re.sub(r"(?<![\w.])(-?\d[\d.e+-]*) = \1(?![\w.])", r"\1", message)  # a number: '0 = 0' says '0'


# ---- pass 1: characters -------------------------------------------------


def _rough_operation_count(text: str) -> int:
    return text.count("+") + text.count("-") + text.count("*") - text.count("**") + text.count("/")


def _check_characters(text: str, start: int) -> None:
    if len(text) > MAX_EXPRESSION_LENGTH:
        operations = _rough_operation_count(text)
        if operations > MAX_OPERATIONS:
            raise ExpressionError(
                f"the expression has about {operations:,} operations; at most {MAX_OPERATIONS} are allowed"
            )
        raise ExpressionError(
            f"the expression is too long ({len(text):,} characters; at most {MAX_EXPRESSION_LENGTH:,})"
        )
    depth = 0
    opened: list[int] = []
    for i, ch in enumerate(text):
        column = start + i + 1
        if ch not in _ALLOWED_CHARACTERS and not ("_" + ch).isidentifier():  # `α`, `Δx` are names too
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ExpressionError(f"unexpected character {shown}", column, _HELP)
        if ch == "(":
            depth += 1
            opened.append(column)
            if depth > MAX_NESTING:
                raise ExpressionError(f"more than {MAX_NESTING} levels of nesting", column)
        elif ch == ")":
            if depth == 0:
                raise ExpressionError("')' without a matching '('", column)
            depth -= 1
            opened.pop()
    if opened:
        raise ExpressionError("'(' is never closed", opened[-1])


# ---- pass 2: tokens -----------------------------------------------------


def _check_tokens(text: str, start: int) -> None:
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.string.strip()]
    except (tokenize.TokenError, SyntaxError) as error:  # unreachable after pass 1, kept as a guard
        raise ExpressionError("cannot read the expression", None, str(error)) from None
    operations = 0
    previous: tokenize.TokenInfo | None = None
    for i, tok in enumerate(tokens):
        column = start + tok.start[1] + 1
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.type == tokenize.NAME:
            if keyword.iskeyword(tok.string):
                raise ExpressionError(f"'{shown_text(tok.string)}' is not allowed", column, _HELP)
            if following is not None and following.string == "(":
                if tok.string not in FUNCTIONS:
                    raise ExpressionError(f"'{shown_text(tok.string)}' is not a function", column, _FUNCTIONS_HINT)
                operations += 1
        elif tok.type == tokenize.NUMBER:
            if len(tok.string) > MAX_NUMBER_LENGTH:
                raise ExpressionError(f"the number is too long (at most {MAX_NUMBER_LENGTH} characters)", column)
            if not _DECIMAL.fullmatch(tok.string):
                raise ExpressionError(f"'{shown_text(tok.string)}' is not a decimal number", column)
        elif tok.type == tokenize.OP:
            if tok.string not in _ALLOWED_OPS:
                what = "attribute access ('.')" if tok.string == "." else f"'{shown_text(tok.string)}'"
                raise ExpressionError(f"{what} is not allowed", column, _HELP)
            if tok.string in _OPERATORS and not _is_sign(tok, previous, following):
                operations += 1
        else:
            raise ExpressionError(f"unexpected '{shown_text(tok.string)}'", column, _HELP)
        previous = tok
    if operations > MAX_OPERATIONS:
        raise ExpressionError(f"the expression has {operations:,} operations; at most {MAX_OPERATIONS} are allowed")


def _is_sign(
    tok: tokenize.TokenInfo, previous: tokenize.TokenInfo | None, following: tokenize.TokenInfo | None
) -> bool:
    """A unary + (no node) or a - written on a number literal (part of the constant)."""
    unary = previous is None or previous.type == tokenize.OP and previous.string != ")"
    if not unary or tok.string not in ("+", "-"):
        return False
    return tok.string == "+" or following is not None and following.type == tokenize.NUMBER


# ---- pass 3: Python's parser and a whitelist ----------------------------


def parse_statement(text: str, start: int) -> ast.stmt:
    """The one statement `text` holds (Python's parser, warnings off), or ExpressionError; `start` is the
    column `text` starts at in the line typed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = ast.parse(text, mode="exec")
    except SyntaxError as error:
        message = (error.msg or "invalid syntax").split(". Maybe")[0]
        column = start + error.offset if error.offset else None
        raise ExpressionError(f"cannot read the expression ({message})", column) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise ExpressionError("the expression is too complex to read") from None
    if len(module.body) != 1:
        raise ExpressionError("write one expression at a time")
    return module.body[0]


# A reference to an operand: ("name", existing-or-created name) or ("number", a literal not yet made a leaf).
_Ref = tuple[str, object]


class _Builder:
    def __init__(self, document: Document, text: str, start: int) -> None:
        self.document = document
        self.text = text  # as parsed: stripped
        self.start = start
        self.definitions: list[Definition] = []
        self.sources: dict[str, ast.expr] = {}  # a value's name -> the part of the expression it stands for
        self.numbers: dict[str, float] = {}  # a number's constant leaf -> the number
        self.taken: set[str] = set()
        self.counters: dict[str, int] = {}

    def column(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)  # in UTF-8 bytes: `Δx` is two characters and three bytes
        return self.start + len(self.text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1

    def build(self, statement: ast.stmt) -> list[Definition]:
        target: str | None = None
        if isinstance(statement, ast.Assign):
            if len(statement.targets) != 1 or not isinstance(statement.targets[0], ast.Name):
                raise ExpressionError("assign to one name, like L = a * b", self.column(statement))
            target = statement.targets[0].id
            reason = check_name(target)
            if reason:
                raise ExpressionError(reason)
            if target in self.document:
                raise ExpressionError(f"'{target}' already exists", None, "choose a new name")
            self.taken.add(target)
            expression = statement.value
        elif isinstance(statement, ast.Expr):
            expression = statement.value
        else:
            raise ExpressionError("this is not an expression", self.column(statement), _HELP)

        kind, value = self.walk(expression)
        if kind == "name" and not self.definitions:
            shown = f"{target} = {value}" if target else str(value)
            raise ExpressionError(f"'{shown}' computes nothing: {value} already exists")
        if kind == "number":
            assert isinstance(value, float)
            self.definitions.append(Definition(target or self.fresh(RESULT_PREFIX), data=value))
        elif target is not None:
            self.definitions[-1] = replace(self.definitions[-1], name=target)
        return self.definitions

    def fresh(self, prefix: str) -> str:
        """The next free `t1`, `t2`, ... (what `Document.auto_name` gives), without rescanning from 1."""
        i = self.counters.get(prefix, 1)
        while f"{prefix}{i}" in self.document or f"{prefix}{i}" in self.taken:
            i += 1
        self.counters[prefix] = i + 1
        name = f"{prefix}{i}"
        self.taken.add(name)
        return name

    def operand(self, ref: _Ref) -> str:
        """The name of an operand, making a number literal a constant leaf."""
        kind, value = ref
        if kind == "number":
            assert isinstance(value, float)
            name = self.fresh(CONSTANT_PREFIX)
            self.definitions.append(Definition(name, data=value, constant=True))
            self.numbers[name] = value
            return name
        assert isinstance(value, str)
        return value

    def add(self, node: ast.expr, op: str, operands: tuple[_Ref, ...], exponent: float | None = None) -> _Ref:
        names = tuple(self.operand(r) for r in operands)
        name = self.fresh(RESULT_PREFIX)
        self.definitions.append(Definition(name, op, names, exponent=exponent))
        self.sources[name] = node
        return ("name", name)

    def walk(self, root: ast.expr) -> _Ref:
        """Post-order over the tree without recursion; each node's result goes on `results`."""
        results: list[_Ref] = []
        stack: list[tuple[ast.expr, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if not children_done:
                children = self.children(node)
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(children))
                continue
            n = len(self.children(node))
            args = tuple(results[len(results) - n :]) if n else ()
            del results[len(results) - n :]
            results.append(self.combine(node, args))
        return results[0]

    def children(self, node: ast.expr) -> list[ast.expr]:
        """The operands of a node, after checking the node is part of the language."""
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BIN_OPS:
                raise ExpressionError("this operator is not supported", self.column(node), _HELP)
            if isinstance(node.op, ast.Pow):
                return [node.left]  # the exponent is a number: see `exponent`
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise ExpressionError("this operator is not supported", self.column(node), _HELP)
            return [node.operand]
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
                shown = f"'{shown_text(func.id)}'" if isinstance(func, ast.Name) else "this"
                raise ExpressionError(f"{shown} is not a function", self.column(node), _FUNCTIONS_HINT)
            if node.keywords:
                raise ExpressionError(f"the function {func.id} takes no keyword arguments", self.column(node))
            if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise ExpressionError(
                    f"the function {func.id} takes exactly one argument", self.column(node), f"like {func.id}(x)"
                )
            return [node.args[0]]
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                raise ExpressionError(f"cannot assign to '{shown_text(node.id)}' here", self.column(node))
            if node.id not in self.document:
                hint = f" (call it: {node.id}(x))" if node.id in FUNCTIONS else ""
                raise ExpressionError(f"unknown name '{shown_text(node.id)}'{hint}", self.column(node))
            return []
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ExpressionError("only numbers are allowed as constants", self.column(node), _HELP)
            return []
        what = _REFUSED_NODES.get(type(node), "this is")
        raise ExpressionError(f"{what} not allowed", self.column(node), _HELP)

    def combine(self, node: ast.expr, args: tuple[_Ref, ...]) -> _Ref:
        if isinstance(node, ast.Name):
            return ("name", node.id)
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, (int, float))
            return ("number", self.number(node.value, node))
        if isinstance(node, ast.UnaryOp):
            (ref,) = args
            if isinstance(node.op, ast.UAdd):
                return ref
            if ref[0] == "number":
                assert isinstance(ref[1], float)
                return ("number", -ref[1])
            return self.add(node, "-", (ref,))
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            return self.add(node, node.func.id, args)
        assert isinstance(node, ast.BinOp)
        op = _BIN_OPS[type(node.op)]
        if op == "**":
            return self.add(node, "**", args, exponent=self.exponent(node.right))
        return self.add(node, op, args)

    def exponent(self, root: ast.expr) -> float:
        """The exponent of `**`, which must be a number: a literal, or arithmetic on literals that is
        worked out here and makes no node (`x ** (1/3)`, `x ** 2 ** 2`, `x ** -(1/2)`)."""
        values: list[float] = []
        stack: list[tuple[ast.expr, bool]] = [(root, False)]  # post-order without recursion, as `walk`
        while stack:
            node, operands_done = stack.pop()
            constant = node.value if isinstance(node, ast.Constant) else None
            if isinstance(constant, (int, float)) and not isinstance(constant, bool):
                values.append(self.number(constant, node))
            elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
                if not operands_done:
                    stack += [(node, True), (node.operand, False)]
                elif isinstance(node.op, ast.USub):
                    values[-1] = -values[-1]
            elif isinstance(node, ast.BinOp) and type(node.op) in _BIN_OPS:
                if not operands_done:
                    stack += [(node, True), (node.right, False), (node.left, False)]
                else:
                    right = values.pop()
                    values[-1] = self.arithmetic(node, values[-1], right)
            else:
                raise ExpressionError(
                    "the exponent of ** must be a number", self.column(node), "like x**2, x**-0.5 or x**(1/3)"
                )
        return values[0]

    def arithmetic(self, node: ast.BinOp, a: float, b: float) -> float:
        """`a <op> b` for arithmetic inside an exponent, or the reason there is no such real number."""
        op = _BIN_OPS[type(node.op)]
        try:
            if op == "+":
                result: float | complex = a + b
            elif op == "-":
                result = a - b
            elif op == "*":
                result = a * b
            elif op == "/":
                result = a / b
            else:
                result = a**b  # floats: an overflow raises instead of growing a huge int
        except ZeroDivisionError:
            raise ExpressionError("the exponent divides by zero", self.column(node)) from None
        except OverflowError:
            result = math.inf
        if isinstance(result, complex):
            raise ExpressionError(
                "the exponent is not a real number", self.column(node), "a negative number to a fractional power"
            )
        if not math.isfinite(result):
            raise ExpressionError("the exponent is too large (not a finite number)", self.column(node))
        if result == 0.0 and a != 0.0 and b != 0.0 and op in ("*", "/", "**"):  # not 1 - 1: underflow
            raise ExpressionError("the exponent is too small for a float (it would be 0)", self.column(node))
        return result

    def number(self, value: float, node: ast.AST) -> float:
        try:
            number = float(value)
        except OverflowError:  # an int literal beyond the float range
            number = math.inf
        if not math.isfinite(number):
            raise ExpressionError("the number is too large (not a finite number)", self.column(node))
        if number == 0.0 and underflows(ast.get_source_segment(self.text, node) or ""):
            raise ExpressionError("the number is too small for a float (it would be 0)", self.column(node))
        return number

"""Python code as a workspace: parsed with `ast` against a whitelist, never run. Qt-free.

Two ways of writing a graph are read:

* the app's own `.py` export (micrograd_gui.export_python), which comes back exactly;
* the lecture's way::

      from micrograd.engine import Value
      a = Value(2.0, label='a')
      b = Value(-3.0, label='b')
      e = a*b; e.label = 'e'
      o = (e + 1).tanh()
      o.backward()
      print(a.grad)

Each `Value(number)` is a leaf, each operator (`+ - * / **`, unary `-`) and
method (`.tanh() .exp() .log() .relu()`) an op; a number mixed into an op is
a constant leaf. A value's name is its label when that is a valid name, else
the variable it was first assigned to, else an automatic `t1` (`k1` for a
constant). `x.backward()` sets the value to run backward from. Imports,
`print(...)`, `draw_dot(...)`, `show(...)`, docstrings and bare names (a
notebook showing a value) are ignored. Anything else is refused with a message naming what is
not allowed, its line and its column: "a call to open() is not allowed at
line 3, column 1".
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from micrograd_gui.document import (
    FUNCTIONS,
    MAX_DEFINITIONS,
    Definition,
    check_name,
    underflows,
)
from micrograd_gui.expression import CONSTANT_PREFIX, RESULT_PREFIX
from micrograd_gui.messages import shown_text
from micrograd_gui.workspace_file import Workspace, WorkspaceFileError

MAX_SOURCE_CHARACTERS = 20_000_000  # the app's export of a 100,000-value workspace is about 4 MB

# Modules whose `Value` is the engine's: `from micrograd.engine import Value as V` makes V one too.
_VALUE_MODULES = ("engine", "engine.value", "micrograd", "micrograd.engine")
# Calls that show something and change no value: print(...), draw_dot(L), show(L), micrograd_gui.show(L).
_IGNORED_CALLS = ("print", "draw_dot", "show")

# The helper the app's export defines: `def named(value, label): value.label = label; return value`.
_NAMED_HELPER = ast.dump(
    ast.parse("def named(value, label):\n    value.label = label\n    return value\n").body[0],
    include_attributes=False,
)

_OPERATORS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}

# How a refusal names a piece of Python it does not take.
_DESCRIPTIONS: dict[type[ast.AST], str] = {
    ast.FunctionDef: "a function definition",
    ast.AsyncFunctionDef: "a function definition",
    ast.ClassDef: "a class definition",
    ast.Return: "return",
    ast.Delete: "del",
    ast.AugAssign: "an in-place update (+= and the like)",
    ast.AnnAssign: "an annotated assignment",
    ast.For: "a for loop",
    ast.AsyncFor: "a for loop",
    ast.While: "a while loop",
    ast.If: "an if statement",
    ast.With: "a with statement",
    ast.AsyncWith: "a with statement",
    ast.Raise: "raise",
    ast.Try: "a try statement",
    ast.Assert: "assert",
    ast.Global: "global",
    ast.Nonlocal: "nonlocal",
    ast.Pass: "pass",
    ast.Break: "break",
    ast.Continue: "continue",
    ast.Lambda: "a lambda",
    ast.IfExp: "a conditional expression",
    ast.Dict: "a dict",
    ast.Set: "a set",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Compare: "a comparison",
    ast.BoolOp: "and/or",
    ast.JoinedStr: "an f-string",
    ast.Subscript: "indexing ([...])",
    ast.Starred: "unpacking (*)",
    ast.NamedExpr: "the := operator",
    ast.Slice: "a slice",
}
if hasattr(ast, "Match"):
    _DESCRIPTIONS[ast.Match] = "a match statement"
if hasattr(ast, "TryStar"):
    _DESCRIPTIONS[ast.TryStar] = "a try statement"


class PythonImportError(ValueError):
    """Code that is not a workspace; the message names the line, the column and what is not allowed."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, hint: str = "") -> None:
        where = f" at line {line}, column {column}" if line is not None and column is not None else ""
        super().__init__(message + where + (f": {hint}" if hint else ""))
        self.line = line
        self.column = column


@dataclass(eq=False)
class _Value:
    """A Value the code makes: a leaf (`data`) or an op over earlier ones."""

    op: str = ""
    operands: tuple[_Value, ...] = ()
    data: float | None = None
    exponent: float | None = None
    constant: bool = False  # a number mixed into an op
    label: str = ""
    variables: list[str] = field(default_factory=list)


class _Ignored:
    """What a variable holds that is no Value and no number: the export's `values` list."""


_IGNORED = _Ignored()
_Bound = _Value | float | _Ignored


def read_python(data: bytes | str, source: str = "the code") -> Workspace:
    """The workspace a .py file's contents build, or WorkspaceFileError naming `source`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WorkspaceFileError(f"{source}: it is not Python code (not UTF-8 text)") from None
    try:
        return python_workspace(data)
    except PythonImportError as error:
        raise WorkspaceFileError(f"{source}: {error}") from None


def python_workspace(text: str) -> Workspace:
    """The workspace `text` builds, or PythonImportError. Nothing in `text` is run or imported."""
    if len(text) > MAX_SOURCE_CHARACTERS:
        raise PythonImportError(f"the code is too long ({len(text):,} characters; at most {MAX_SOURCE_CHARACTERS:,})")
    if "\0" in text:
        raise PythonImportError("the code holds a NUL character, so it is not Python")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for `"\d"` and the like: not ours to show
            module = ast.parse(text)
    except SyntaxError as error:
        message = (error.msg or "invalid syntax").split(". Maybe")[0]
        shown = shown_text(message, 120)  # Python's own words may quote the code
        raise PythonImportError(f"it is not Python this app reads ({shown})", error.lineno, error.offset) from None
    except (RecursionError, MemoryError, ValueError, OverflowError):
        raise PythonImportError("the code is nested too deeply to read") from None
    reader = _Reader(text)
    try:
        for statement in module.body:
            reader.statement(statement)
    except RecursionError:
        raise PythonImportError("an expression is nested too deeply to read") from None
    if not reader.values:
        raise PythonImportError("the code makes no Value: write one like a = Value(2.0, label='a')")
    return reader.workspace()


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as ast counts lines
        self.values: list[_Value] = []
        self.bound: dict[str, _Bound] = {}
        self.value_classes = {"Value"}
        self.named_helper = False  # whether the export's `named` is defined
        self.backward_from: _Value | None = None

    # ---- refusals -----------------------------------------------------------

    def column(self, node: ast.AST) -> int | None:
        """The 1-based column of a node, in characters (ast counts UTF-8 bytes)."""
        line, offset = getattr(node, "lineno", None), getattr(node, "col_offset", None)
        if line is None or offset is None or not 0 < line <= len(self.lines):
            return None
        return len(self.lines[line - 1].encode("utf-8")[:offset].decode("utf-8", "replace")) + 1

    def refuse(self, node: ast.AST, message: str, hint: str = "") -> PythonImportError:
        return PythonImportError(message, getattr(node, "lineno", None), self.column(node), hint)

    def not_allowed(self, node: ast.AST) -> PythonImportError:
        if isinstance(node, ast.Call):
            return self.refuse(node, f"a call to {shown_text(self.callee(node.func))}() is not allowed")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self.refuse(node, "this import is not allowed")
        if isinstance(node, ast.Attribute):
            return self.refuse(node, f"the attribute .{shown_text(node.attr)} is not allowed here")
        if isinstance(node, ast.Constant):
            return self.refuse(node, f"{_constant_kind(node.value)} is not allowed here")
        what = _DESCRIPTIONS.get(type(node), f"this ({type(node).__name__})")
        return self.refuse(node, f"{what} is not allowed")

    def callee(self, func: ast.expr) -> str:
        """How a refusal names what is called: `open`, `os.system`, `.append`."""
        if isinstance(func, ast.Name):
            return func.id
        if isinstance(func, ast.Attribute):
            owner = self.callee(func.value) if isinstance(func.value, (ast.Name, ast.Attribute)) else ""
            return f"{owner}.{func.attr}"
        return "this"

    # ---- statements ---------------------------------------------------------

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ImportFrom):
            if node.module in _VALUE_MODULES:
                self.value_classes.update(alias.asname or alias.name for alias in node.names if alias.name == "Value")
            return  # never run, so an import changes nothing
        if isinstance(node, ast.Import):
            return
        if isinstance(node, ast.Expr):
            self.expression_statement(node.value)
        elif isinstance(node, ast.Assign):
            value = node.value
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.FunctionDef) and ast.dump(node, include_attributes=False) == _NAMED_HELPER:
            self.named_helper = True
            self.bound.pop("named", None)
        elif isinstance(node, ast.For) and self.is_print_loop(node):
            return  # the export's `for value in values: print(...)`
        else:
            raise self.not_allowed(node)

    def expression_statement(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return  # a docstring
        if isinstance(node, (ast.Name, ast.Attribute)) and self.is_shown(node):
            return  # a notebook cell ending in `L` or `a.grad` shows it
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _IGNORED_CALLS and func.id not in self.bound:
                return
            if isinstance(func, ast.Attribute) and func.attr in _IGNORED_CALLS[1:]:
                owner = func.value
                if isinstance(owner, ast.Name) and owner.id not in self.bound:
                    return  # engine.draw_dot(L), micrograd_gui.show(L)
            if isinstance(func, ast.Attribute) and func.attr == "backward":
                if node.args or node.keywords:
                    raise self.refuse(node, "backward() takes no arguments")
                self.backward_from = self.value(func.value, "backward() needs a Value")
                return
            if isinstance(func, ast.Attribute) and func.attr == "_backward":
                raise self.refuse(node, "_backward() by hand is not allowed", "run .backward() from one value")
        self.expression(node)  # checked like any expression, then refused: nothing would keep its result
        raise self.refuse(node, "a value that nothing keeps is not allowed", "assign it to a name")

    def is_shown(self, node: ast.Name | ast.Attribute) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.bound
        owner = node.value
        return isinstance(owner, ast.Name) and owner.id in self.bound and node.attr in ("data", "grad", "label")

    def is_print_loop(self, node: ast.For) -> bool:
        return (
            isinstance(node.target, ast.Name)
            and isinstance(node.iter, ast.Name)
            and isinstance(self.bound.get(node.iter.id), _Ignored)
            and not node.orelse
            and all(
                isinstance(s, ast.Expr)
                and isinstance(s.value, ast.Call)
                and isinstance(s.value.func, ast.Name)
                and s.value.func.id == "print"
                for s in node.body
            )
        )

    def assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, self.bound_value(value))
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            if len(target.elts) != len(value.elts) or not all(isinstance(t, ast.Name) for t in target.elts):
                raise self.refuse(target, "assign a tuple of names to a tuple of the same length")
            results = [self.bound_value(v) for v in value.elts]  # all of the right side first, as Python does
            for name, result in zip(target.elts, results):
                assert isinstance(name, ast.Name)
                self.bind(name.id, result)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(target, value)
        else:
            raise self.refuse(target, f"assigning to {_DESCRIPTIONS.get(type(target), 'this')} is not allowed")

    def bound_value(self, node: ast.expr) -> _Bound:
        """What an assignment binds: a Value, a number, or the export's list of values."""
        if isinstance(node, ast.List) and all(
            isinstance(e, ast.Name) and isinstance(self.bound.get(e.id), _Value) for e in node.elts
        ):
            return _IGNORED
        return self.expression(node)

    def bind(self, name: str, result: _Bound) -> None:
        self.bound[name] = result
        if isinstance(result, _Value):
            result.variables.append(name)

    def set_attribute(self, target: ast.Attribute, value: ast.expr) -> None:
        owner = self.value(target.value, f"only a Value's .{shown_text(target.attr)} can be set")
        if target.attr == "label":
            if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
                raise self.refuse(value, "a label must be text in quotes")
            owner.label = value.value
        elif target.attr == "data":
            if owner.op:
                raise self.refuse(target, "setting the data of a computed value is not allowed", "only a leaf's")
            owner.data = self.number(value)
        elif target.attr == "constant":
            if owner.op:
                raise self.refuse(target, "only a leaf can be a constant")
            if not (isinstance(value, ast.Constant) and isinstance(value.value, bool)):
                raise self.refuse(value, "constant must be True or False")
            owner.constant = value.value
        elif target.attr == "grad":
            raise self.refuse(target, "setting a grad by hand is not allowed", "grads come from .backward()")
        else:
            raise self.refuse(target, f"setting .{shown_text(target.attr)} is not allowed")

    # ---- expressions --------------------------------------------------------

    def value(self, node: ast.expr, refusal: str) -> _Value:
        result = self.expression(node)
        if not isinstance(result, _Value):
            raise self.refuse(node, refusal)
        return result

    def number(self, node: ast.expr) -> float:
        result = self.expression(node)
        if not isinstance(result, float):
            raise self.refuse(node, "this must be a number")
        return result

    def expression(self, node: ast.expr) -> _Value | float:
        if isinstance(node, ast.Constant):
            return self.literal(node)
        if isinstance(node, ast.Name):
            bound = self.bound.get(node.id)
            if bound is None:
                raise self.refuse(node, f"'{shown_text(node.id)}' is not defined before it is used")
            if isinstance(bound, _Ignored):
                raise self.refuse(node, f"'{shown_text(node.id)}' is not a Value or a number")
            return bound
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.expression(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return -operand if isinstance(operand, float) else self.make(node, "-", (operand,))
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return self.binary(node, _OPERATORS[type(node.op)])
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.not_allowed(node)

    def literal(self, node: ast.Constant) -> float:
        number = node.value
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            raise self.not_allowed(node)
        try:
            result = float(number)
        except OverflowError:
            raise self.refuse(node, "this number is too large") from None
        if not math.isfinite(result):
            raise self.refuse(node, "this number is too large")
        if result == 0.0 and isinstance(number, float):
            text = self.source(node)
            if underflows(text):
                raise self.refuse(node, f"the number {shown_text(text)} is too small for a float (it would be 0)")
        return result

    def source(self, node: ast.expr) -> str:
        """The text of a node on one line (ast's offsets count UTF-8 bytes)."""
        if node.lineno != node.end_lineno or not 0 < node.lineno <= len(self.lines):
            return ""
        line = self.lines[node.lineno - 1].encode("utf-8")
        return line[node.col_offset : node.end_col_offset].decode("utf-8", "replace")

    def binary(self, node: ast.BinOp, op: str) -> _Value | float:
        left, right = self.expression(node.left), self.expression(node.right)
        if isinstance(left, float) and isinstance(right, float):
            return self.fold(node, op, left, right)
        if op == "**":
            if not isinstance(left, _Value) or not isinstance(right, float):
                raise self.refuse(node, "** is allowed only with a number as its exponent", "like x ** 2")
            return self.make(node, "**", (left,), exponent=right)
        return self.make(node, op, (self.operand(left), self.operand(right)))

    def fold(self, node: ast.BinOp, op: str, x: float, y: float) -> float:
        """Arithmetic on two numbers, as Python would do it (`h = 0.001 * 2`), or a refusal."""
        try:
            result: float | complex = _ARITHMETIC[op](x, y)  # floats: an overflow raises, never a huge int
        except ZeroDivisionError:
            raise self.refuse(node, "this divides by zero") from None
        except OverflowError:
            raise self.refuse(node, "this number is too large") from None
        if isinstance(result, complex) or not math.isfinite(result):
            raise self.refuse(node, "this is not a finite real number")
        return result

    def operand(self, x: _Value | float) -> _Value:
        """A number in an op becomes a constant leaf, as the engine makes it."""
        if isinstance(x, _Value):
            return x
        leaf = _Value(data=x, constant=True)
        self.add(leaf)
        return leaf

    def call(self, node: ast.Call) -> _Value:
        func = node.func
        if isinstance(func, ast.Name) and func.id in self.value_classes and func.id not in self.bound:
            return self.leaf(node)
        if isinstance(func, ast.Name) and func.id == "named" and self.named_helper and "named" not in self.bound:
            if len(node.args) != 2 or node.keywords:
                raise self.refuse(node, "named() takes a Value and its label")
            result = self.value(node.args[0], "named() takes a Value first")
            label = node.args[1]
            if not (isinstance(label, ast.Constant) and isinstance(label.value, str)):
                raise self.refuse(label, "a label must be text in quotes")
            result.label = label.value
            return result
        if isinstance(func, ast.Attribute) and func.attr in FUNCTIONS:
            if node.args or node.keywords:
                raise self.refuse(node, f".{shown_text(func.attr)}() takes no arguments")
            operand = self.value(func.value, f".{shown_text(func.attr)}() needs a Value, not a number")
            return self.make(node, func.attr, (operand,))
        raise self.not_allowed(node)

    def leaf(self, node: ast.Call) -> _Value:
        """`Value(2.0, label='a')`, `Value(data=2.0)`."""
        data: ast.expr | None = node.args[0] if len(node.args) == 1 else None
        label = ""
        if len(node.args) > 1:
            raise self.refuse(node, "Value() takes one number (and label=...) here")
        for keyword in node.keywords:
            if keyword.arg == "data" and data is None:
                data = keyword.value
            elif keyword.arg == "label":
                if not (isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)):
                    raise self.refuse(keyword.value, "a label must be text in quotes")
                label = keyword.value.value
            else:
                raise self.refuse(keyword.value, f"Value() takes data and label, not {shown_text(keyword.arg or '**')}")
        if data is None:
            raise self.refuse(node, "Value() needs a number")
        leaf = _Value(data=self.number(data), label=label)
        self.add(leaf)
        return leaf

    def make(self, node: ast.AST, op: str, operands: tuple[_Value, ...], exponent: float | None = None) -> _Value:
        result = _Value(op=op, operands=operands, exponent=exponent)
        self.add(result, node)
        return result

    def add(self, value: _Value, node: ast.AST | None = None) -> None:
        if len(self.values) >= MAX_DEFINITIONS:
            where = node if node is not None else ast.Pass()
            raise self.refuse(where, f"the code makes more than {MAX_DEFINITIONS:,} values")
        self.values.append(value)

    # ---- the workspace -------------------------------------------------------

    def workspace(self) -> Workspace:
        prefixes = [CONSTANT_PREFIX if v.constant or not v.op else RESULT_PREFIX for v in self.values]
        chosen = unique_names([(v.label, v.variables, p) for v, p in zip(self.values, prefixes)])
        names = dict(zip(self.values, chosen))
        definitions = tuple(
            Definition(names[v], data=v.data, constant=v.constant)
            if not v.op
            else Definition(names[v], v.op, tuple(names[o] for o in v.operands), exponent=v.exponent)
            for v in self.values
        )
        root = names[self.backward_from] if self.backward_from is not None else None
        return Workspace(definitions, root)


def unique_names(values: Sequence[tuple[str, Sequence[str], str]]) -> list[str]:
    """A unique name for each value given as (label, variables, prefix): its label if that is a valid
    name, else its first variable that is, else the next free `{prefix}1`, `{prefix}2`, ... Labels are
    placed first, so a variable never takes a name a label asks for."""
    names: list[str] = [""] * len(values)
    taken: set[str] = set()
    for tier in (0, 1):
        for i, (label, variables, _) in enumerate(values):
            if names[i]:
                continue
            for candidate in [label] if tier == 0 else variables:
                if candidate and candidate not in taken and check_name(candidate) is None:
                    names[i] = candidate
                    taken.add(candidate)
                    break
    counters: dict[str, int] = {}
    for i, (_, _, prefix) in enumerate(values):
        if names[i]:
            continue
        n = counters.get(prefix, 1)
        while f"{prefix}{n}" in taken:
            n += 1
        counters[prefix] = n + 1
        names[i] = f"{prefix}{n}"
        taken.add(names[i])
    return names


def _constant_kind(value: object) -> str:
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, bytes):
        return "bytes"
    if isinstance(value, complex):
        return "a complex number"
    return "this constant"

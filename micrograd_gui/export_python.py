"""A workspace as a runnable Python script over the engine. Qt-free.

The script rebuilds every value with the engine's operators (`e = a * b`), labels
each with its name, runs backward from one output and prints one line per value,
`a data=2.0000 grad=6.0000`: the numbers the app shows. Only validated names,
numbers written with `repr` and operators from a fixed table go into the script,
so nothing a file holds can inject code.
"""

from __future__ import annotations

import builtins
import keyword

from micrograd_gui.document import BINARY_OPS, FUNCTIONS, Definition, Document, DocumentError

_IMPORTED = ("Value", "format_decimals")  # what the script imports from engine
# Names the script itself uses; a value called one of these gets a variable with a trailing _.
_TAKEN = frozenset(dir(builtins)) | {*_IMPORTED, "named", "values", "value", "engine"}


def _variables(names: list[str]) -> dict[str, str]:
    """A Python variable per value name: the name itself unless the script needs it."""
    used = set(names)
    variables = {}
    for name in names:
        variable = name
        if variable in _TAKEN:
            while variable in _TAKEN or variable in used or keyword.iskeyword(variable):
                variable += "_"
            used.add(variable)
        variables[name] = variable
    return variables


def _expression(d: Definition, v: dict[str, str]) -> str:
    operands = [v[o] for o in d.operands]
    if d.is_leaf:
        return f'Value({float(d.data if d.data is not None else 0.0)!r}, label="{d.name}")'
    if d.op == "**":
        return f"{operands[0]} ** {float(d.exponent if d.exponent is not None else 0.0)!r}"
    if d.op in FUNCTIONS:
        return f"{operands[0]}.{d.op}()"
    if d.op == "-" and len(operands) == 1:
        return f"-{operands[0]}"
    if d.op in BINARY_OPS and len(operands) == 2:
        return f"{operands[0]} {d.op} {operands[1]}"
    raise DocumentError(f"'{d.name}': operation '{d.op}' cannot be exported")


def output_name(document: Document, root: str | None = None) -> str | None:
    """The value a script runs backward from: `root`, else the last backward's, else the newest."""
    if root is not None:
        if root not in document:
            raise DocumentError(f"'{root}' does not exist")
        return root
    if document.backward_root is not None:
        return document.backward_root
    names = document.names
    return names[-1] if names else None


def python_script(document: Document, root: str | None = None) -> str:
    """A runnable script that rebuilds the workspace, runs backward from the output and
    prints each value's name, data and grad as the app shows them (4 decimals; from 1e10 on, 4 in
    scientific notation)."""
    definitions = document.definitions
    v = _variables([d.name for d in definitions])
    out = output_name(document, root)
    lines = [
        '"""A micrograd-gui workspace as a script: rebuild it, run backward, print every value."""',
        "",
        f"from engine import {', '.join(_IMPORTED)}",
        "",
        "",
        "def named(value, label):",
        "    value.label = label",
        "    return value",
        "",
        "",
    ]
    for d in definitions:
        if d.is_leaf:
            lines.append(f"{v[d.name]} = {_expression(d, v)}")
            if d.constant:
                lines.append(f"{v[d.name]}.constant = True  # a number typed in an expression: never trained")
        else:
            lines.append(f'{v[d.name]} = named({_expression(d, v)}, "{d.name}")')
    lines.append("")
    if out is not None:
        lines.append(f"{v[out]}.backward()")
        lines.append("")
    lines.append("values = [" + ", ".join(v[d.name] for d in definitions) + "]")
    lines.append("for value in values:")
    lines.append('    print(f"{value.label} data={format_decimals(value.data)} grad={format_decimals(value.grad)}")')
    return "\n".join(lines) + "\n"

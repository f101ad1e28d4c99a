"""A micrograd-compatible scalar autograd engine. Pure Python; no Qt."""

from engine import nn
from engine.graph import draw_dot, escape_record_text, op_symbol, record_cells, trace
from engine.value import (
    LOCAL_GRAD_FORMULAS,
    LOCAL_GRADS,
    Value,
    format_decimals,
    format_number,
    local_grads,
    topological_order,
)

__all__ = [
    "LOCAL_GRADS",
    "LOCAL_GRAD_FORMULAS",
    "Value",
    "draw_dot",
    "escape_record_text",
    "format_decimals",
    "format_number",
    "local_grads",
    "nn",
    "op_symbol",
    "record_cells",
    "topological_order",
    "trace",
]

"""Writes the corpus of corrupt workspace files next to this script.

Each file must be refused with one clear message by the window and by
`micrograd-gui export`; tests/test_workspace_file.py lists the message expected
for each. Run `python tests/data/corrupt/generate.py` after changing this list.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
HEAD = '{"format": "micrograd-gui-workspace", "version": 1, "values": '


def workspace(values: str, extra: str = "") -> str:
    return HEAD + values + extra + "}\n"


LECTURE = (HERE.parent.parent.parent / "resources" / "examples" / "lecture.json").read_text()

FILES: dict[str, str | bytes] = {
    "empty.json": "",
    "whitespace.json": "  \n\t\n",
    "truncated.json": LECTURE[: len(LECTURE) // 2],
    "not_json.json": "this is not JSON, it is a sentence.\n",
    "binary.json": bytes(range(256)) * 4,
    "nul_bytes.json": b'{"format"\x00: 1}',
    "top_level_list.json": "[1, 2, 3]\n",
    "no_format.json": '{"version": 1, "values": []}\n',
    "wrong_format.json": '{"format": "some-other-program", "version": 1, "values": []}\n',
    "future_version.json": '{"format": "micrograd-gui-workspace", "version": 3, "values": []}\n',
    "version_text.json": '{"format": "micrograd-gui-workspace", "version": "1", "values": []}\n',
    "version_zero.json": '{"format": "micrograd-gui-workspace", "version": 0, "values": []}\n',
    "values_not_list.json": workspace('{"a": 2.0}'),
    "value_not_object.json": workspace('[["a", 2.0]]'),
    "name_missing.json": workspace('[{"data": 2.0}]'),
    "name_number.json": workspace('[{"name": 5, "data": 2.0}]'),
    "data_text.json": workspace('[{"name": "a", "data": "2.0"}]'),
    "data_bool.json": workspace('[{"name": "a", "data": true}]'),
    "data_and_op.json": workspace(
        '[{"name": "a", "data": 1.0}, {"name": "b", "data": 2.0, "op": "+", "operands": ["a", "a"]}]'
    ),
    "leaf_without_data.json": workspace('[{"name": "a"}]'),
    "unknown_op.json": workspace('[{"name": "a", "data": 1.0}, {"name": "b", "op": "sin", "operands": ["a"]}]'),
    "op_not_text.json": workspace('[{"name": "a", "data": 1.0}, {"name": "b", "op": 3, "operands": ["a"]}]'),
    "wrong_arity.json": workspace('[{"name": "a", "data": 1.0}, {"name": "b", "op": "*", "operands": ["a"]}]'),
    "operands_not_names.json": workspace('[{"name": "a", "data": 1.0}, {"name": "b", "op": "+", "operands": [1, 2]}]'),
    "dangling_operand.json": workspace(
        '[{"name": "a", "data": 1.0}, {"name": "e", "op": "*", "operands": ["a", "q"]}]'
    ),
    "cycle.json": workspace(
        '[{"name": "a", "op": "+", "operands": ["b", "b"]}, {"name": "b", "op": "+", "operands": ["a", "a"]}]'
    ),
    "self_reference.json": workspace('[{"name": "a", "op": "tanh", "operands": ["a"]}]'),
    "used_before_defined.json": workspace(
        '[{"name": "b", "op": "exp", "operands": ["a"]}, {"name": "a", "data": 1.0}]'
    ),
    "duplicate_names.json": workspace('[{"name": "a", "data": 1.0}, {"name": "a", "data": 2.0}]'),
    "bad_name.json": workspace('[{"name": "2x", "data": 1.0}]'),
    "keyword_name.json": workspace('[{"name": "class", "data": 1.0}]'),
    "long_name.json": workspace('[{"name": "' + "n" * 40 + '", "data": 1.0}]'),
    "control_character_name.json": workspace('[{"name": "a\\nb", "data": 1.0}]'),
    "empty_name.json": workspace('[{"name": "", "data": 1.0}]'),
    "nan.json": workspace('[{"name": "a", "data": NaN}]'),
    "infinity.json": workspace('[{"name": "a", "data": -Infinity}]'),
    "huge_float.json": workspace('[{"name": "a", "data": 1e400}]'),
    "tiny_float.json": workspace('[{"name": "a", "data": 1e-400}]'),
    "huge_int.json": workspace('[{"name": "a", "data": 1' + "0" * 400 + "}]"),
    "endless_int.json": workspace('[{"name": "a", "data": 1' + "0" * 5000 + "}]"),
    "exponent_missing.json": workspace('[{"name": "a", "data": 1.0}, {"name": "b", "op": "**", "operands": ["a"]}]'),
    "exponent_on_other_op.json": workspace(
        '[{"name": "a", "data": 1.0}, {"name": "b", "op": "+", "operands": ["a", "a"], "exponent": 2.0}]'
    ),
    "unknown_value_key.json": workspace('[{"name": "a", "data": 1.0, "colour": "red"}]'),
    "unknown_top_key.json": workspace("[]", ', "extra": 1'),
    "duplicate_key.json": workspace('[{"name": "a", "data": 1.0, "data": 2.0}]'),
    "backward_from_unknown.json": workspace('[{"name": "a", "data": 1.0}]', ', "backward_from": "z"'),
    "backward_from_number.json": workspace('[{"name": "a", "data": 1.0}]', ', "backward_from": 1'),
    "log_negative.json": workspace('[{"name": "a", "data": -1.0}, {"name": "b", "op": "log", "operands": ["a"]}]'),
    "divide_by_zero.json": workspace(
        '[{"name": "a", "data": 1.0}, {"name": "z", "data": 0.0}, {"name": "q", "op": "/", "operands": ["a", "z"]}]'
    ),
    "overflow.json": workspace('[{"name": "a", "data": 1000.0}, {"name": "b", "op": "exp", "operands": ["a"]}]'),
    "negative_fractional_power.json": workspace(
        '[{"name": "a", "data": -8.0}, {"name": "b", "op": "**", "operands": ["a"], "exponent": 0.5}]'
    ),
    "deep_nesting.json": "[" * 100_000 + "]" * 100_000,
    "deep_nesting_in_value.json": workspace('[{"name": "a", "data": ' + "[" * 50_000 + "]" * 50_000 + "}]"),
    "too_many_values.json": workspace("[" + ",".join(["0"] * 100_001) + "]"),
}


def main() -> None:
    for old in HERE.glob("*.json"):
        old.unlink()
    for name, content in FILES.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (HERE / name).write_bytes(data)
    json.dumps(sorted(FILES))  # the names themselves are plain text


if __name__ == "__main__":
    main()

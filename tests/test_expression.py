"""The expression language: what it builds, what it refuses, and that refusing changes nothing."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import Value
from micrograd_gui.document import Definition, Document, DocumentError
from micrograd_gui.expression import (
    MAX_NESTING,
    MAX_OPERATIONS,
    ExpressionError,
    in_typed_terms,
    parse_expression,
    parse_expression_sources,
)


def lecture_leaves() -> Document:
    document = Document()
    for name, data in [("a", 2.0), ("b", -3.0), ("c", 10.0), ("f", -2.0)]:
        document.add_leaf(name, data)
    return document


def neuron_leaves() -> Document:
    document = Document()
    for name, data in [("x1", 2.0), ("x2", 0.0), ("w1", -3.0), ("w2", 1.0), ("b", 6.8813735870195432)]:
        document.add_leaf(name, data)
    return document


def apply(document: Document, text: str) -> list[Definition]:
    definitions = parse_expression(text, document)
    document.add_many(definitions)
    return definitions


def test_lecture_expression_builds_l():
    """`L = (a*b + c) * f` computes -8 with automatic names for the intermediate results."""
    document = lecture_leaves()
    definitions = apply(document, "L = (a*b + c) * f")
    assert document.data("L") == -8.0
    assert [d.name for d in definitions] == ["t1", "t2", "L"]
    assert definitions[0] == Definition("t1", "*", ("a", "b"))
    assert definitions[1] == Definition("t2", "+", ("t1", "c"))


def test_neuron_expression():
    """`o = tanh(x1*w1 + x2*w2 + b)` gives the lecture's 0.7071."""
    document = neuron_leaves()
    apply(document, "o = tanh(x1*w1 + x2*w2 + b)")
    assert document.data("o") == pytest.approx(0.7071, abs=1e-4)
    assert document.definition("o").op == "tanh"


def test_number_literals_become_constant_leaves():
    """`y = 2*o + 1`: each literal is its own constant leaf."""
    document = lecture_leaves()
    definitions = apply(document, "y = 2*a + 1")
    leaves = [d for d in definitions if d.is_leaf]
    assert [d.data for d in leaves] == [2.0, 1.0]
    assert all(d.name.startswith("k") for d in leaves)
    assert document.data("y") == 5.0


def test_subtraction_division_and_power():
    """`q = a - b/c` and `s = a**2`, `r = a**-1` use the engine's ops; ** keeps its exponent."""
    document = lecture_leaves()
    apply(document, "q = a - b/c")
    assert document.data("q") == 2.0 - (-3.0 / 10.0)
    definitions = apply(document, "s = a**2")
    assert definitions == [Definition("s", "**", ("a",), exponent=2.0)]
    apply(document, "r = a ** -1")
    assert document.data("r") == 0.5


@pytest.mark.parametrize(
    ("text", "exponent"),
    [
        ("a ** (1/2)", 0.5),
        ("a ** 2 ** 2", 4.0),
        ("a ** -(1/2)", -0.5),
        ("a ** ((3 - 1) * 1.5)", 3.0),
        ("a**(2*0.5)", 1.0),
        ("a ** (1 - 1)", 0.0),
        ("a ** (0 * 5)", 0.0),
        ("a ** (0 ** 2)", 0.0),
        ("a ** (1e-200 * 1e-120)", 1e-320),
    ],
)
def test_an_exponent_may_be_arithmetic_on_numbers(text, exponent):
    """The exponent of ** is worked out to one number and makes no node: `a ** (1/2)` is one ** node."""
    document = lecture_leaves()
    definitions = apply(document, "s = " + text)
    powers = [d for d in definitions if d.op == "**"]
    assert [(d.operands, d.exponent) for d in powers] == [(("a",), exponent)]
    assert not any(d.is_leaf for d in definitions[: definitions.index(powers[0])])
    assert document.data(powers[0].name) == pytest.approx(2.0**exponent)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a ** (b / 2)", "exponent of \\*\\* must be a number at column 11"),
        ("a ** tanh(1)", "exponent of \\*\\* must be a number at column 10"),
        ("a ** (1 / (2 - 2))", "exponent divides by zero at column 11"),
        ("a ** (0 ** -1)", "exponent divides by zero at column 11"),
        ("a ** (10 ** 400)", "exponent is too large"),
        ("a ** (1e308 + 1e308)", "exponent is too large"),
        ("a ** ((-8) ** (1/3))", "exponent is not a real number at column 11"),
        ("a ** (2 ** 99999999999)", "exponent is too large"),
        ("a ** (10 ** -400)", "exponent is too small for a float \\(it would be 0\\) at column 11"),
        ("a ** (1e-200 * 1e-200)", "exponent is too small"),
        ("a ** (1e-200 / 1e200)", "exponent is too small"),
        ("a ** ((-0.5) ** 2001)", "exponent is too small"),
    ],
)
def test_an_exponent_that_is_not_a_number_is_refused(text, message):
    """Names, calls, and arithmetic with no real finite answer are refused, with where, and add nothing."""
    document = lecture_leaves()
    before = document.definitions
    with pytest.raises(ExpressionError, match=message):
        parse_expression("s = " + text, document)
    assert document.definitions == before


def test_leaf_and_unary_minus():
    """`x = 2` creates a leaf named x; `-a` is a negation node; `-2` is a constant."""
    document = lecture_leaves()
    assert apply(document, "x = 2") == [Definition("x", data=2.0)]
    assert apply(document, "z = -2") == [Definition("z", data=-2.0)]
    (neg,) = apply(document, "n = -a")
    assert (neg.op, neg.operands) == ("-", ("a",))


def test_bare_expression_gets_an_automatic_name():
    """Without `NAME =` the result gets the next automatic name."""
    document = lecture_leaves()
    definitions = apply(document, "tanh(a) + relu(b)")
    assert definitions[-1].name == "t3"
    assert document.data("t3") == pytest.approx(math.tanh(2.0))


def test_automatic_names_skip_taken_names():
    """Automatic names never collide with existing values or the target."""
    document = lecture_leaves()
    document.add_leaf("t1", 1.0)
    definitions = apply(document, "t2 = a*b + c")
    assert [d.name for d in definitions] == ["t3", "t2"]


def test_columns_in_messages():
    """Messages say where the problem is."""
    document = lecture_leaves()
    with pytest.raises(ExpressionError, match="unknown name 'q' at column 5") as info:
        parse_expression("a + q", document)
    assert info.value.column == 5


HOSTILE = [
    ("a.__class__", "attribute access"),
    ("__import__('os')", "unexpected character"),
    ("(lambda: a)", "unexpected character ':'"),
    ("a[0]", "unexpected character '\\['"),
    ("[a for a in b]", "unexpected character '\\['"),
    ("(a for a in b)", "'for' is not allowed"),
    ("a if b else c", "'if' is not allowed"),
    ("print(a)", "'print' is not a function"),
    ("open(a)", "'open' is not a function"),
    ("x = q + 1", "unknown name 'q'"),
    ("a = b * 2", "'a' already exists"),
    ("x = a", "computes nothing"),
    ("x = (+a)", "computes nothing"),
    ("b", "computes nothing"),
    ("(x := a)", "unexpected character ':'"),
    ('f"{a}"', "unexpected character"),
    ("tanh(x=a)", "keyword"),
    ("tanh(*a)", "exactly one argument"),
    ("tanh(a, b)", "exactly one argument"),
    ("tanh()", "exactly one argument"),
    ("a ** b", "exponent of \\*\\* must be a number"),
    ("a // b", "'//' is not allowed"),
    ("a == b", "'==' is not allowed"),
    ("x = y = a", "one name"),
    ("x += 1", "'\\+=' is not allowed"),
    ("not a", "'not' is not allowed"),
    ("True", "'True' is not allowed"),
    ("x = 1j", "not a decimal number"),
    ("x = 0x10", "not a decimal number"),
    ("x = 1e400", "too large"),
    ("x = a * 1e-400", "too small"),
    ("x = a; y = b", "unexpected character ';'"),
    ("a +", "cannot read"),
    ("(a", "never closed"),
    ("a)", "without a matching"),
    ("x₀ = 1", "unexpected character '₀'"),  # x₀: subscript digits are not identifier characters
    ("", "type an expression"),
    ("x = tanh", "unknown name 'tanh'"),
    ("1 = a", "cannot read"),
    ("for = 1", "'for' is not allowed"),
    ("x" * 40 + " = 1", "at most 32 characters"),
    ("(" * 3000 + "a" + ")" * 3000, f"more than {MAX_NESTING} levels of nesting"),
    ("+".join(["a"] * 20_000), f"at most {MAX_OPERATIONS}"),
    ("+".join(["a"] * (MAX_OPERATIONS + 2)), f"at most {MAX_OPERATIONS}"),
    ("x = " + "9" * 5000, "too long"),
    ("x = " + "1" * 4400 + ".5", "too long"),
    ("-" * 9000 + "a", f"at most {MAX_OPERATIONS}"),
    ("a" * 20_000, "too long"),
]


def test_names_may_be_any_python_identifier():
    """`Δx = α * 2` works as Python reads it, and a refusal after a Greek letter points at the right column."""
    document = Document()
    document.add_leaf("α", 2.0)
    definitions = parse_expression("Δx = α * 2", document)
    assert definitions[-1] == Definition("Δx", "*", ("α", "k1"))
    with pytest.raises(ExpressionError, match="unknown name 'q' at column 9"):
        parse_expression("y = α + q", document)


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[t[:24] for t, _ in HOSTILE])
def test_hostile_input_is_refused_and_changes_nothing(text, message):
    """Anything outside the language is refused with a clear message and adds nothing."""
    document = lecture_leaves()
    before = document.definitions
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text, document)
    assert document.definitions == before


def test_maths_error_is_found_before_anything_is_added():
    """`log(a - a)` parses but the document refuses it whole."""
    document = lecture_leaves()
    before = document.definitions
    definitions = parse_expression("y = log(a - a) + 1", document)
    with pytest.raises(DocumentError, match="log of a non-positive number"):
        document.check_many(definitions)
    assert document.definitions == before


def test_limits_are_inclusive():
    """Exactly 500 operations and 50 levels of parentheses are accepted."""
    document = lecture_leaves()
    apply(document, "s = " + "+".join(["a"] * (MAX_OPERATIONS + 1)))
    assert document.data("s") == 2.0 * (MAX_OPERATIONS + 1)
    apply(document, "p = " + "(" * MAX_NESTING + "a*b" + ")" * MAX_NESTING)
    assert document.data("p") == -6.0


def test_signed_literals_do_not_count_as_operations():
    """`a ** -1` and `2 - -3` count one operation each, like the nodes they build."""
    document = lecture_leaves()
    text = "s = " + "+".join(["a ** -1"] * 250)  # 250 powers + 249 additions
    assert len(apply(document, text)) == 499


def test_deep_left_chain_does_not_recurse():
    """A 500-term sum (a 500-deep tree) builds without recursion trouble."""
    document = lecture_leaves()
    definitions = apply(document, "-".join(["a"] * 501))
    assert len(definitions) == 500


# ---- fuzzing --------------------------------------------------------------

LEAVES = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
FUNCTIONS = ("tanh", "exp", "log", "relu")

numbers = st.one_of(
    st.integers(min_value=-20, max_value=20).map(float),
    st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False),
)
atoms = st.one_of(st.sampled_from(sorted(LEAVES)).map(lambda n: ("name", n)), numbers.map(lambda x: ("num", x)))


def _extend(children):
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), children, children),
        st.tuples(st.sampled_from(FUNCTIONS), children),
        st.tuples(st.just("neg"), children),
        st.tuples(st.just("**"), children, st.sampled_from([2.0, 3.0, -1.0, 0.5, -0.5, 0.0, 1.0])),
    )


trees = st.recursive(atoms, _extend, max_leaves=12)


def render(tree) -> str:
    kind = tree[0]
    if kind == "name":
        return tree[1]
    if kind == "num":
        return f"({tree[1]!r})"
    if kind == "neg":
        return f"(-{render(tree[1])})"
    if kind == "**":
        return f"({render(tree[1])} ** {tree[2]!r})"
    if kind in FUNCTIONS:
        return f"{kind}({render(tree[1])})"
    return f"({render(tree[1])} {kind} {render(tree[2])})"


def reference(tree, values: dict[str, Value]) -> Value:
    """The same expression computed with engine Values directly."""
    kind = tree[0]
    if kind == "name":
        return values[tree[1]]
    if kind == "num":
        return Value(tree[1])
    if kind == "neg":
        return -reference(tree[1], values)
    if kind == "**":
        return reference(tree[1], values) ** tree[2]
    if kind in FUNCTIONS:
        return getattr(reference(tree[1], values), kind)()
    left, right = reference(tree[1], values), reference(tree[2], values)
    if kind == "+":
        return left + right
    if kind == "-":
        return left - right
    return left * right if kind == "*" else left / right


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.booleans())
def test_accepted_expressions_match_the_engine(tree, assign):
    """Whatever is accepted computes what the same expression computes with engine Values."""
    document = Document()
    for name, data in LEAVES.items():
        document.add_leaf(name, data)
    before = document.definitions
    text = ("y = " if assign else "") + render(tree)
    try:
        expected: float | None = reference(tree, {n: document.value(n) for n in LEAVES}).data
    except (ZeroDivisionError, ValueError, OverflowError):
        expected = None
    try:
        definitions = parse_expression(text, document)
        document.add_many(definitions)
    except DocumentError:
        assert document.definitions == before
        refused = True
    else:
        refused = False
    if tree[0] == "name":
        assert refused  # a bare name computes nothing
    elif expected is None:
        assert refused
    else:
        assert not refused
        assert document.data(definitions[-1].name) == expected
        if assign:
            assert definitions[-1].name == "y"


hostile_fragments = st.sampled_from(
    [
        "a.real",
        "a[0]",
        "print(a)",
        "(lambda: a)",
        "'s'",
        "(a if b else c)",
        "(a == b)",
        "(y := a)",
        "tanh(a, b)",
        "tanh(x=a)",
        "unknown_name",
        "(a and b)",
        "{a}",
        "a @ b",
        "a % b",
        "`a`",
        "a // b",
        "(*a,)",
        "1j",
        "None",
    ]
)


@settings(max_examples=100, deadline=None)
@given(trees, hostile_fragments, st.sampled_from(["+", "*", "-"]))
def test_expressions_with_a_hostile_part_are_refused(tree, fragment, op):
    """A valid expression with any forbidden piece inside is refused and creates nothing."""
    document = lecture_leaves()
    before = document.definitions
    with pytest.raises(ExpressionError):
        parse_expression(f"y = {render(tree)} {op} {fragment}", document)
    assert document.definitions == before


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.text(alphabet="abcf0123456789.+-*/()=, _etanhxplogrelu", max_size=60),
    )
)
def test_random_text_never_crashes(text):
    """Random text is either accepted whole or refused with a DocumentError; never anything else."""
    document = lecture_leaves()
    before = document.definitions
    try:
        definitions = parse_expression(text, document)
        document.add_many(definitions)
    except DocumentError:
        assert document.definitions == before
    else:
        assert document.definitions == before + tuple(definitions)
        assert definitions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L = log(a*b + 6) + c", "cannot compute log(a*b + 6): log of a non-positive number: a*b + 6 = 0 is not"),
        ("tanh(c) / (a - a)", "cannot compute tanh(c) / (a - a): division by zero: the denominator a - a = 0 is 0"),
        ("M = c / 0", "cannot compute M: division by zero: the denominator 0 is 0"),
        ("N = t10 / (a*b + 6)", "the denominator a*b + 6 = 0 is 0"),
    ],
)
def test_a_refusal_speaks_of_what_was_typed_not_of_values_never_made(text, expected):
    """The names an expression gives its parts (t1, k1, ...) are never created when the maths fails,
    so the message names those parts as typed; a result named by the user keeps its name."""
    document = lecture_leaves()
    document.add_leaf("t10", 1.0)  # a value whose name merely starts like a part's
    definitions, sources = parse_expression_sources(text, document)
    with pytest.raises(DocumentError) as refused:
        document.check_many(definitions)
    message = in_typed_terms(str(refused.value), sources)
    assert message.startswith(expected) if expected.startswith("cannot") else expected in message
    assert not any(name in message.split() for name in ("t1", "t2", "t3", "k1"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("n = (-1) ** 0.5", "is not a real number: (-1) ** 0.5"),
        ("n = (-1e-5) ** 0.5", "is not a real number: (-1e-05) ** 0.5"),
        ("n = (a*b) ** 0.5", "is not a real number: (a*b = -6) ** 0.5"),
        ("n = b ** 0.5", "is not a real number: (b = -3) ** 0.5"),
        ("n = (a - 2) ** -1", "division by zero: (a - 2 = 0) ** -1 divides by 0"),
    ],
)
def test_a_negative_base_in_a_message_is_written_in_parentheses(text, message):
    """`(-1) ** 0.5` is refused saying `(-1) ** 0.5`, never `-1 ** 0.5`, which Python reads as -(1 ** 0.5)."""
    document = lecture_leaves()
    definitions, sources = parse_expression_sources(text, document)
    with pytest.raises(DocumentError) as caught:
        document.check_many(definitions)
    assert in_typed_terms(str(caught.value), sources).endswith(message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a, b", "tuples are not allowed at column 1"),
        ("x = (a, b)", "tuples are not allowed at column 5"),
        ("*a", "starred expressions are not allowed at column 1"),
    ],
)
def test_refusals_agree_in_number(text, message):
    """'Tuples are not allowed', not 'tuples is not allowed'."""
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, lecture_leaves())
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "text",
    ["a" * 5000 + " + b", "y = " + "z" * 3000 + "(a)", "x = " + "1" * 399 + "j", "a + " + "q" * 9000],
)
def test_a_long_piece_of_what_was_typed_is_quoted_short(text):
    """A 5,000-character unknown name is quoted cut short: the message stays one readable line."""
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text, lecture_leaves())
    assert len(str(caught.value)) < 200 and "…'" in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["a", "b", "c", "f", "tanh", "log", "x", "=", "(", ")", "+", "-", "*", "/", "**", ","]),
            st.sampled_from([" ", "1", "2.5", "1e400", "1e-400", "0x1", "1j", "_", "if", "for", ".", ";", ":"]),
            st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,300}", fullmatch=True),
            st.integers(280, 3000).map(lambda n: "q" * n),
            st.from_regex(r"[0-9]{1,500}(\.[0-9]{0,50})?", fullmatch=True),
            st.text(max_size=3),
        ),
        max_size=30,
    ).map(" ".join)
)
def test_any_refusal_is_one_short_printable_line(text):
    """Token soup, long names, long numbers and stray characters: accepted whole, or refused with one
    ExpressionError (or a maths DocumentError) of one short printable line, changing nothing."""
    document = lecture_leaves()
    before = document.definitions
    try:
        document.check_many(parse_expression(text, document))
    except DocumentError as error:
        message = str(error)
        assert message.isprintable() and len(message) < 300, message
    assert document.definitions == before


def test_number_literals_become_constants_and_a_named_number_does_not():
    """`L = a * 2 + 1`: the 2 and the 1 are constant leaves (numbers, never trained); `x = 2` is a leaf
    the user named, an input or a parameter, so it is not a constant."""
    document = lecture_leaves()
    definitions = apply(document, "L = a * 2 + 1")
    constants = [d.name for d in definitions if d.constant]
    assert constants == ["k1", "k2"]
    assert [document.definition(n).data for n in constants] == [2.0, 1.0]
    (x,) = apply(document, "x = 2")
    assert x.is_leaf and not x.constant


def test_only_a_leaf_can_be_a_constant():
    """The document refuses a computed value marked constant, with its reason."""
    document = lecture_leaves()
    with pytest.raises(DocumentError, match="cannot be a constant"):
        document.add(Definition("s", "+", ("a", "b"), constant=True))

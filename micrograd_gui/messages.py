"""How text from outside the program appears in a message: a file's contents, a recovery file's
path, what was typed in the expression bar. Qt-free.

Such text may hold anything: ESC and BEL sequences that a terminal would act on, a right-to-left
override that reorders a line, thousands of characters. `shown_text` is the one function every
piece of it goes through on its way into a message.
"""

from __future__ import annotations

MAX_SHOWN = 40  # characters of outside text quoted in a message
MAX_SHOWN_NAME = 120  # characters of a file's name in a message


def shown_text(text: object, limit: int = MAX_SHOWN) -> str:
    """`text` as it may appear in a one-line message: every character that is not printable (ESC,
    BEL, a newline, a right-to-left override) escaped as Python writes it, and cut to `limit`
    characters with an ellipsis."""
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)[: limit * 10 + 1])
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"

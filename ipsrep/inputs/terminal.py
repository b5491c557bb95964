"""Text as a terminal should show it: control and format characters escaped."""
from __future__ import annotations

import unicodedata

__all__ = ["terminal_safe"]


def terminal_safe(text: str) -> str:
    """`text` with every control or format character shown escaped, for a terminal.

    Newlines, carriage returns, escape sequences (ANSI colours, cursor moves), bidi
    overrides and other invisible characters in a file name or a cell would otherwise
    act on the terminal (start a forged line, recolour it); they are written as Python
    writes them in a string (``\\n``, ``\\x1b``, ``\\u202e``).

    >>> terminal_safe("P01\\nOK: all good \\x1b[32m")
    'P01\\\\nOK: all good \\\\x1b[32m'
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or (ch == " "):
            out.append(ch)
        elif unicodedata.category(ch) in ("Zs",):
            out.append(" ")
        else:
            out.append(repr(ch)[1:-1] if ch not in "'\"" else ch)
    return "".join(out)

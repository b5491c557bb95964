"""User strings made inert for where they land in a page: HTML, MyST Markdown, MathJax's TeX.

A data file's name, a ``-p`` value, an id or a cell of a file a parameter names is text.
Placed in a page unescaped it can act: ``<img onerror=...>`` in HTML, a backtick that
closes inline code, a ```` ```{raw} html ```` directive or a ``{role}`` in MyST, and
``\\(\\href{javascript:...}{...}\\)`` once MathJax typesets the page. Each function here
escapes for one destination and puts the text inside an element of the class
``mathjax_ignore``, which MathJax does not typeset (:data:`MATHJAX_IGNORE`):

- :func:`html_text`: inside HTML (an HTML block of a MyST page, the theme's banner);
- :func:`markdown_text`: inside MyST Markdown (a ``Markdown(...)`` output, a list item);
- :func:`markdown_code`: as inline code inside MyST Markdown.

Every ASCII punctuation character that Markdown, MyST or TeX gives a meaning
(:data:`ACTIVE`) is written as an HTML character reference (``&#96;`` for a backtick),
so the text survives both readings: an HTML parser shows the character, and MyST, which
treats a character reference as text, sees no syntax. Control characters (a newline
that would start a directive, ``\\x1b``) are shown escaped, as on the terminal.
"""
from __future__ import annotations

from ipsrep.inputs.contract import terminal_safe

__all__ = ["ACTIVE", "HTML_ACTIVE", "MATHJAX_IGNORE", "html_text", "markdown_code", "markdown_text"]

MATHJAX_IGNORE = "mathjax_ignore"
"""Class of an element whose text MathJax 3 leaves alone (its ``ignoreHtmlClass``)."""

ACTIVE = "&<>\"'`$\\{}[]()*_~|#!:=+-.^%@"
"""Characters written as character references: HTML (``& < > " '``), Markdown and MyST
(backtick, ``* _ ~ [ ] ( ) | # ! + - .``, ``{}`` of roles, ``:`` and ``=`` of fences and
options), TeX and MathJax (``$ \\ ^ %``), ``@`` (autolinks)."""

HTML_ACTIVE = "`$\\{}[]"
"""Characters written as character references in HTML destinations (besides ``& < > " '``,
which :func:`html.escape` writes): what TeX and MyST read, so that text copied between
the two stays inert. Punctuation that only Markdown reads (``. _ - *``) stays as it is
in HTML, where no Markdown parser looks."""

_REFERENCES = {ord(ch): f"&#{ord(ch)};" for ch in ACTIVE}
_HTML_REFERENCES = {ord(ch): f"&#{ord(ch)};" for ch in HTML_ACTIVE}


def _inert(text: object) -> str:
    return terminal_safe(str(text)).translate(_REFERENCES)


def _inert_html(text: object) -> str:
    import html

    return html.escape(terminal_safe(str(text)), quote=True).translate(_HTML_REFERENCES)


def html_text(text: object, *, tag: str = "span", classes: str = "") -> str:
    """`text` as an inert HTML element (default ``<span>``) of class ``mathjax_ignore``,
    for an HTML destination (the theme's banner, an HTML block of a MyST page, a
    ``text/html`` output).

    >>> html_text('x`<img src=x onerror=alert(1)>`')
    '<span class="mathjax_ignore">x&#96;&lt;img src=x onerror=alert(1)&gt;&#96;</span>'
    """
    names = " ".join(c for c in (classes, MATHJAX_IGNORE) if c)
    return f'<{tag} class="{names}">{_inert_html(text)}</{tag}>'


def markdown_text(text: object) -> str:
    """`text` for a MyST Markdown paragraph, table cell or list item: inert, on one line,
    inside a ``mathjax_ignore`` span (raw inline HTML, which MyST passes through).

    >>> markdown_text("1\\n\\n```{raw} html")
    '<span class="mathjax_ignore">1&#92;n&#92;n&#96;&#96;&#96;&#123;raw&#125; html</span>'
    """
    return f'<span class="{MATHJAX_IGNORE}">{_inert(text)}</span>'


def markdown_code(text: object) -> str:
    """`text` as inline code in MyST Markdown (an HTML ``<code>``, so no backtick in the
    text can close it), inert and ignored by MathJax."""
    return f'<code class="literal {MATHJAX_IGNORE}">{_inert(text)}</code>'

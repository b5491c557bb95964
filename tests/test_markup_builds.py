"""Issue 20: random Markdown, MyST, TeX and HTML fragments put into a data file's name, an
id-free text column of a file parameter and a ``-p`` value give no live markup in any
page of a whole build.

A property (hypothesis, derandomised, a few examples, each a whole ``ipsrep build``):
the data file (the bundled data) is named with fragments; the codebook of page 06, named
by ``-p codebook_csv`` (so the ``-p`` value carries fragments in its file name), has
fragments in its ``summary``, ``subtheme`` and ``where`` columns (free text, no ids). The
build runs page 06 (the page that reads the codebook) and renders the site: the front
page, page 06, the glossary and the rest. Every fragment sits between two markers; in
every HTML page the markers must be inside one text node (no element was made from the
fragment between them), inside an element MathJax ignores (``mathjax_ignore``, or code,
or the head's title), never inside a link or source; and no page has an inline script,
an ``on*`` handler, a ``javascript:`` link, a remote load, ``<object>``, ``<embed>`` or
``<iframe>``. The fast property through the MyST parser alone is in ``test_markup.py``.
"""
from __future__ import annotations

import contextlib
import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipsrep import cli, paths

START, END = "qzqA", "qzqZ"
FRAGMENTS = [
    "`", "```", "```{raw} html\n<script>window.__p=1</script>\n```", ":::{note}", "{raw}`<b>`", "{doc}`index`",
    "$", "$$", "$x$", "\\(", "\\)", "\\[x\\]", "\\href{javascript:alert(1)}{x}", "\\class{c}{x}",
    "\\style{color:red}{x}", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
    "<a href='javascript:1'>a</a>", "&lt;", "[x](javascript:1)", "![i](http://example.com/i.png)",
    "<http://example.com>", "**b**", "_i_", "# h", "|", "{{x}}", "<!--", "%", "\\", "'", '"', "é", "\n", "\r",
    "\x1b[2J", "\u202e",
]
NAME_FRAGMENTS = [f.replace("/", "") for f in FRAGMENTS]  # a file name holds no "/"
IGNORED = ("mathjax_ignore", "tex2jax_ignore")
RAW_TEXT_TAGS = {"title", "code", "pre", "textarea"}
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def fragments(pool):
    return st.lists(st.sampled_from(pool), min_size=2, max_size=4).map("".join)


class _Page(HTMLParser):
    """Elements, attributes and the text nodes holding a marker, with their ancestors."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.tags: list[tuple[str, dict]] = []
        self.marked: list[tuple[str, list[tuple[str, dict]]]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag not in VOID:
            self.stack.append((tag, a))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if START in data or END in data:
            self.marked.append((data, list(self.stack)))


def problems(page: Path) -> list[str]:
    parsed = _Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    found = []
    for tag, attrs in parsed.tags:
        if tag == "script" and not attrs.get("src") and attrs.get("type", "") != "application/json":
            found.append(f"inline script {attrs}")
        if tag in ("object", "embed", "iframe"):
            found.append(f"<{tag}>")
        for k, v in attrs.items():
            if k.startswith("on"):
                found.append(f"handler {k}={v!r} on <{tag}>")
            if k in ("href", "src", "action", "formaction", "xlink:href", "srcset", "data"):
                if v.strip().lower().startswith("javascript:") or START in v or END in v:
                    found.append(f"<{tag} {k}={v!r}>")
                if k in ("src", "srcset", "data") and v.strip().lower().startswith(("http:", "https:", "//")):
                    found.append(f"remote load <{tag} {k}={v!r}>")
    for text, ancestors in parsed.marked:
        starts, ends = text.count(START), text.count(END)
        highlighted = any(t == "pre" for t, _ in ancestors)  # Pygments splits a code cell's strings into spans
        # a fragment the page shortened ("...") may lose its end marker; never its start
        if starts != ends and not highlighted and not (starts == ends + 1 and text.rstrip().endswith(("...", "…"))):
            found.append(f"a fragment split by an element: {text!r}")
        inert = any(t in RAW_TEXT_TAGS or any(c in a.get("class", "") for c in IGNORED) for t, a in ancestors)
        if not inert:
            found.append(f"marked text outside mathjax_ignore: {text!r} in {[t for t, _ in ancestors]}")
    return found


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("markup-builds-cache")


@pytest.mark.slow
@settings(max_examples=3, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=fragments(NAME_FRAGMENTS), text=fragments(FRAGMENTS), value=fragments(NAME_FRAGMENTS))
def test_property_no_fragment_is_live_markup_in_any_page_of_a_build(tmp_path_factory, cache, name, text, value):
    root = tmp_path_factory.mktemp("markup-build")
    data = root / f"{START}{name}{END}.csv"
    shutil.copy(paths.RECONSTRUCTED_CSV, data)
    codebook = root / "books" / f"{START}{value}{END}.csv"
    codebook.parent.mkdir()
    with (paths.DATA_DIR / "qualitative" / "codebook.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row, column in zip(rows, ("summary", "subtheme", "where"), strict=False):
        row[column] = f"{START}{text}{END}"
    with codebook.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    notebooks = root / "notebooks"
    notebooks.mkdir()
    shutil.copy(paths.PROJECT_ROOT / "notebooks" / "06_qualitative.py", notebooks)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.build_command(data=str(data), out=root / "site", jobs=1, notebooks_dir=notebooks,
                                     parameters={"codebook_csv": str(codebook)}, cache_dir=cache)
    assert status == 0, err.getvalue()
    pages = sorted((root / "site").rglob("*.html"))
    assert len(pages) >= 2
    seen = {p.name: problems(p) for p in pages}
    assert {k: v for k, v in seen.items() if v} == {}
    index = (root / "site" / "index.html").read_text(encoding="utf-8")
    page06 = (root / "site" / "06_qualitative.html").read_text(encoding="utf-8")
    assert index.count(START) >= 2 and page06.count(START) >= 3  # the name, the -p value; the codebook text


def test_codebook_text_with_dollars_is_drawn_as_written_not_as_mathtext():
    """Found by the property above: a ``$`` in a codebook summary made matplotlib parse
    mathtext and the build fail; the labels are drawn as plain text."""
    from ipsrep.analyses import qualitative
    from ipsrep.plots import qualitative as plots

    book = qualitative.load_codebook(paths.DATA_DIR / "qualitative" / "codebook.csv")
    book.loc[0, "summary"] = "|$$$${raw}`<b>` $x$ \\href{a}{b} $"
    matrix = qualitative.participant_matrix(book)
    for fig in (plots.matrix_figure(matrix, book), plots.counts_figure(book)):
        fig.savefig(io.BytesIO(), format="png")
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert any("$x$ \\href{a}{b} $" in label for label in labels)

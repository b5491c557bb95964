"""Checks on every file of a report before it is published: offline, and aggregates only.

:func:`check_site` runs both checks over every file of a rendered site, fresh or from the
cache, and returns what it found (empty when the site may be published):

- **Offline** (:func:`external_loads`): nothing a browser would fetch from elsewhere.
  HTML is parsed (:class:`html.parser.HTMLParser`), not matched with patterns: every URL
  attribute (``src``, ``href``, ``srcset``, ``data``, ``poster``, ``action``, SVG
  ``href``/``xlink:href``, ``<meta http-equiv=refresh>``, ``<base>`` ...), every
  ``style`` attribute and ``<style>`` element (parsed as CSS with tinycss2: ``url()``,
  ``@import``, ``image-set()``), inline scripts and event handlers, and ``srcdoc``
  frames. A URL counts as remote when, after the clean-up a browser does (tabs and
  newlines dropped, backslashes read as slashes), it starts with ``//`` or has any
  scheme other than ``data:``. Links a reader follows (``<a href>``) may point to the web
  (``http``, ``https``, ``mailto``), never to ``javascript:``. Stand-alone ``.css`` and
  ``.js`` files are checked the same way.
- **Aggregates only** (:func:`participant_hits`): no participant id of the data in use
  appears in any file. Ids have the shape the data contract asks for (a letter and a
  digit, :func:`ipsrep.inputs.contract.id_problem`), so each is searched as a whole
  token; images (``data:`` URIs, image outputs of notebooks) are left out of the search.
"""
from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["check_site", "external_loads", "css_loads", "script_loads", "participant_hits", "is_remote"]

_STRIP = re.compile(r"[\t\n\r\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_NAVIGATION_SCHEMES = {"http", "https", "mailto"}
_NOT_LOADED_RELS = {"canonical", "author", "license", "help", "bookmark", "next", "prev", "alternate"}


def _clean_url(value: str) -> str:
    """`value` as a browser reads it: surrounding spaces and control characters removed,
    tabs and newlines inside dropped, backslashes read as slashes."""
    return _STRIP.sub("", value.strip(" \t\n\r\f\x00")).replace("\\", "/")


def is_remote(value: str) -> bool:
    """True when loading the URL `value` would leave the page's own folder for the
    network or another origin (``//host``, any scheme but ``data:``).

    >>> [is_remote(u) for u in ("x.png", "#top", "data:image/png;base64,AA", "//h/x",
    ...                         "https:\\\\\\\\h\\\\x.png", "ftp:x", " java\\tscript:alert(1)")]
    [False, False, False, True, True, True, True]
    """
    url = _clean_url(value)
    if url.startswith("//"):
        return True
    m = _SCHEME.match(url)
    return m is not None and m.group(1).lower() != "data"


def _bad_link(value: str) -> bool:
    """True for an ``<a href>`` that is neither local nor an ordinary web or mail link."""
    url = _clean_url(value)
    m = _SCHEME.match(url)
    if m:
        return m.group(1).lower() not in _NAVIGATION_SCHEMES | {"data"} or m.group(1).lower() == "data"
    return False


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` (HTML's parsing rules: a URL is a run of non-space
    characters, descriptors follow, candidates are separated by commas)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        elif url:
            while i < n and value[i] != ",":  # descriptors
                if value[i] == "(":
                    close = value.find(")", i)
                    i = n if close < 0 else close
                i += 1
        if url:
            urls.append(url)
    return urls


# --------------------------------------------------------------------------------------
# CSS and scripts
# --------------------------------------------------------------------------------------
def _css_tokens(nodes, found: list[str], where: str, in_image_set: bool = False) -> None:
    """Walk CSS component values (tinycss2), collecting remote ``url``s, ``@import``
    targets and ``image-set`` strings."""
    nodes = list(nodes)
    for i, node in enumerate(nodes):
        kind = getattr(node, "type", None)
        if kind == "url":
            if is_remote(node.value):
                found.append(f"{where} url({node.value})")
        elif kind == "function":
            name = node.lower_name
            if name in ("url", "src"):
                for arg in node.arguments:
                    if getattr(arg, "type", None) == "string" and is_remote(arg.value):
                        found.append(f"{where} {name}({arg.value!r})")
            _css_tokens(node.arguments, found, where, in_image_set or name.endswith("image-set"))
        elif kind == "string" and in_image_set:
            if is_remote(node.value):
                found.append(f"{where} image-set({node.value!r})")
        elif kind == "at-keyword" and node.lower_value == "import":
            following = [n for n in nodes[i + 1:i + 4] if getattr(n, "type", None) not in ("whitespace", "comment")]
            if following and getattr(following[0], "type", None) == "string" and is_remote(following[0].value):
                found.append(f"{where} @import {following[0].value!r}")
        elif kind in ("() block", "[] block", "{} block"):
            _css_tokens(node.content, found, where, in_image_set)


def css_loads(css: str, where: str = "<style>") -> list[str]:
    """Remote loads in the CSS text `css` (a stylesheet or a ``style`` attribute):
    ``url()`` in any form (escapes and comments are read as CSS reads them),
    ``@import`` and ``image-set()``. The text is read as a sequence of CSS component
    values (tinycss2), whatever rules or declarations it forms.

    >>> css_loads("p { background: \\\\75rl(//h/x.png) }")
    ['<style> url(//h/x.png)']
    >>> css_loads("@import 'https://h/a.css'; p { color: red } /* url(https://h) */")
    ["<style> @import 'https://h/a.css'"]
    >>> css_loads("background: URL( '//h/x.png' )", "<div style>")
    ["<div style> url('//h/x.png')"]
    """
    import tinycss2

    lowered = css.lower()
    if not any(word in lowered for word in ("url", "@import", "image-set", "src", "\\")):
        return []  # nothing that could load (escapes could spell url: those are parsed)
    found: list[str] = []
    _css_tokens(tinycss2.parse_component_value_list(css, skip_comments=True), found, where)
    return found


_URL_LITERAL = re.compile(r"""(["'`])\s*((?:[a-zA-Z][a-zA-Z0-9+.\-]*:|[/\\]{2})[^"'`\s]*)\s*\1""")
_LOADER_BEFORE = re.compile(
    r"""(?:\bimport\s*\(|\bimportScripts\s*\(|\bfetch\s*\(|\bnew\s+(?:Shared)?Worker\s*\(|"""
    r"""\bnew\s+(?:WebSocket|EventSource|Request)\s*\(|\bsendBeacon\s*\(|\.open\s*\(\s*["'][A-Za-z]+["']\s*,|"""
    r"""\bsrc\s*[=:]|\bsetAttribute\s*\(\s*["'](?:src|href|srcset)["']\s*,|\bfrom|\bimport|@import|"""
    r"""\burl\s*\()\s*$""")


def script_loads(script: str, where: str = "<script>") -> list[str]:
    """Remote addresses a JavaScript text `script` loads: a string literal naming a
    remote URL (:func:`is_remote`) given to ``import``, ``import()``, ``fetch()``,
    ``importScripts()``, a worker, socket or event source, ``XMLHttpRequest.open``,
    ``sendBeacon``, ``src =`` or ``setAttribute("src", ...)``. Addresses merely written
    in a script (an error message's help link, an XML namespace, a link in HTML the
    script shows) are not loads. A script that builds an address from pieces is not
    found; the pages' scripts are the report's own or vendored libraries.

    >>> script_loads('import("https://cdn.example.org/x.js"); s.src = "//h/a.js"; alert("see https://example.com")')
    ['<script> https://cdn.example.org/x.js', '<script> //h/a.js']
    """
    found = []
    for m in _URL_LITERAL.finditer(script):
        if is_remote(m.group(2)) and _LOADER_BEFORE.search(script[max(0, m.start() - 60):m.start()]):
            found.append(f"{where} {m.group(2)}")
    return found


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------
_URL_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "codebase",
                   "archive", "longdesc", "lowsrc", "dynsrc", "manifest", "ping", "icon", "profile",
                   "imagesrcset", "xlink:href", "href"}


class _LoadFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._block: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if tag in ("style", "script"):
            attributes = {k.lower(): (v or "") for k, v in attrs}
            self._block = "script" if tag == "script" and "src" not in attributes else tag
            self._text = []

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in ("style", "script") and self._block is not None:
            text = "".join(self._text)
            if self._block == "style":
                self.found.extend(css_loads(text))
            elif tag == "script":
                self.found.extend(script_loads(text))
            self._block, self._text = None, []

    def handle_data(self, data):
        if self._block is not None:
            self._text.append(data)

    def _tag(self, tag, attrs):
        attributes = {k.lower(): (v or "") for k, v in attrs}
        rel = set(attributes.get("rel", "").lower().split())
        for name, value in attributes.items():
            shown = f'<{tag} {name}="{value[:120]}">'
            if name in ("srcset", "imagesrcset"):
                if any(is_remote(u) for u in _srcset_urls(value)):
                    self.found.append(shown)
            elif name == "ping":
                if any(is_remote(u) for u in value.split()):
                    self.found.append(shown)
            elif name in ("archive",):
                if any(is_remote(u) for u in re.split(r"[\s,]+", value) if u):
                    self.found.append(shown)
            elif name in ("href", "xlink:href"):
                if tag in ("a", "area") or (tag == "link" and rel and rel <= _NOT_LOADED_RELS):
                    if _bad_link(value):
                        self.found.append(shown)
                elif tag == "base" or is_remote(value):
                    self.found.append(shown)
            elif name in _URL_ATTRIBUTES:
                if is_remote(value):
                    self.found.append(shown)
            elif name == "style":
                self.found.extend(css_loads(value, f"<{tag} style>"))
            elif "url(" in value.lower() or "image-set(" in value.lower():  # SVG fill="url(...)" and the like
                self.found.extend(css_loads(f"*{{x: {value}}}", f"<{tag} {name}>"))
            elif name.startswith("on"):
                self.found.extend(script_loads(value, f"<{tag} {name}>"))
            elif name == "srcdoc":
                self.found.extend(f"<{tag} srcdoc> {x}" for x in external_loads(value))
            elif name == "content" and tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", value, re.IGNORECASE)
                if m and is_remote(m.group(1)):
                    self.found.append(shown)


def external_loads(page: str) -> list[str]:
    """Everything in the HTML text `page` that a browser would fetch from elsewhere
    (see the module notes); empty for a page that works offline.

    >>> external_loads('<script src="https://cdn.example.org/x.js"></script><a href="https://doi.org/1">x</a>')
    ['<script src="https://cdn.example.org/x.js">']
    >>> external_loads('<img src=https:\\\\\\\\127.0.0.1:9\\\\x.png><img src="data:image/png;base64,AAAA">')
    ['<img src="https:\\\\\\\\127.0.0.1:9\\\\x.png">']
    """
    finder = _LoadFinder()
    finder.feed(page)
    finder.close()
    if finder._block is not None:  # an unclosed <style> or <script> runs to the end
        finder.handle_endtag(finder._block)
    return finder.found


# --------------------------------------------------------------------------------------
# Participant ids
# --------------------------------------------------------------------------------------
_DATA_URI = re.compile(r"data:[a-zA-Z0-9.+/\-]+(?:;[a-zA-Z0-9=.\-]+)*;base64,[A-Za-z0-9+/=\s\\n]*")
TEXT_SUFFIXES = {".html", ".htm", ".ipynb", ".csv", ".txt", ".json", ".js", ".css", ".svg", ".xml", ".md"}


def _notebook_text(text: str) -> str:
    """An ``.ipynb`` file's text without its image outputs."""
    try:
        nb = json.loads(text)
    except ValueError:
        return text
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in [m for m in data if m.startswith("image/") and m != "image/svg+xml"]:
                del data[mime]
    return json.dumps(nb, ensure_ascii=False)


_RUN = re.compile(r"[\w-]+")


def participant_hits(text: str, ids: set[str]) -> list[str]:
    """Ids from `ids` that `text` shows as a whole token: not inside a longer run of
    letters, digits, ``_`` or ``-`` (a ``.`` or any other character may surround it).

    >>> text = "rows P017 and P018. not XP019 or P020-1, a.b1!"
    >>> sorted(participant_hits(text, {"P017", "P018", "P019", "P020", "a.b1"}))
    ['P017', 'P018', 'a.b1']
    """
    if not ids:
        return []
    plain = {i for i in ids if "." not in i}
    hits = sorted(set(_RUN.findall(text)) & plain)
    dotted = sorted(i for i in ids if "." in i)
    if dotted:
        pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, dotted)) + r")(?![\w-])")
        hits += sorted({m.group(1) for m in pattern.finditer(text)})
    return hits


def checker_digest() -> str:
    """SHA-256 of this module's source: part of the key under which a site's verdict is
    remembered (:func:`site_digest`)."""
    import hashlib

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def site_digest(folder: Path, ids: set[str]) -> str:
    """SHA-256 of every file under `folder` (path and bytes), the ids searched for and
    the checks' code: the same digest means the same verdict of :func:`check_site`."""
    import hashlib

    h = hashlib.sha256(checker_digest().encode())
    h.update(hashlib.sha256("\n".join(sorted(ids)).encode()).digest())
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def check_site(folder: Path, *, ids: set[str]) -> list[str]:
    """What stops the files under `folder` from being published: one line per file with
    a remote load or a participant id (empty when the site is fit to publish)."""
    problems: list[str] = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        suffix = path.suffix.lower()
        if suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        if suffix in (".html", ".htm", ".svg", ".xml"):
            loads = external_loads(text)
        elif suffix == ".css":
            loads = css_loads(text, "css")
        elif suffix == ".js":
            loads = script_loads(text, "js")
        else:
            loads = []
        if loads:
            more = f" and {len(loads) - 3} more" if len(loads) > 3 else ""
            problems.append(f"{rel} would load from the network ({'; '.join(loads[:3])}{more}); "
                            "the report must work offline")
        searched = _notebook_text(text) if suffix == ".ipynb" else _DATA_URI.sub("data:", text)
        shown = participant_hits(searched, ids)
        if shown:
            problems.append(f"{rel} shows participant {shown[0]!r}; the report shows aggregates only, "
                            "never participant-level rows")
    return problems


_SITE_ASSET_PACKAGES = ("pydata_sphinx_theme", "sphinx_book_theme", "sphinx_togglebutton", "sphinx_exercise",
                        "myst_nb", "sphinx", "itables")
"""Packages whose templates and static files go into every site (besides MathJax's bundle)."""


def _file_tokens(path: Path) -> set[str]:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return set()
    return {t for t in _RUN.findall(text) if any(c.isalpha() for c in t) and any(c.isdigit() for c in t)}


def reserved_tokens() -> frozenset[str]:
    """Tokens with a letter and a digit that the report's own text carries whatever the
    data: the site's templates and static assets (theme, MathJax, DataTables, the site
    folder), the notebooks' sources (statement ids such as ``P01`` on the claims page) and
    the banner (``sha256``; ``woff2`` is in the theme's fonts). A participant id equal to one of them cannot be told
    from the site's own text by :func:`check_site`, so the build refuses it at once
    (:func:`id_collisions`) instead of after executing every notebook."""
    return _reserved_tokens()


@functools.lru_cache(maxsize=1)
def _reserved_tokens() -> frozenset[str]:
    import importlib.util

    from ipsrep import paths
    from ipsrep.report.context import SYNTHETIC_NOTICE, DataInUse

    roots = [paths.NOTEBOOK_DIR, paths.PACKAGE_DIR / "report" / "site"]
    for name in _SITE_ASSET_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            base = Path(spec.origin).parent
            roots += [p for p in (base / "themes", base / "theme", base / "static", base / "assets", base / "html",
                                  base / "_static", base / "templates") if p.is_dir()]
    spec = importlib.util.find_spec("mathjax")
    user = DataInUse(given="x.csv", file=Path("x.csv"), bundled=False, sha256="0" * 64)
    found: set[str] = {t for text in (SYNTHETIC_NOTICE, user.banner_text, user.label)
                       for t in _RUN.findall(text) if any(c.isdigit() for c in t) and any(c.isalpha() for c in t)}
    if spec and spec.origin:
        found |= _file_tokens(Path(spec.origin).parent / "static" / "mathjax" / "es5" / "tex-svg-full.js")
    wanted = TEXT_SUFFIXES | {".py", ".jinja", ".j2"}
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix.lower() in wanted and path.is_file():
                found |= _file_tokens(path)
    return frozenset(found)


def id_collisions(ids: set[str]) -> list[str]:
    """The participant ids that are also tokens of the report's own text (:func:`reserved_tokens`)."""
    reserved = reserved_tokens()
    return sorted(i for i in ids if i in reserved)

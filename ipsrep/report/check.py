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

    >>> [is_remote(u) for u in ("x.png", "#top", "data:image/png;base64,AA", "//h/x", "https:\\\\\\\\h\\\\x.png", "ftp:x", " java\\tscript:alert(1)")]
    [False, False, False, True, True, True, True]
    """
    url = _clean_url(value)
    if url.startswith("//"):
        return True
    m = _SCHEME.match(url)
    return bool(m) and m.group(1).lower() != "data"


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
    import tinycss2

    for node in nodes:
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
        elif kind in ("() block", "[] block", "{} block"):
            _css_tokens(node.content, found, where, in_image_set)
        elif kind == "at-rule":
            if node.lower_at_keyword == "import":
                for token in node.prelude:
                    if getattr(token, "type", None) == "string" and is_remote(token.value):
                        found.append(f"{where} @import {token.value!r}")
            _css_tokens(node.prelude, found, where)
            if node.content is not None:
                _css_tokens(tinycss2.parse_blocks_contents(node.content) if hasattr(tinycss2, "parse_blocks_contents")
                            else node.content, found, where)
        elif kind == "qualified-rule":
            _css_tokens(node.prelude, found, where)
            _css_tokens(node.content, found, where)
        elif kind == "declaration":
            _css_tokens(node.value, found, where)


def css_loads(css: str, where: str = "<style>") -> list[str]:
    """Remote loads in the CSS text `css` (a stylesheet or a ``style`` attribute):
    ``url()`` in any form (escapes and comments are read as CSS reads them),
    ``@import`` and ``image-set()``.

    >>> css_loads("p { background: \\\\75rl(//h/x.png) }")
    ['<style> url(//h/x.png)']
    >>> css_loads("@import 'https://h/a.css'; p { color: red } /* url(https://h) */")
    ["<style> @import 'https://h/a.css'"]
    """
    import tinycss2

    found: list[str] = []
    _css_tokens(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), found, where)
    return found


_SCRIPT_URL = re.compile(r"""(?<![A-Za-z0-9+.\-])(?:[a-zA-Z][a-zA-Z0-9+.\-]*:)?[/\\]{2}[A-Za-z0-9\-.]+\.[A-Za-z]{2,}""")
_JS_COMMENT = re.compile(r"/\*.*?\*/|(?<![:\\/\"'])//[^\n]*", re.DOTALL)
_NAMESPACES = re.compile(r"https?://www\.w3\.org/[\w/.\-#]*")


def script_loads(script: str, where: str = "<script>") -> list[str]:
    """Remote addresses written in the JavaScript text `script` (any scheme followed by
    ``//host.tld``, or ``//host.tld`` alone, backslashes too), comments and XML namespace
    names (``http://www.w3.org/...``) left out. A script that builds an address from
    pieces is not found; the pages' scripts are the report's own.

    >>> script_loads('import("https://cdn.example.org/x.js"); // see https://example.com')
    ['<script> https://cdn.example.org']
    """
    text = _NAMESPACES.sub("", _JS_COMMENT.sub("", script))
    return [f"{where} {m.group(0)}" for m in _SCRIPT_URL.finditer(text)]


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
                if tag in ("a", "area"):
                    if _bad_link(value):
                        self.found.append(shown)
                elif tag == "link" and rel and rel <= _NOT_LOADED_RELS:
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
_TOKEN = re.compile(r"[A-Za-z0-9._\-]+")
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


def participant_hits(text: str, ids: set[str]) -> list[str]:
    """Ids from `ids` that `text` shows as a whole token (not inside a longer run of
    letters, digits, ``_``, ``-``; a ``.`` may end or split a token).

    >>> sorted(participant_hits("rows P017 and P018. not XP019 or P020-1", {"P017", "P018", "P019", "P020"}))
    ['P017', 'P018']
    """
    if not ids:
        return []
    hits = []
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        if len(token) > 400:
            continue
        if token in ids:
            hits.append(token)
            continue
        parts = token.split(".")
        if len(parts) > 1:
            for i in range(len(parts)):
                for j in range(i + 1, len(parts) + 1):
                    candidate = ".".join(parts[i:j])
                    if candidate in ids:
                        hits.append(candidate)
    return hits


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

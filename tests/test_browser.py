"""The built report in a real browser: headless Chromium driven over the DevTools protocol.

Loads every page of a report built into a temporary folder (the real notebooks on the
bundled reconstruction; the build's cache makes this quick after a first build) and
checks what only a browser can tell:

- no console errors and no uncaught exceptions on any page;
- no request leaves the machine (every URL the page asks for is ``file:``, ``data:``,
  ``blob:``, ``about:`` or on localhost), checked on the requests Chromium reports;
- every link between pages resolves to a file of the report, and every ``#anchor`` to
  an element of its target page (links to other sites are navigation, not loads, and
  are not followed);
- the code toggle works: after a click on "Show all code" every folded code cell is
  open and its code is laid out (non-zero height), after a second click folded again;
- the reading apparatus of the Sphinx site: a table of contents on every page, a search
  for "Woolf" from ``file://`` that lists page 01, no raw TeX left once MathJax has run,
  a figure cross-reference that leads to its figure, exercises whose solutions stay
  hidden until opened, ledgers that filter as one types, no page-level horizontal
  scrolling at 390 px, dark mode, and a print style without navigation;
- a screenshot of ``index.html`` is written to the test's temporary folder.

``IPSREP_TEST_REPORT`` names a report folder already built to test instead of building
one (for checking a build by hand).

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it in CI). The test
talks to it with the DevTools protocol over a websocket (tornado's client, already
installed with Jupyter), so no driver binary and no browser download are needed. It is
skipped only when Chromium is missing outside CI; in CI (``CI`` set) a missing browser
fails the test.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LAUNCH_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                "--remote-debugging-port=0", "--remote-allow-origins=*")
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "devtools"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def find_chromium() -> str | None:
    """Path of a Chromium executable: ``$CHROMIUM`` when set, else the first on PATH."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env if Path(env).is_file() else shutil.which(env)
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def is_local(url: str) -> bool:
    """True when loading `url` stays on this machine.

    >>> is_local("file:///tmp/r/index.html"), is_local("data:image/png;base64,AA"), is_local("http://127.0.0.1:9/x")
    (True, True, True)
    >>> is_local("https://cdn.jsdelivr.net/npm/mathjax"), is_local("//fonts.example.org/a.css")
    (False, False)
    """
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    if parts.scheme in ("http", "https", "ws", "wss"):
        return (parts.hostname or "") in LOCAL_HOSTS
    return False


# --------------------------------------------------------------------------------------
# A small DevTools-protocol client
# --------------------------------------------------------------------------------------
class Chromium:
    """A headless Chromium process and one page (tab) driven over the DevTools protocol.

    Use as a context manager; every method is synchronous (each runs the asyncio loop
    until the browser answered).
    """

    def __init__(self, executable: str, profile: Path):
        self.executable = executable
        self.profile = profile
        self.loop = asyncio.new_event_loop()
        self.proc: subprocess.Popen | None = None
        self.ws = None
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future] = {}
        self.events: list[dict] = []
        self.reader = None

    # process ---------------------------------------------------------------------------
    def __enter__(self) -> Chromium:
        self.profile.mkdir(parents=True, exist_ok=True)
        port_file = self.profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)  # a stale one from an earlier run names a closed port
        self.proc = subprocess.Popen(
            [self.executable, *LAUNCH_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.executable} exited with status {self.proc.returncode} at start-up")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.executable} did not open its DevTools port within 60 s")
                time.sleep(0.05)
            port = int(port_file.read_text().splitlines()[0])
            self.loop.run_until_complete(self._attach(port))
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            self.loop.run_until_complete(self._send("Browser.close", timeout=5))
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                self.loop.run_until_complete(self.reader)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            # the browser's own helper processes share its process group (start_new_session)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.loop.close()

    async def _attach(self, port: int) -> None:
        from tornado.httpclient import AsyncHTTPClient
        from tornado.websocket import websocket_connect

        client = AsyncHTTPClient()
        deadline = time.monotonic() + 30
        while True:
            try:
                response = await client.fetch(f"http://127.0.0.1:{port}/json/list", raise_error=False)
                targets = json.loads(response.body or b"[]") if response.code == 200 else []
            except OSError:  # the port is announced a moment before it accepts connections
                targets = []
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium opened no page")
            await asyncio.sleep(0.05)
        self.ws = await websocket_connect(pages[0]["webSocketDebuggerUrl"], max_message_size=256 * 1024 * 1024)
        self.reader = asyncio.ensure_future(self._read())
        for domain in ("Page", "Runtime", "Log", "Network"):
            await self._send(f"{domain}.enable")

    async def _read(self) -> None:
        while True:
            message = await self.ws.read_message()
            if message is None:
                for future in self.pending.values():
                    if not future.done():
                        future.set_exception(RuntimeError("the browser closed the connection"))
                return
            data = json.loads(message)
            if "id" in data and data["id"] in self.pending:
                future = self.pending.pop(data["id"])
                if not future.done():
                    future.set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def _send(self, method: str, timeout: float = 60, **params) -> dict:
        number = next(self.ids)
        future = self.loop.create_future()
        self.pending[number] = future
        await self.ws.write_message(json.dumps({"id": number, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    # commands --------------------------------------------------------------------------
    def send(self, method: str, **params) -> dict:
        return self.loop.run_until_complete(self._send(method, **params))

    def wait_for_event(self, method: str, since: int, timeout: float = 60) -> dict:
        async def poll():
            while True:
                for event in self.events[since:]:
                    if event["method"] == method:
                        return event
                await asyncio.sleep(0.02)

        return self.loop.run_until_complete(asyncio.wait_for(poll(), timeout))

    def settle(self, seconds: float = 0.3) -> None:
        """Let the page run (timers, late console messages) for `seconds`."""
        self.loop.run_until_complete(asyncio.sleep(seconds))

    def load(self, url: str) -> list[dict]:
        """Navigate to `url`, wait for its load event; return the events it caused."""
        since = len(self.events)
        result = self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise AssertionError(f"{url}: {result['errorText']}")
        self.wait_for_event("Page.loadEventFired", since)
        self.settle()
        return self.events[since:]

    def evaluate(self, expression: str):
        """Value of a JavaScript expression in the page (JSON-serialisable results)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the element matched by `selector` with real mouse events at its centre."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()")
        assert box is not None, f"nothing matches {selector}"
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            extra = {"button": "left", "clickCount": 1} if kind != "mouseMoved" else {}
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **extra)
        self.settle(0.2)

    def screenshot(self, path: Path, width: int = 1280) -> Path:
        """A PNG of the whole page at `width` CSS pixels wide."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=800, deviceScaleFactor=1,
                  mobile=False)
        self.settle(0.2)
        height = int(self.evaluate("Math.ceil(document.documentElement.scrollHeight)") or 800)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=min(height, 16000),
                  deviceScaleFactor=1, mobile=False)
        self.settle(0.2)
        shot = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        self.send("Emulation.clearDeviceMetricsOverride")
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def problems(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and failed or non-local requests among `events`."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            found.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append(f"uncaught: {details.get('exception', {}).get('description') or details.get('text')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append(f"log error ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not is_local(url):
                found.append(f"request leaves the machine: {url[:200]}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            found.append(f"failed load: {params.get('errorText')} (request {params.get('requestId')})")
    return found


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; CI must run the browser test (.ci/run installs "
                        "Debian's chromium package when it runs as root)")
        pytest.skip("Chromium is not installed (apt-get install chromium); the browser test runs in CI")
    return found


@pytest.fixture(scope="module")
def report(request) -> Path:
    """The real report on the bundled reconstruction, built into a temporary folder
    (``bundled_report`` in conftest.py), or the folder ``$IPSREP_TEST_REPORT`` names."""
    given = os.environ.get("IPSREP_TEST_REPORT")
    if given:
        return Path(given).resolve()
    return request.getfixturevalue("bundled_report")


@pytest.fixture(scope="module")
def browser(chromium, tmp_path_factory):
    profile = Path(tempfile.mkdtemp(prefix="ipsrep-chromium-", dir=tmp_path_factory.mktemp("profile")))
    with Chromium(chromium, profile) as b:
        yield b


def page_links(browser: Chromium) -> list[str]:
    """Every ``href`` of an ``<a>`` on the current page, resolved by the browser."""
    return browser.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------
def notebook_pages(report: Path) -> list[Path]:
    """The pages rendered from notebooks (those with an executed notebook beside them)."""
    return sorted(p for p in report.glob("*.html") if (report / f"{p.stem}.ipynb").is_file())


def viewport(browser: Chromium, width: int, height: int = 900) -> None:
    browser.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                 mobile=width < 600)
    browser.settle(0.2)


MATHJAX_DONE = ("(async () => { if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }"
                " return document.querySelectorAll('mjx-container').length; })()")


def test_every_page_loads_without_errors_or_remote_requests(browser, report):
    pages = sorted(report.glob("*.html"))
    assert (report / "index.html") in pages and len(pages) > 1
    failures = {}
    for page in pages:
        found = problems(browser.load(page.as_uri()))
        title = browser.evaluate("document.title")
        if not title:
            found.append("empty <title>")
        if found:
            failures[page.name] = found
    assert not failures, json.dumps(failures, indent=1)


def test_every_link_between_pages_resolves(browser, report):
    ids_cache: dict[Path, set[str]] = {}

    def ids_of(target: Path) -> set[str]:
        if target not in ids_cache:
            browser.load(target.as_uri())
            ids_cache[target] = set(browser.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
        return ids_cache[target]

    broken = []
    checked = 0
    for page in sorted(report.glob("*.html")):
        browser.load(page.as_uri())
        for href in page_links(browser):
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue  # a link to another site: navigation, not a load, and not followed
            assert parts.scheme == "file", f"{page.name}: unexpected link {href}"
            target = Path(unquote(parts.path))
            checked += 1
            if not target.is_file():
                broken.append(f"{page.name} -> {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                ids = ids_of(target)
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    broken.append(f"{page.name} -> {href} (no element with that id)")
    assert checked > 0
    assert not broken, "\n".join(broken[:40])


def test_index_links_every_page_and_every_page_links_back(browser, report):
    browser.load((report / "index.html").as_uri())
    targets = {Path(unquote(urlsplit(h).path)).name for h in page_links(browser)}
    pages = {p.name for p in notebook_pages(report)}
    assert pages and pages <= targets
    for name in sorted(pages):
        browser.load((report / name).as_uri())
        back = {Path(unquote(urlsplit(h).path)).name for h in page_links(browser)}
        assert "index.html" in back, name
        assert pages <= back | {name}, f"{name} does not link every page"
        downloads = browser.evaluate("Array.from(document.querySelectorAll('.ipsrep-downloads a')).map(a => a.href)")
        assert any(h.endswith(name.replace(".html", ".ipynb")) for h in downloads), (name, downloads)


def test_code_toggle_opens_and_folds_every_code_cell(browser, report):
    state = (
        "(() => { const d = Array.from(document.querySelectorAll('details.hide.above-input'));"
        " return {n: d.length, open: d.filter(x => x.open).length,"
        " shown: d.filter(x => x.querySelector('.cell_input') && x.querySelector('.cell_input').checkVisibility() &&"
        " x.querySelector('.cell_input').getBoundingClientRect().height > 0).length,"
        " label: (document.getElementById('ipsrep-toggle-code') || {}).textContent}; })()"
    )
    for page in notebook_pages(report):
        browser.load(page.as_uri())
        before = browser.evaluate(state)
        assert before["n"] > 0 and before["open"] == 0 and before["shown"] == 0, (page.name, before)
        assert before["label"] == "Show all code"
        browser.click("#ipsrep-toggle-code")
        after = browser.evaluate(state)
        assert after["open"] == after["n"] == after["shown"], (page.name, after)
        assert after["label"] == "Hide all code"
        browser.click("#ipsrep-toggle-code")
        again = browser.evaluate(state)
        assert again["open"] == 0 and again["shown"] == 0, (page.name, again)


def test_figures_have_alt_text_and_a_numbered_caption(browser, report):
    check = ("Array.from(document.querySelectorAll('.bd-article img')).map(i => ({alt: i.alt,"
             " loaded: i.complete && i.naturalWidth > 0,"
             " caption: (i.closest('figure') && i.closest('figure').querySelector('figcaption')"
             "   && i.closest('figure').querySelector('figcaption').innerText) || ''}))")
    seen = 0
    for page in notebook_pages(report):
        browser.load(page.as_uri())
        for number, img in enumerate(browser.evaluate(check), start=1):
            seen += 1
            assert img["loaded"], f"{page.name}: image {number} did not load"
            assert len(img["alt"]) >= 15, f"{page.name}: image {number} alt text {img['alt']!r}"
            label = f"Figure {int(page.stem[:2])}."  # the page's number first: never the paper's "Figure 1"
            assert img["caption"].startswith(label), f"{page.name}: image {number} caption {img['caption']!r}"
            assert img["alt"].startswith(label), f"{page.name}: image {number} alt text {img['alt']!r}"
    assert seen > 0


def test_every_page_has_a_table_of_contents(browser, report):
    toc = ("Array.from(document.querySelectorAll('#pst-page-toc-nav a')).map(a =>"
           " [a.textContent.trim(), !!document.getElementById(decodeURIComponent(a.hash.slice(1)))])")
    for page in notebook_pages(report):
        browser.load(page.as_uri())
        entries = browser.evaluate(toc)
        assert len(entries) >= 3, (page.name, entries)
        assert all(found for _, found in entries), (page.name, [e for e in entries if not e[1]])


def test_search_for_woolf_finds_page_01(browser, report):
    events = browser.load((report / "search.html").as_uri() + "?q=Woolf")
    hits = None
    for _ in range(100):
        hits = browser.evaluate("Array.from(document.querySelectorAll('#search-results li a')).map(a => a.href)")
        if hits:
            break
        browser.settle(0.1)
    browser.settle(0.5)
    assert hits and any("01_rq1_employment.html" in h for h in hits), hits
    assert not problems(events + browser.events[-200:])


def test_search_results_have_excerpts_and_list_each_page_once(browser, report):
    browser.load((report / "search.html").as_uri() + "?q=Woolf")
    results = []
    for _ in range(100):
        results = browser.evaluate(
            "Array.from(document.querySelectorAll('#search-results ul.search > li')).map(li => ["
            " li.querySelector('a').getAttribute('href').split('#')[0],"
            " (li.querySelector('p.context') || {textContent: ''}).textContent])")
        if results and all(excerpt for _, excerpt in results):
            break
        browser.settle(0.1)
    browser.settle(0.5)
    pages = [page for page, _ in results]
    assert "glossary.html" in pages and "01_rq1_employment.html" in pages, pages
    assert len(pages) == len(set(pages)), f"a page listed twice: {pages}"
    for page, excerpt in results:
        assert "woolf" in excerpt.lower(), (page, excerpt)
    summary = browser.evaluate("document.querySelector('#search-results p.search-summary').textContent")
    assert f"found {len(pages)} page" in summary, summary


def test_front_page_lists_each_page_once(browser, report):
    browser.load((report / "index.html").as_uri())
    titles = browser.evaluate(
        "Array.from(document.querySelectorAll('.bd-article a[href]'))"
        ".filter(a => /^\\d\\d · /.test(a.textContent.trim())).map(a => a.getAttribute('href'))")
    assert titles and len(titles) == len(set(titles)) == len(notebook_pages(report)), titles


def test_math_is_typeset_and_no_raw_tex_is_visible(browser, report):
    import re

    raw = re.compile(r"\$\$|\\(frac|sqrt|alpha|beta|mathrm|left|right|pm|le|sum)\b|[a-z]_\{|\^\{")
    text = (
        "(() => { const a = document.querySelector('.bd-article').cloneNode(true);"
        " a.querySelectorAll('pre, code, .cell_input, mjx-container, script, style, .highlight')"
        ".forEach(e => e.remove());"
        " return a.innerText; })()"
    )
    typeset = 0
    for page in [report / "index.html", report / "glossary.html", *notebook_pages(report)]:
        browser.load(page.as_uri())
        typeset += browser.evaluate(MATHJAX_DONE)
        visible = browser.evaluate(text)
        found = raw.search(visible)
        assert found is None, f"{page.name}: raw TeX {visible[max(0, found.start() - 60):found.end() + 60]!r}"
    assert typeset > 20


def test_figure_cross_reference_links_to_its_figure(browser, report):
    browser.load((report / "01_rq1_employment.html").as_uri())
    refs = browser.evaluate("Array.from(document.querySelectorAll('a.reference.internal[href*=\"#fig-\"]')).map(a =>"
                            " [a.textContent.trim(), a.hash.slice(1)])")
    assert refs, "no figure cross-reference on page 01"
    for text, target in refs:
        assert text.startswith("Figure 1."), refs  # page 01's figures: Figure 1.1, 1.2, ...
        ok = browser.evaluate(
            f"(() => {{ const t = document.getElementById({json.dumps(target)});"
            " return !!(t && (t.tagName === 'FIGURE' || t.closest('figure') || t.querySelector('figure'))); })()"
        )
        assert ok, (text, target)


def test_exercise_solutions_stay_hidden_until_opened(browser, report):
    state = ("(() => { const s = document.querySelector('.solution'); if (!s) return null;"
             " const body = Array.from(s.children).filter(e => !e.classList.contains('admonition-title'));"
             " return body.some(e => e.checkVisibility() && e.getBoundingClientRect().height > 0); })()")
    for page in notebook_pages(report):
        name = page.name
        browser.load((report / name).as_uri())
        assert browser.evaluate("document.querySelectorAll('.exercise').length") >= 2, name
        objectives = browser.evaluate(
            "Array.from(document.querySelectorAll('.admonition')).filter(a =>"
            " a.querySelector('.admonition-title').textContent.trim() === 'Learning objectives')"
            ".map(a => a.querySelectorAll('li').length)"
        )
        assert objectives and objectives[0] >= 2, (name, objectives)
        params = browser.evaluate("Array.from(document.querySelectorAll('details.hide.above-input summary'))"
                                  ".map(s => s.textContent.trim()).filter(t => t.includes('parameters of this page'))")
        assert len(params) == 1, (name, params)
        assert browser.evaluate(state) is False, name
        browser.click(".solution .admonition-title")
        assert browser.evaluate(state) is True, name


def test_long_ledgers_are_folded_and_filter_as_one_types(browser, report):
    browser.load((report / "03_rq3_health.html").as_uri())
    folded = browser.evaluate("Array.from(document.querySelectorAll('details.ipsrep-ledger')).map(d =>"
                              " [d.open, d.querySelectorAll('tbody tr').length])")
    assert any(not opened and rows > 12 for opened, rows in folded), folded
    browser.evaluate("document.querySelector('details.ipsrep-ledger:not([open])').open = true")
    count = ("(() => { const d = document.querySelector('details.ipsrep-ledger[open] .dt-container');"
             " return d ? d.querySelectorAll('tbody tr').length : null; })()")
    before = browser.evaluate(count)
    assert before and before > 12
    browser.evaluate("(() => { const i = document.querySelector('details.ipsrep-ledger[open] .dt-search input');"
                     " i.value = 'discrepant'; i.dispatchEvent(new Event('input', {bubbles: true})); })()")
    after = before
    for _ in range(40):  # DataTables filters after a debounce; on a loaded machine that takes a while
        browser.settle(0.25)
        after = browser.evaluate(count)
        if after is not None and after < before:
            break
    assert after is not None and after < before


def test_scorecard_links_land_in_view_below_the_sticky_header(browser, report):
    browser.load((report / "index.html").as_uri())
    links = browser.evaluate("Array.from(document.querySelectorAll('.ipsrep-answer a, .ipsrep-open-items a'))"
                             ".map(a => a.href).filter(h => h.includes('#'))")
    assert links
    for href in links[:4]:
        browser.load(href)
        browser.settle(0.5)
        place = browser.evaluate(
            "(() => { const t = document.getElementById(decodeURIComponent(location.hash.slice(1)));"
            " const bars = Array.from(document.querySelectorAll('.bd-header-article, .bd-header'))"
            "   .filter(e => ['sticky', 'fixed'].includes(getComputedStyle(e).position));"
            " const below = Math.max(0, ...bars.map(e => e.getBoundingClientRect().bottom));"
            " const r = t.getBoundingClientRect();"
            " return {top: r.top, below: below, height: innerHeight, visible: t.checkVisibility()}; })()")
        assert place["visible"] and place["below"] - 1 <= place["top"] < place["height"], (href, place)


def test_no_page_scrolls_sideways_at_390_px(browser, report):
    wide = {}
    for page in sorted(report.glob("*.html")):
        browser.load(page.as_uri())
        viewport(browser, 390, 844)
        browser.settle(0.3)
        width = browser.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        if width > 391:
            wide[page.name] = width
    viewport(browser, 1280)
    browser.send("Emulation.clearDeviceMetricsOverride")
    assert not wide, wide


def test_dark_mode(browser, report):
    browser.load((report / "01_rq1_employment.html").as_uri())
    browser.evaluate("document.querySelector('.theme-change-button[data-mode=dark]').click()")
    browser.settle(0.3)
    assert browser.evaluate("document.documentElement.dataset.theme") == "dark"
    rgb = browser.evaluate("getComputedStyle(document.body).backgroundColor")
    values = [int(v) for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    assert sum(values) / 3 < 80, rgb
    browser.load((report / "07_audit.html").as_uri())  # its long ledgers are DataTables with a search strip
    browser.evaluate("document.querySelectorAll('details.ipsrep-ledger').forEach(d => d.open = true)")
    browser.settle(0.3)
    strips = browser.evaluate(
        "Array.from(document.querySelectorAll('.dt-container, .dt-container .dt-layout-row, .dt-search input'))"
        ".map(e => getComputedStyle(e).backgroundColor)")
    browser.evaluate("document.querySelector('.theme-change-button[data-mode=auto]').click()")
    browser.evaluate("localStorage.clear()")
    assert strips, "no DataTables search strip on page 07"
    for colour in strips:  # transparent (the page's dark background shows) or dark itself
        parts = [float(v) for v in colour[colour.index("(") + 1:colour.index(")")].split(",")]
        assert (len(parts) == 4 and parts[3] == 0) or sum(parts[:3]) / 3 < 80, colour


PRINTED_NAVIGATION = (
    "(() => { const out = []; document.querySelectorAll('body *').forEach(e => {"
    " if (!(e.checkVisibility() && e.getBoundingClientRect().height > 0)) return;"
    " const links = e.querySelectorAll(':scope > a[href], :scope > li > a[href], :scope > ul > li > a[href]');"
    " if (links.length >= 3 && !e.closest('.bd-article p, .bd-article table')) out.push(e.className || e.tagName);"
    " for (const pseudo of ['::before', '::after']) { const c = getComputedStyle(e, pseudo).content;"
    "   if (/[\\u2191\\u2193\\u25b2\\u25bc\\u25b4\\u25be\\u21c5]/.test(c)) out.push('arrow: ' + e.className); }"
    " });"
    " return out; })()"
)
"""Blocks visible in print that hold three or more links of their own (a list of pages or
sections: navigation) outside the article's prose and tables, and sort arrows."""


@pytest.mark.parametrize("stem", ["01_rq1_employment", "03_rq3_health", "07_audit"])
def test_print_hides_navigation_and_sort_arrows_and_keeps_the_banner(browser, report, stem):
    browser.load((report / f"{stem}.html").as_uri())
    browser.evaluate("document.querySelectorAll('details.ipsrep-ledger').forEach(d => d.open = true)")
    browser.send("Emulation.setEmulatedMedia", media="print")
    browser.settle(0.3)
    shown = browser.evaluate(
        "(() => { const out = {}; for (const s of ['.bd-sidebar-primary', '.bd-sidebar-secondary', '.prev-next-area',"
        " '.bd-header-article', '#ipsrep-toggle-code', '.bd-header-announcement', '.dt-column-order', '.dt-search'])"
        " { const e = document.querySelector(s);"
        " out[s] = !!(e && e.checkVisibility() && e.getBoundingClientRect().height > 0); }"
        " return out; })()"
    )
    navigation = browser.evaluate(PRINTED_NAVIGATION)
    sortable = browser.evaluate("document.querySelectorAll('.dt-column-order').length")
    browser.send("Emulation.setEmulatedMedia", media="")
    assert shown.pop(".bd-header-announcement"), "the data banner must print"
    assert not any(shown.values()), shown
    assert navigation == [], navigation
    if stem == "07_audit":
        assert sortable > 0  # the ledgers are sortable on screen: the check above saw their arrows hidden


def test_banner_on_every_page_lighter_without_participant_data(browser, report):
    for page in sorted(report.glob("*.html")):
        browser.load(page.as_uri())
        kind = browser.evaluate("(() => { const b = document.querySelector('.bd-header-announcement .ipsrep-banner');"
                                " return b ? b.className : null; })()")
        if page.stem in ("glossary", "references", "search", "genindex"):
            assert kind is None, f"{page.name}: Sphinx's own pages show no data and carry no banner"
            continue
        assert kind, f"{page.name}: no data banner"
        if page.stem.startswith(("05_", "06_")):
            assert "ipsrep-banner-light" in kind, page.name
        if page.stem.startswith(("00_", "01_", "02_", "03_")):
            assert "ipsrep-banner-light" not in kind, page.name


def test_index_screenshot(browser, report, tmp_path):
    browser.load((report / "index.html").as_uri())
    shot = browser.screenshot(tmp_path / "index.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width = int.from_bytes(data[16:20], "big")
    assert width == 1280
    banner = browser.evaluate("document.querySelector('.ipsrep-banner') &&"
                              " document.querySelector('.ipsrep-banner').textContent")
    assert banner and "synthetic data" in banner.lower()


# --------------------------------------------------------------------------------------
# A report people finish reading (issue 21)
# --------------------------------------------------------------------------------------
ARTICLE_WIDTH = ("(() => { const a = document.querySelector('.bd-article'); const s = getComputedStyle(a);"
                 " return a.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); })()")


def in_view(browser: Chromium, selector: str) -> dict | None:
    return browser.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
        " const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, shown: e.checkVisibility() && r.height > 0,"
        " inside: r.bottom > 0 && r.top < innerHeight && r.top > -2}; })()")


def test_navigation_contents_and_data_mark_stay_in_view_after_scrolling(browser, report):
    viewport(browser, 1280, 900)
    long_pages = [p for p in notebook_pages(report) if p.stem.startswith(("00_", "03_", "07_", "08_"))]
    assert len(long_pages) == 4
    for page in long_pages:
        browser.load(page.as_uri())
        browser.evaluate("window.scrollTo(0, 3000)")
        browser.settle(0.4)
        assert browser.evaluate("scrollY") >= 2999, page.name
        for selector in (".bd-sidebar-primary", "#pst-page-toc-nav", ".bd-header-article", ".ipsrep-data-mark",
                         "#ipsrep-toggle-code"):
            place = in_view(browser, selector)
            assert place and place["shown"] and place["inside"], (page.name, selector, place)
        mark = browser.evaluate("document.querySelector('.ipsrep-data-mark').textContent")
        assert mark in ("Synthetic data", "Published numbers only"), (page.name, mark)
    browser.send("Emulation.clearDeviceMetricsOverride")


def test_no_table_is_wider_than_its_column_at_1280_px(browser, report):
    viewport(browser, 1280, 900)
    check = ("(() => { const a = document.querySelector('.bd-article'); const s = getComputedStyle(a);"
             " const col = a.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);"
             " return Array.from(a.querySelectorAll('table')).filter(t => t.checkVisibility())"
             " .map(t => [Math.round(t.getBoundingClientRect().width), Math.round(col),"
             "  (t.querySelector('tr') || {innerText: ''}).innerText.slice(0, 60)])"
             " .filter(([w, c]) => w > c + 1); })()")
    wide = {}
    for page in [report / "index.html", *notebook_pages(report)]:
        browser.load(page.as_uri())
        browser.evaluate("document.querySelectorAll('.bd-article details').forEach(d => d.open = true);"
                         " document.querySelectorAll('button.ipsrep-all-rows').forEach(b => b.click())")
        browser.settle(0.3)
        found = browser.evaluate(check)
        if found:
            wide[page.name] = found
    browser.send("Emulation.clearDeviceMetricsOverride")
    assert not wide, json.dumps(wide, indent=1, ensure_ascii=False)


def test_tables_show_no_raw_index_booleans_or_codes(browser, report):
    import re

    check = ("Array.from(document.querySelectorAll('.bd-article .cell_output table')).map(t => ({"
             " firsts: Array.from(t.querySelectorAll('tbody > tr')).map(r => r.firstElementChild)"
             "   .filter(c => c && c.tagName === 'TH').map(c => c.textContent.trim()),"
             " cells: Array.from(t.querySelectorAll('td')).map(c => c.textContent.trim()),"
             " heads: Array.from(t.querySelectorAll('thead th')).map(c => c.textContent.trim())}))")
    code = re.compile(r"^[a-z]+_[a-zA-Z0-9_]+$|^[A-Za-z]+ \d+$")
    bad = []
    for page in notebook_pages(report):
        browser.load(page.as_uri())
        for number, table in enumerate(browser.evaluate(check), start=1):
            where = f"{page.name} table {number}"
            if table["firsts"] and all(re.fullmatch(r"-?\d+", f) for f in table["firsts"]) \
                    and not (table["heads"] and table["heads"][0]):  # an unnamed index of integers
                bad.append(f"{where}: a row-number index {table['firsts'][:5]}")
            if any(c in ("True", "False") for c in table["cells"]):
                bad.append(f"{where}: True/False cells")
            heads = [h for h in table["heads"] if code.match(h)]
            if heads:
                bad.append(f"{where}: code headers {heads}")
            if any(c.endswith("...") or c.endswith("…") for c in table["cells"]):
                bad.append(f"{where}: a cell cut short")
    assert not bad, "\n".join(bad)


def test_long_tables_show_all_rows_on_request(browser, report):
    rows = ("(() => { const t = document.querySelector('.cell_output table.ipsrep-long'); if (!t) return null;"
            " return Array.from(t.tBodies[0].rows).filter(r => r.checkVisibility()).length; })()")
    seen = 0
    for page in notebook_pages(report):
        browser.load(page.as_uri())
        before = browser.evaluate(rows)
        if before is None:
            continue
        seen += 1
        total = browser.evaluate("document.querySelector('.cell_output table.ipsrep-long').tBodies[0].rows.length")
        assert before == 10 < total, (page.name, before, total)
        browser.click("button.ipsrep-all-rows")
        assert browser.evaluate(rows) == total, page.name
    assert seen > 0, "no long table on any page"


def test_front_page_key_findings_answer_in_30_seconds(browser, report):
    import tomllib

    viewport(browser, 1280, 900)
    browser.load((report / "index.html").as_uri())
    box = browser.evaluate(
        "(() => { const b = document.querySelector('.ipsrep-key-findings'); if (!b) return null;"
        " return {top: b.getBoundingClientRect().top, text: b.innerText,"
        " heads: Array.from(b.querySelectorAll('h3')).map(h => h.textContent.trim()),"
        " trust: Array.from(b.querySelectorAll('.ipsrep-kf-trust th')).map(h => h.textContent)}; })()")
    browser.send("Emulation.clearDeviceMetricsOverride")
    assert box is not None, "no Key findings box on the front page"
    assert box["top"] < 600, box["top"]
    assert box["heads"] == ["What the paper concluded", "What this replication finds", "How far to trust each part",
                            "How to cite this report"], box["heads"]
    assert len(box["trust"]) == 3
    assert "printed numbers" in box["trust"][0] and "built to match" in box["trust"][1] \
        and "cannot know" in box["trust"][2], box["trust"]
    version = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["version"]
    assert f"version {version}" in box["text"] and "Licence: MIT" in box["text"]
    assert "not significantly" in box["text"]  # the paper's own conclusion, from data/sources/claims.csv
    assert "synthetic" in box["text"].lower()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_opens_a_text_notebook_as_a_notebook(chromium, tmp_path):
    """The teaching recipe (``make lab``): with the project's JupyterLab settings
    (``etc/jupyterlab-overrides.json``, which ``make lab-settings`` copies into the
    environment) a ``notebooks/*.py`` file opens as a notebook, not as text, and no
    "Jupyter news" prompt shows. Skipped when JupyterLab is not installed (the ``lab``
    extra)."""
    import sys
    import urllib.request

    lab = Path(sys.executable).with_name("jupyter-lab")
    if not lab.is_file():
        pytest.skip("JupyterLab is not installed in this environment (make lab installs the lab extra)")
    root = Path(__file__).resolve().parents[1]
    app_settings = tmp_path / "app-settings"
    app_settings.mkdir()
    shutil.copyfile(root / "etc" / "jupyterlab-overrides.json", app_settings / "overrides.json")
    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [str(lab), "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={root}", f"--LabServerApp.app_settings_dir={app_settings}",
         "--ServerApp.disable_check_xsrf=True", *(["--allow-root"] if os.geteuid() == 0 else [])],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start within 90 s")
                time.sleep(0.5)
        profile = Path(tempfile.mkdtemp(prefix="ipsrep-lab-", dir=tmp_path))
        with Chromium(chromium, profile) as b:
            b.send("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1, mobile=False)
            b.load(f"http://127.0.0.1:{port}/lab/tree/notebooks/01_rq1_employment.py")
            state = None
            for _ in range(240):
                state = b.evaluate(
                    "(() => { const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');"
                    " return {cells: panel ? panel.querySelectorAll('.jp-Cell').length : 0,"
                    " markdown: panel ? panel.querySelectorAll('.jp-MarkdownCell').length : 0,"
                    " editor: document.querySelectorAll('.jp-FileEditor').length,"
                    " news: /Jupyter news/i.test(document.body.innerText)}; })()")
                if state["cells"] > 10:
                    break
                b.settle(0.25)
            b.settle(2.0)  # the news prompt, when enabled, appears a moment after start-up
            news = b.evaluate("/Jupyter news/i.test(document.body.innerText)")
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(server.pid, signal.SIGKILL)
    assert state and state["cells"] > 10 and state["markdown"] > 3, state
    assert state["editor"] == 0, f"opened in the text editor too: {state}"
    assert not news, "the 'Jupyter news' prompt is shown"

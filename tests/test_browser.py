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
- a screenshot of ``index.html`` is written to the test's temporary folder.

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
    def __enter__(self) -> "Chromium":
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
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
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
def report(bundled_report) -> Path:
    """The real report on the bundled reconstruction, built into a temporary folder
    (``bundled_report`` in conftest.py)."""
    return bundled_report


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
                # the HTML standard looks for the fragment as written, then percent-decoded
                # (nbconvert writes heading ids percent-encoded)
                ids = ids_of(target)
                if parts.fragment not in ids and unquote(parts.fragment) not in ids:
                    broken.append(f"{page.name} -> {href} (no element with that id)")
    assert checked > 0
    assert not broken, "\n".join(broken[:40])


def test_index_links_every_page_and_every_page_links_back(browser, report):
    browser.load((report / "index.html").as_uri())
    targets = {Path(unquote(urlsplit(h).path)).name for h in page_links(browser)}
    notebook_pages = {p.name for p in report.glob("*.html")} - {"index.html"}
    assert notebook_pages <= targets
    for name in sorted(notebook_pages):
        browser.load((report / name).as_uri())
        back = {Path(unquote(urlsplit(h).path)).name for h in page_links(browser)}
        assert "index.html" in back, name
        assert notebook_pages <= back | {name}, f"{name} does not link every page"


def test_code_toggle_opens_and_folds_every_code_cell(browser, report):
    state = ("(() => { const d = Array.from(document.querySelectorAll('details.ipsrep-code'));"
             " return {n: d.length, open: d.filter(x => x.open).length,"
             " shown: d.filter(x => x.querySelector('.jp-InputArea') && x.querySelector('.jp-InputArea').checkVisibility() &&"
             " x.querySelector('.jp-InputArea').getBoundingClientRect().height > 0).length,"
             " label: document.getElementById('ipsrep-toggle-code').textContent.trim()}; })()")
    for page in sorted(p for p in report.glob("*.html") if p.name != "index.html"):
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


def test_figures_have_alt_text_and_a_caption(browser, report):
    check = ("Array.from(document.querySelectorAll('img')).map(i => ({alt: i.alt,"
             " loaded: i.complete && i.naturalWidth > 0,"
             " caption: !!(i.closest('figure') && i.closest('figure').querySelector('figcaption'))"
             "   || /^\\s*Figure\\s+\\d/i.test((i.closest('.jp-Cell') && i.closest('.jp-Cell').nextElementSibling"
             "   && i.closest('.jp-Cell').nextElementSibling.textContent) || '')}))")
    seen = 0
    for page in sorted(p for p in report.glob("*.html") if p.name != "index.html"):
        browser.load(page.as_uri())
        for number, img in enumerate(browser.evaluate(check), start=1):
            seen += 1
            assert img["loaded"], f"{page.name}: image {number} did not load"
            assert len(img["alt"]) >= 15, f"{page.name}: image {number} alt text {img['alt']!r}"
            assert img["caption"], f"{page.name}: image {number} has no caption"
    assert seen > 0


def test_index_screenshot(browser, report, tmp_path):
    browser.load((report / "index.html").as_uri())
    shot = browser.screenshot(tmp_path / "index.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width = int.from_bytes(data[16:20], "big")
    assert width == 1280
    banner = browser.evaluate("document.querySelector('.ipsrep-banner') &&"
                              " document.querySelector('.ipsrep-banner').textContent")
    assert banner and "Synthetic data" in banner

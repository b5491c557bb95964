"""Issue 13: the build never loses a user's file, never publishes a torn or tampered
report, and never lets the data file's bytes act.

One test (or a few) per numbered situation of the issue, in its order, then a
property-based test (hypothesis) that mutates valid CSV files at random. The builds
run the two fixture notebooks of ``tests/fixtures/notebooks/ok`` (a few seconds each;
the cache makes repeats fast).
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ipsrep import cli, paths
from ipsrep.inputs import contract, parsing, schema
from ipsrep.report import check, publish
from tests.fixture_build import OK, PARTICIPANTS, write_trial
from tests.fixture_build import run_build as _run_build


def run_build(**kwargs) -> tuple[int, str]:
    kwargs.setdefault("notebooks_dir", OK)
    return _run_build(**kwargs)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def message(err: str) -> str:
    """The build's final message (after the progress lines)."""
    return [line for line in err.splitlines() if line.startswith("ipsrep build: ")][-1]


@pytest.fixture(scope="module")
def built(fixture_report, tmp_path_factory):
    """A data file, a cache and one published report of the fixture notebooks (a copy of the
    session's fixture report: these tests tamper with the cache)."""
    copy = fixture_report.copy_to(tmp_path_factory.mktemp("safety"))
    assert copy["status"] == 0, copy["err"]
    return copy


# --------------------------------------------------------------------------------------
# 1. User files are never deleted or overwritten
# --------------------------------------------------------------------------------------
def test_1_a_folder_of_user_files_is_refused_and_left_alone(built, tmp_path):
    u = tmp_path / "u"
    u.mkdir()
    (u / "thesis.html").write_text("x")
    (u / "my.ipynb").write_text("{}")
    (u / "index.html").write_text("mine")
    before = snapshot(u)
    for _ in range(2):
        status, err = run_build(data=str(built["data"]), out=u, cache_dir=built["cache"])
        assert status == 2, err
        assert "not empty and holds no report of ipsrep" in err and err.count("\n") == 1
    assert snapshot(u) == before


def test_1_user_files_added_to_a_report_survive_rebuilds(built, tmp_path):
    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 0, err
    (out / "thesis.html").write_text("x")
    (out / "notes").mkdir()
    (out / "notes" / "my.ipynb").write_text("{}")
    edited = write_trial(tmp_path / "edited.csv", rows=[*PARTICIPANTS[:4], ("FX-006", "TAU", 61)])
    for data in (edited, built["data"]):  # a changed report is published around them
        status, err = run_build(data=str(data), out=out, cache_dir=built["cache"])
        assert status == 0, err
        assert (out / "thesis.html").read_text() == "x" and (out / "notes" / "my.ipynb").read_text() == "{}"
    manifest = publish.read_manifest(out)
    assert "thesis.html" not in manifest and "notes/my.ipynb" not in manifest and "index.html" in manifest


def test_1_a_user_file_with_a_report_name_stops_the_build(built, tmp_path):
    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 0, err
    manifest = json.loads((out / publish.MANIFEST).read_text())
    manifest["files"].remove("ledger.csv")  # as if the user had put ledger.csv there
    (out / publish.MANIFEST).write_text(json.dumps(manifest))
    before = snapshot(out)
    edited = write_trial(tmp_path / "edited.csv", rows=[*PARTICIPANTS[:4], ("FX-006", "TAU", 61)])
    status, err = run_build(data=str(edited), out=out, cache_dir=built["cache"])
    assert status == 1 and "ledger.csv was not written by ipsrep" in err
    assert snapshot(out) == before


@pytest.mark.parametrize("where", ["/", "~", "project", "data", "above-project"])
def test_1_root_home_and_project_folders_are_refused(built, where):
    target = {"/": Path("/"), "~": Path.home(), "project": paths.PROJECT_ROOT, "data": paths.DATA_DIR,
              "above-project": paths.PROJECT_ROOT.parent}[where]
    before = sorted(p.name for p in target.iterdir())
    status, err = run_build(data=str(built["data"]), out=target, cache_dir=built["cache"])
    assert status == 2 and err.count("\n") == 1, err
    assert "needs a folder of its own" in err
    assert sorted(p.name for p in target.iterdir()) == before


# --------------------------------------------------------------------------------------
# 2. No torn report; leftovers are cleaned
# --------------------------------------------------------------------------------------
def _version(folder: Path, tag: str, n: int = 6) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"page{i}.html").write_text(f"{tag}\n" * 1000)
    return folder


def test_2_readers_see_one_whole_report_while_publishing(tmp_path):
    """A reader that opens the report folder sees every file from one build, at any
    instant, while reports are switched as fast as possible in another process."""
    out = tmp_path / "report"
    script = textwrap.dedent(f"""
        import sys, shutil
        from pathlib import Path
        from ipsrep.report import publish
        out = Path({str(out)!r})
        for i in range(300):
            staging = publish.new_staging(out)
            for j in range(6):
                (staging / f"page{{j}}.html").write_text(f"v{{i}}\\n" * 1000)
            publish.publish(staging, out)
    """)
    writer = subprocess.Popen([sys.executable, "-c", script])
    seen = 0
    try:
        while writer.poll() is None:
            try:
                fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                continue
            try:
                names = sorted(n for n in os.listdir(fd) if n.endswith(".html"))
                contents = set()
                for name in names:
                    with open(os.open(name, os.O_RDONLY, dir_fd=fd)) as f:
                        contents.add(f.read())
                current = os.fstat(fd).st_ino == os.stat(out).st_ino
            except FileNotFoundError:  # the previous report, being removed after the switch
                continue
            finally:
                os.close(fd)
            assert len(contents) <= 1, (names, len(contents))  # never pages of two builds
            if current:  # the folder at `out` is always complete
                assert len(names) == 6, names
                seen += 1
    finally:
        writer.wait(timeout=120)
    print(f"readers: {seen} complete views of the report during 300 switches, none mixed")
    assert writer.returncode == 0 and seen > 10


def test_2_killed_while_publishing_leaves_a_whole_report_and_no_leftovers(tmp_path):
    """SIGKILL at random moments of a publishing loop: what is left at `out` is always one
    whole report, and the next start removes the staging folders the dead process left."""
    out = tmp_path / "report"
    script = textwrap.dedent(f"""
        from pathlib import Path
        from ipsrep.report import publish
        out = Path({str(out)!r})
        i = 0
        while True:
            staging = publish.new_staging(out)
            for j in range(6):
                (staging / f"page{{j}}.html").write_text(f"v{{i}}\\n" * 20000)
            publish.publish(staging, out)
            i += 1
    """)
    first = publish.new_staging(out)
    for j in range(6):
        (first / f"page{j}.html").write_text("first\n")
    publish.publish(first, out)
    for delay in (0.6, 0.9, 1.3, 1.7, 2.1):
        writer = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        publish.clean_leftovers(out)
        assert out.is_dir()
        pages = {p.read_text() for p in out.glob("page*.html")}
        assert len(list(out.glob("page*.html"))) == 6 and len(pages) == 1
        assert set(publish.read_manifest(out)) == {f"page{j}.html" for j in range(6)}
        assert [p.name for p in tmp_path.iterdir() if "ipsrep-new" in p.name or "ipsrep-old" in p.name] == []


def test_2_a_build_switches_the_folder_in_one_step(built, tmp_path):
    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 0, err
    first = out.stat().st_ino
    edited = write_trial(tmp_path / "edited.csv", rows=[*PARTICIPANTS[:4], ("FX-006", "TAU", 61)])
    status, err = run_build(data=str(edited), out=out, cache_dir=built["cache"])
    assert status == 0, err
    assert out.stat().st_ino != first  # a new folder took the old one's place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.csv", "r"]  # and no lock file left beside it
    dead = tmp_path / ".r.ipsrep-new-999999999-0123abcd"
    dead.mkdir()
    (dead / "index.html").write_text("half a report")
    status, err = run_build(data=str(edited), out=out, cache_dir=built["cache"])
    assert status == 0 and not dead.exists()


# --------------------------------------------------------------------------------------
# 3. The data file's name is text, never markup or a load
# --------------------------------------------------------------------------------------
def test_3_a_hostile_file_name_is_escaped_everywhere(built, tmp_path):
    name = "<img src=x onerror=alert(1)><img src=https:\\\\127.0.0.1:9\\x.png>.csv"
    data = tmp_path / name
    shutil.copy(built["data"], data)
    out = tmp_path / "r"
    status, err = run_build(data=str(data), out=out, cache_dir=built["cache"])
    assert status == 0, err
    assert check.check_site(out, ids=set()) == []
    for path in out.rglob("*.html"):
        text = path.read_text()
        assert "<img src=x" not in text and "onerror=alert" not in text.replace("onerror=alert(1)&gt;", ""), path
    nb = (out / "00_counts.ipynb").read_text()
    banner = next(o for c in json.loads(nb)["cells"] for o in c.get("outputs", [])
                  if "ipsrep-banner" in "".join(o.get("data", {}).get("text/html", "")))
    assert "&lt;img src=x onerror=alert(1)&gt;" in "".join(banner["data"]["text/html"])


@pytest.mark.parametrize("page", [
    '<img src=https:\\\\127.0.0.1:9\\x.png>',
    '<img src="/\\evil.example/x.png">',
    '<img src=" java\tscript:alert(1)">',
    '<img srcset="a.png 1x, //cdn.example/b.png 2x">',
    '<img srcset="data:image/png;base64,AA,BB 1x, https://h/x.png 2x">',
    '<div style="background: URL( \'//h/x.png\' )"></div>',
    '<div style="background: \\75rl(//h/x.png)"></div>',
    '<style>@import "https://h/a.css";</style>',
    '<style>p { background-image: image-set("https://h/x.png" 1x) }</style>',
    '<svg><image href="https://h/x.svg"/></svg>',
    '<svg><use xlink:href="//h/s.svg#i"/></svg>',
    '<svg><rect fill="url(https://h/f.svg#g)"/></svg>',
    '<link rel="preload" href="ftp://h/x">',
    '<base href="https://h/">',
    '<meta http-equiv="refresh" content="0; url=https://h/">',
    '<iframe srcdoc="&lt;img src=&quot;https://h/x.png&quot;&gt;"></iframe>',
    '<object data="//h/x.swf"></object>',
    '<video poster="https://h/p.png"></video>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://doi.org/1" ping="https://h/track">x</a>',
    '<script>import("https://cdn.example.org/m.js")</script>',
    '<script src="https://cdn.example.org/x.js"></script>',
    '<body onload="fetch(\'https://h/x\')">',
])
def test_3_the_offline_check_parses_every_way_to_load(page):
    assert check.external_loads(page), page


@pytest.mark.parametrize("page", [
    '<a href="https://doi.org/10.1093/pm/pnac032">paper</a>',
    '<img src="data:image/png;base64,AAAA" srcset="x.png 1x, y.png 2x">',
    '<a href="#ledger-t2" title="see https://h">x</a><a href="ledger.csv">csv</a>',
    '<style>/* url(https://h/x) */ p { color: red }</style>',
    '<script>alert("help: https://datatables.net/tn/1"); var ns = "http://www.w3.org/2000/svg";</script>',
])
def test_3_links_and_local_files_are_not_loads(page):
    assert check.external_loads(page) == [], page


# --------------------------------------------------------------------------------------
# 4. One value cannot take the machine down
# --------------------------------------------------------------------------------------
def test_4_every_numeric_column_has_a_plausible_range(tmp_path):
    for f in contract.FIELDS:
        if f.kind == "number":
            assert f.low is not None and f.high is not None and f.high < 1e4, f.name
    assert contract.HOURS_IN_12_MONTHS == 8784
    age = next(f for f in contract.FIELDS if f.name == "age")
    assert (age.low, age.high) == (18, 65)
    bad = write_trial(tmp_path / "big.csv", hours_12m="1e308")
    lines = [v.line() for v in contract.check_trial_file(bad)]
    assert len(lines) == 5 and all("'hours_12m'" in line and "1e308 is outside 0-8784" in line for line in lines)


# --------------------------------------------------------------------------------------
# 5. Regular files only, of bounded size
# --------------------------------------------------------------------------------------
def _cli(*args, timeout=20) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ipsrep.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=paths.PROJECT_ROOT)


def test_5_a_fifo_or_device_is_refused_at_once(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    for target, words in ((fifo, "is a named pipe (FIFO)"), (Path("/dev/zero"), "is a device")):
        start = time.monotonic()
        run = _cli("validate", str(target))
        assert time.monotonic() - start < 15
        assert run.returncode == 1 and run.stdout == ""
        assert run.stderr == f"{target}: {words}, not a regular file; give a CSV file\n"
    status, err = run_build(data=str(fifo), out=tmp_path / "r", cache=False)
    assert status == 1 and "named pipe" in err and not (tmp_path / "r").exists()


def test_5_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    big = write_trial(tmp_path / "big.csv")
    monkeypatch.setattr(parsing, "MAX_FILE_BYTES", 100)
    lines = [v.line() for v in contract.check_trial_file(big)]
    assert lines == [f"{big}: is larger than 0 MiB ({big.stat().st_size:,} bytes or more); "
                     "the contract's files are a few kilobytes per participant"]


# --------------------------------------------------------------------------------------
# 6. Ctrl-C stops a build within seconds and leaves the previous report
# --------------------------------------------------------------------------------------
def test_6_ctrl_c_cancels_queued_notebooks_kills_kernels_and_exits_130(built, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(OK / "00_counts.py", notebooks / "00_counts.py")
    (notebooks / "01_slow.py").write_text(textwrap.dedent("""\
        # %% [markdown]
        # # Slow (build fixture)

        # %% tags=["parameters"]
        data_path = "data/reconstructed/ips_in_pain.csv"

        # %%
        import os, time
        open(os.environ["SLOW_PID_FILE"], "w").write(str(os.getpid()))
        time.sleep(300)
        """))
    shutil.copy(OK / "01_mean_age.py", notebooks / "02_mean_age.py")
    out = built["out"]
    before = snapshot(out)
    pid_file = tmp_path / "kernel.pid"
    script = (f"import sys; from ipsrep.cli import build_command; "
              f"sys.exit(build_command(data={str(built['data'])!r}, out={str(out)!r}, "
              f"notebooks_dir={str(notebooks)!r}, jobs=1, cache=False))")
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SLOW_PID_FILE": str(pid_file)}, cwd=paths.PROJECT_ROOT,
                            # a pytest-xdist worker ignores SIGINT and a child inherits that: restore it,
                            # as a terminal's process would have it
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pid_file.exists(), "the slow notebook never started"
    kernel = int(pid_file.read_text())
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    err = proc.stderr.read()
    proc.wait(timeout=30)
    took = time.monotonic() - sent
    print(f"Ctrl-C: exit status {proc.returncode} {took:.2f} s after SIGINT")
    assert proc.returncode == 130, err
    assert took < 5, took
    assert "start    02_mean_age" not in err  # the queued notebook never started
    assert "Traceback" not in err and "interrupted" in err
    with pytest.raises(ProcessLookupError):
        for _ in range(20):
            os.kill(kernel, 0)  # the kernel is gone
            time.sleep(0.1)
    assert snapshot(out) == before


# --------------------------------------------------------------------------------------
# 7. A cached page is used only when intact, and is checked like a fresh one
# --------------------------------------------------------------------------------------
def _site_entry(cache: Path) -> tuple[Path, dict]:
    refs = sorted((cache / "refs").glob("site-*.json"), key=lambda p: p.stat().st_mtime)
    ref = refs[-1]
    return ref, json.loads(ref.read_text())


def test_7_a_truncated_cached_page_is_a_miss(built, tmp_path):
    status, err = run_build(data=str(built["data"]), out=tmp_path / "first", cache_dir=built["cache"])
    assert status == 0, err
    good = (tmp_path / "first" / "00_counts.html").read_bytes()
    _ref, entry = _site_entry(built["cache"])  # the entry that build used (the latest)
    obj = built["cache"] / "objects" / entry["files"]["00_counts.html"]
    assert obj.read_bytes() == good
    obj.write_bytes(good[: len(good) // 2])
    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 0, err
    assert (out / "00_counts.html").read_bytes() == good  # rendered again, not the truncated copy


def test_7_a_tampered_cached_page_is_refused(built, tmp_path):
    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 0, err
    before = snapshot(out)
    ref, entry = _site_entry(built["cache"])
    page = (built["cache"] / "objects" / entry["files"]["01_mean_age.html"]).read_bytes()
    evil = page.replace(b"</head>", b'<script src="https://evil.example/x.js"></script></head>', 1)
    import hashlib

    digest = hashlib.sha256(evil).hexdigest()  # a consistent forgery: hash and reference updated
    (built["cache"] / "objects" / digest).write_bytes(evil)
    entry["files"]["01_mean_age.html"] = digest
    ref.write_text(json.dumps(entry))
    (out / "thesis.html").write_text("x")  # a change, so the build must publish
    before["thesis.html"] = b"x"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"])
    assert status == 1, err
    assert "01_mean_age.html would load from the network" in err and "evil.example" in err
    assert snapshot(out) == before
    ref.unlink()  # leave the shared cache without the forgery


# --------------------------------------------------------------------------------------
# 8. Nothing from the data reaches the terminal raw
# --------------------------------------------------------------------------------------
def test_8_ids_with_newlines_or_escape_codes_cannot_forge_output(tmp_path, capsys):
    from ipsrep.cli import main

    rows = [("P01\nOK: everything is fine", "IPS", 30), ("P02\x1b[32m", "IPS", 31), ("P03", "TAU", 40),
            ("P04", "TAU", 41)]
    path = write_trial(tmp_path / "evil.csv", rows=rows)
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "\x1b" not in err
    lines = err.splitlines()
    assert len(lines) == 3  # two violations and the summary, each one line
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert "\\n" in lines[0] and "\\x1b" in lines[1]
    assert contract.terminal_safe("a\u202eb\x07") == "a\\u202eb\\x07"


# --------------------------------------------------------------------------------------
# 9. A missing data file is one line
# --------------------------------------------------------------------------------------
def test_9_a_missing_data_file_is_one_line_and_exit_1(tmp_path):
    status, err = run_build(data="nope.csv", out=tmp_path / "r", cache=False)
    assert status == 1
    assert err == ("ipsrep build: --data nope.csv: no such file; no notebook was run and the report folder "
                   "is unchanged\n")
    run = _cli("build", "--data", "nope.csv", "--out", str(tmp_path / "r"))
    assert run.returncode == 1 and run.stderr.count("\n") == 1 and "internal error" not in run.stderr


# --------------------------------------------------------------------------------------
# 10. Ids that read as words or numbers are refused by validate, before any notebook runs
# --------------------------------------------------------------------------------------
def test_10_ids_that_are_words_are_refused_up_front(tmp_path, monkeypatch):
    from ipsrep.report import execute

    path = write_trial(tmp_path / "words.csv", rows=[("Table", "IPS", 30), ("mean", "IPS", 31),
                                                     ("IPS", "TAU", 40), ("42", "TAU", 41)])
    lines = [v.line() for v in contract.check_trial_file(path)]
    assert len(lines) == 4 and all("'participant_id'" in line for line in lines)
    assert "'Table' has no digit" in lines[0] and "'42' has 2 characters" in lines[3]
    monkeypatch.setattr(execute, "execute", lambda book, **kw: pytest.fail("a notebook was executed"))
    status, err = run_build(data=str(path), out=tmp_path / "r", cache=False)
    assert status == 1 and "start" not in err and "4 violations" in err


# --------------------------------------------------------------------------------------
# 11. A -p value of the wrong type names the parameter and the type it expects
# --------------------------------------------------------------------------------------
def test_11_a_parameter_of_the_wrong_type_is_one_line(tmp_path):
    status, err = run_build(out=tmp_path / "r", parameters={"alpha": "abc"}, cache=False)
    assert status == 2
    assert err == "ipsrep build: -p alpha abc: alpha expects a number (default 0.05 in 00_counts), not text\n"
    status, err = run_build(out=tmp_path / "r", parameters={"alpha": 1}, cache=False)  # an int is a number
    assert status != 2 or "expects" not in err
    run = _cli("build", "-p", "alpha", "abc\x1b[31m", "--out", str(tmp_path / "r2"))
    assert run.returncode == 2 and "\x1b" not in run.stderr and "alpha expects a number" in run.stderr


# --------------------------------------------------------------------------------------
# The notebooks' recorded parameters feed the index
# --------------------------------------------------------------------------------------
def test_notebooks_record_the_parameters_they_ran_with(built, tmp_path):
    import nbformat

    from ipsrep.report.context import PARAMETERS_MIMETYPE, recorded_parameters
    from ipsrep.report.params import run_parameters

    out = tmp_path / "r"
    status, err = run_build(data=str(built["data"]), out=out, cache_dir=built["cache"], parameters={"alpha": 0.01})
    assert status == 0, err
    counts = nbformat.read(out / "00_counts.ipynb", as_version=4)
    assert recorded_parameters(counts) == {"data_path": str(built["data"]), "alpha": 0.01}
    mean_age = nbformat.read(out / "01_mean_age.ipynb", as_version=4)
    assert recorded_parameters(mean_age) is None  # it does not call setup(): it records nothing
    assert run_parameters({"00": counts, "01": mean_age})["alpha"] == 0.01
    assert PARAMETERS_MIMETYPE in (out / "00_counts.ipynb").read_text()


# --------------------------------------------------------------------------------------
# Property: validate never crashes, never hangs, and places every refusal
# --------------------------------------------------------------------------------------
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_BASE = None


def _base_text() -> str:
    global _BASE
    if _BASE is None:
        buf = io.StringIO()
        columns = contract.column_names()
        writer = csv.DictWriter(buf, columns, lineterminator="\n")
        writer.writeheader()
        with paths.RECONSTRUCTED_CSV.open(newline="") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i < 12:
                    writer.writerow({c: row[c] for c in columns})
        _BASE = buf.getvalue()
    return _BASE


_NASTY = st.sampled_from(["", "nan", "inf", "-1", "1e308", "1e-320", "NA", "\x00", "\n", "\r", "\x1b[2J", '"',
                          ",", ";", "\ufeff", "é", "0x10", "1_000", " 7 ", "P\u202e01", "Table", "9" * 400,
                          "<img src=x onerror=alert(1)>", "IPS", "TAU", "1", "0", "2.5", "65", "17"])


@st.composite
def mutated_csv(draw) -> bytes:
    lines = _base_text().split("\n")
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "bytes", "drop_line", "dup_line", "header", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "cell":
            cells = lines[i].split(",")
            j = draw(st.integers(0, max(len(cells) - 1, 0)))
            cells[j] = draw(st.one_of(_NASTY, st.text(max_size=12)))
            lines[i] = ",".join(cells)
        elif kind == "drop_line" and len(lines) > 1:
            del lines[i]
        elif kind == "dup_line":
            lines.insert(i, lines[i])
        elif kind == "header":
            lines[0] = draw(st.sampled_from([lines[0].replace(",", ";"), lines[0].upper(), lines[0] + ",extra",
                                             lines[0].replace("participant_id,", ""), ""]))
        elif kind == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
    data = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()) and draw(st.booleans()):
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(max_size=8)) + data[pos:]
    return data


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(content=mutated_csv())
def test_property_validate_never_crashes_hangs_or_misplaces_a_refusal(tmp_path, content):
    path = tmp_path / "mutated.csv"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()

    def hung(signum, frame):
        raise TimeoutError("validate took more than 20 s")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = cli.validate_command(str(path))
        violations = contract.check_trial_file(path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    text = err.getvalue()
    assert status in (0, 1), text
    assert "Traceback" not in text and "bug in ipsrep" not in text
    assert "\x1b" not in text and "\x00" not in text
    if status == 0:
        assert violations == [] and out.getvalue().startswith("OK: ")
        return
    assert violations and out.getvalue() == ""
    for line in text.splitlines():
        assert line.startswith(f"{path}: "), line
    for v in violations:
        assert v.file == str(path)
        line = v.line()
        if v.row is not None:
            assert f"line {v.row}" in line
            assert v.column is not None or "cells but the header has" in v.message or "every cell is empty" in v.message
        else:
            assert v.column is not None or v.message  # a problem of the whole file or header


# --------------------------------------------------------------------------------------
# The data are validated once per build; a notebook on its own validates
# --------------------------------------------------------------------------------------
def test_setup_skips_the_check_only_for_the_bytes_the_build_checked(built, tmp_path, monkeypatch):
    from ipsrep.report import context

    calls = []
    real = schema.trial_schema
    monkeypatch.setattr(schema, "trial_schema", lambda *a: calls.append(a) or real(*a))
    monkeypatch.delenv(context.VALIDATED_SHA256_VARIABLE, raising=False)
    ctx = context.setup(str(built["data"]))  # a notebook run on its own: full check
    assert len(calls) == 1 and ctx.sha256 == contract.sha256_hex(built["data"].read_bytes())
    monkeypatch.setenv(context.VALIDATED_SHA256_VARIABLE, ctx.sha256)
    trusted = context.setup(str(built["data"]))
    assert len(calls) == 1  # the build checked these bytes: no second check
    assert trusted.trial.equals(ctx.trial) and trusted.trial.dtypes.equals(ctx.trial.dtypes)
    changed = write_trial(tmp_path / "changed.csv", rows=[*PARTICIPANTS[:4], ("FX-009", "TAU", 17)])
    with pytest.raises(contract.ContractError, match="17 is outside 18-65"):
        context.setup(str(changed))  # other bytes than the ones checked: checked in full
    assert len(calls) == 2

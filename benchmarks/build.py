"""How fast is ``ipsrep build``? One run, four timings, on this machine.

(a) the baseline a user without ``ipsrep build`` would run: for each notebook in turn,
    ``jupytext --to ipynb``, ``papermill`` and ``jupyter nbconvert --to html``, each a
    new process (as typed at a shell);
(b) a cold ``ipsrep build``: an empty cache, a new report folder;
(c) the same build again with nothing changed (every notebook from the cache);
(d) a cold ``ipsrep build`` on a 5,000-participant trial, resampled from the bundled
    reconstruction (``ipsrep.synthetic.resample``);
(e) the site alone: Sphinx + MyST-NB rendering the executed notebooks of (b) into a new
    folder (:func:`ipsrep.report.sphinx_site.render_sphinx_site`), the part of (b) that is not
    execution.

It prints the four times, (b)/(a) (target 0.6 or less on two cores), (c) in seconds
(target 2 s or less) and (d)/(b), with each notebook's time in (a), (b) and (d) so that
a slow notebook stands out. Every run uses temporary folders (report, cache, data) and
leaves the project as it was.

Usage, from the project root::

    .venv/bin/python benchmarks/build.py [--jobs N] [--participants 5000] [--skip-large]

This is a benchmark, not a test: the timings depend on the machine and on whatever
else runs on it.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET_RATIO = 0.6
TARGET_WARM = 2.0


def run(command: list[str], *, env: dict | None = None) -> tuple[float, str]:
    """Run `command` from the project root; return (wall seconds, stderr). Exit on failure."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"benchmark: {' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, done.stderr


def notebook_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "notebooks").glob("*.py") if not p.name.startswith((".", "_")))


def baseline(work: Path) -> tuple[float, dict[str, float]]:
    """(a): jupytext, papermill and nbconvert per notebook, one after the other."""
    converted, executed, pages = work / "ipynb", work / "executed", work / "html"
    for folder in (converted, executed, pages):
        folder.mkdir(parents=True)
    per_notebook = {}
    total = 0.0
    for source in notebook_sources():
        ipynb = converted / f"{source.stem}.ipynb"
        out = executed / f"{source.stem}.ipynb"
        seconds = run([str(BIN / "jupytext"), "--to", "ipynb", "--output", str(ipynb), str(source)])[0]
        seconds += run([str(BIN / "papermill"), str(ipynb), str(out), "--cwd", str(ROOT),
                        "--no-progress-bar"])[0]
        seconds += run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--output-dir", str(pages),
                        str(out)])[0]
        per_notebook[source.stem] = seconds
        total += seconds
    return total, per_notebook


def ipsrep_build(out: Path, cache: Path, *, jobs: int | None, data: Path | None = None
                 ) -> tuple[float, dict[str, float]]:
    """One ``ipsrep build`` into `out` with the cache in `cache`; (seconds, per notebook)."""
    command = [str(BIN / "ipsrep"), "build", "--out", str(out)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    if data is not None:
        command += ["--data", str(data)]
    env = dict(os.environ, IPSREP_CACHE_DIR=str(cache))
    seconds, err = run(command, env=env)
    per_notebook = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s*done\s+(\S+)\s+([\d.]+) s", err, re.M)}
    return seconds, per_notebook


def render_only(report: Path, dest: Path) -> float:
    """(e): seconds to render the site of `report`'s executed notebooks into `dest`
    (in this process, Sphinx's import included)."""
    started = time.perf_counter()
    from ipsrep.report.context import data_in_use
    from ipsrep.report.pages import pages_from_report
    from ipsrep.report.sphinx_site import render_sphinx_site

    pages, parameters = pages_from_report(report, bundled=True)
    parameters.setdefault("alpha", 0.05)
    dest.mkdir(parents=True)
    render_sphinx_site(pages, data=data_in_use(), parameters=parameters, show_code=False, dest=dest)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=None, help="ipsrep build --jobs (default: its own, the cores)")
    parser.add_argument("--participants", type=int, default=5000, help="size of the large trial in (d)")
    parser.add_argument("--skip-large", action="store_true", help="leave out (d)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from ipsrep.synthetic.resample import write_resampled_trial

    print(f"benchmark: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{len(notebook_sources())} notebooks", flush=True)
    with tempfile.TemporaryDirectory(prefix="ipsrep-bench-") as tmp:
        tmp = Path(tmp)
        print("(a) baseline: jupytext + papermill + nbconvert per notebook, in turn ...", flush=True)
        a, a_each = baseline(tmp / "baseline")
        print("(b) cold ipsrep build ...", flush=True)
        b, b_each = ipsrep_build(tmp / "report", tmp / "cache", jobs=args.jobs)
        print("(c) ipsrep build again, nothing changed ...", flush=True)
        c, _ = ipsrep_build(tmp / "report", tmp / "cache", jobs=args.jobs)
        print("(e) the site alone, from the executed notebooks of (b) ...", flush=True)
        e = render_only(tmp / "report", tmp / "site")
        d, d_each = None, {}
        if not args.skip_large:
            data = write_resampled_trial(tmp / f"trial_{args.participants}.csv", n=args.participants)
            print(f"(d) cold ipsrep build on {args.participants:,} participants ...", flush=True)
            d, d_each = ipsrep_build(tmp / "report-large", tmp / "cache-large", jobs=args.jobs, data=data)

    print()
    print(f"{'notebook':<24}{'(a) s':>9}{'(b) s':>9}" + (f"{'(d) s':>9}" if d is not None else ""))
    for stem in a_each:
        line = f"{stem:<24}{a_each[stem]:>9.1f}{b_each.get(stem, float('nan')):>9.1f}"
        if d is not None:
            line += f"{d_each.get(stem, float('nan')):>9.1f}"
        print(line)
    print("(per-notebook times in (b) and (d) overlap: notebooks run in parallel)")
    print()
    print(f"(a) baseline, sequential              {a:8.1f} s")
    print(f"(b) cold ipsrep build                 {b:8.1f} s")
    print(f"(c) second build, nothing changed     {c:8.1f} s")
    print(f"(e) the site alone (Sphinx)           {e:8.1f} s")
    if d is not None:
        print(f"(d) cold build, {args.participants:,} participants     {d:8.1f} s")
    print()
    ratio = b / a
    print(f"(b)/(a) = {ratio:.2f}   target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    print(f"(c)     = {c:.2f} s  target <= {TARGET_WARM:g} s: {'met' if c <= TARGET_WARM else 'MISSED'}")
    if d is not None:
        print(f"(d)/(b) = {d / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

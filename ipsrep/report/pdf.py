"""The whole report as one PDF (:func:`print_pdf`, ``ipsrep pdf``).

The executed notebooks of a report folder are rendered once more as a single HTML page
(Sphinx's ``singlehtml`` builder; the print style hides the navigation and folded
code), labelled with the data those notebooks recorded (not the bundled file), checked
as the build checks its site (nothing a browser would fetch, none of the data's
participant ids), and printed by headless Chromium with the network closed (every host
name unresolvable, a proxy that refuses), which runs MathJax first. The PDF embeds its
creation date, so two PDFs differ.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ipsrep import paths
from ipsrep.atomic import write_atomic
from ipsrep.ownership import folder_refusal, shown_path
from ipsrep.report import check
from ipsrep.report.build import check_data
from ipsrep.report.failures import BuildError
from ipsrep.report.pages import pages_from_report, report_data
from ipsrep.report.sphinx_site import SiteError, render_sphinx_site

__all__ = ["PdfError", "PrintedPdf", "print_pdf"]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


class PdfError(Exception):
    """The PDF could not be printed; the message (one line) says why."""


@dataclass(frozen=True)
class PrintedPdf:
    """A PDF :func:`print_pdf` wrote: its path, size in bytes, number of report pages
    and the label of the data the report was built from."""

    path: Path
    size: int
    pages: int
    data_label: str


def pdf_target(out: str | os.PathLike) -> Path:
    """The PDF's path; refused (:class:`PdfError`, one line) when something is there that
    Chromium did not print (not a regular file, not a PDF, not Skia's), or in a folder of
    the project other than its root."""
    target = Path(out).resolve()
    if target.parent != paths.PROJECT_ROOT.resolve():
        problem = folder_refusal(target.parent, option="the PDF's folder", what="the PDF", needs_manifest=False)
        if problem:
            raise PdfError(problem)
    if os.path.lexists(target):
        info = os.lstat(target)
        head = b""
        if stat.S_ISREG(info.st_mode):
            with open(target, "rb") as f:
                head = f.read(1 << 16)
        if not stat.S_ISREG(info.st_mode) or not head.startswith(b"%PDF-") or b"Skia/PDF" not in head:
            raise PdfError(f"{shown_path(target)}: is there and is not a PDF this command printed; "
                           "move it away or give another file")
    return target


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) on the PATH, else None."""
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


def print_pdf(report_dir: str | os.PathLike = "reports", out: str | os.PathLike = "report.pdf") -> PrintedPdf:
    """Print the report of `report_dir` (its executed ``NN_*.ipynb``) to the PDF `out`
    (see the module docstring). Raises :class:`PdfError` with one line saying why
    nothing was printed; an earlier PDF at `out` is replaced whole or left as it was."""
    report = Path(report_dir)
    chromium = find_chromium()
    if chromium is None:
        raise PdfError("no Chromium found (apt-get install chromium); it prints the PDF")
    target = pdf_target(out)
    pages, parameters = pages_from_report(report, bundled=True)  # first to learn the data; re-read below if not bundled
    if not pages:
        raise PdfError(f"no executed notebooks (NN_*.ipynb) in {report}; run make report first")
    data_path, recorded_sha = report_data(pages)
    try:
        data, ids = check_data(data_path)  # the same file: its label, and its ids for the check
    except BuildError as err:
        raise PdfError(f"the report in {report} was built from {data_path or 'the bundled data'}, which cannot be "
                       f"checked now ({str(err).split(';')[0]}); the PDF is checked for its participant ids") from None
    if recorded_sha and data.sha256 != recorded_sha:
        raise PdfError(f"the report in {report} was built from a file with sha256 {recorded_sha}; {data_path} now "
                       "holds other bytes; rebuild the report first")
    if not data.bundled:
        pages, parameters = pages_from_report(report, bundled=False)
    parameters.setdefault("alpha", 0.05)
    with tempfile.TemporaryDirectory(prefix="ipsrep-pdf-") as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        try:
            render_sphinx_site(pages, data=data, parameters=parameters, show_code=False, dest=site,
                               builder="singlehtml", workdir=Path(tmp) / "work")
        except SiteError as err:
            raise PdfError(str(err)) from None
        problems = check.check_site(site, ids=ids)
        if problems:
            more = f" ({len(problems) - 1} more)" if len(problems) > 1 else ""
            raise PdfError(f"{problems[0]}; not printed{more}")
        printed = Path(tmp) / "report.pdf"
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
             "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
             "--virtual-time-budget=60000", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={printed}", (site / "index.html").as_uri()],
            capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not printed.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise PdfError(f"Chromium could not print the report: {last}")
        write_atomic(target, printed.read_bytes())
    return PrintedPdf(path=target, size=target.stat().st_size, pages=len(pages), data_label=data.label)

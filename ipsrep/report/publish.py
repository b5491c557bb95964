"""Publishing a report: whole or not at all, and never at the cost of a user's file.

The build writes the new report into a staging folder beside the out folder
(``.<out name>.ipsrep-new-<pid>-<random>``, same file system) and switches the two with
one atomic rename (:func:`swap`: Linux's ``renameat2(RENAME_EXCHANGE)``; elsewhere two
renames, between which the out folder is briefly absent, never mixed). A reader, or a
crash at any instant, sees the whole previous report or the whole new one. The out
folder stays a real folder, so ``reports/*.ipynb`` and ``reports/ledger.csv`` keep their
paths and git sees ordinary files; a rebuild that changes nothing leaves every file as
it was (:func:`publish` compares before switching).

Ownership: the report carries a manifest (:data:`MANIFEST`) listing every file the build
wrote. Files in the out folder that the manifest does not list are the user's: they are
carried into the new report (hard links, else copies) and never deleted or overwritten;
a user's file with the name of a file the build wants to write stops the build. A
non-empty folder without a manifest is refused (except the project's own ``reports/``,
where git keeps the executed notebooks and ``ledger.csv`` but not the manifest: there
the files this build writes are taken as the build's own, and anything else is carried
across), as are the file system root, the home
folder, the project root (or a folder above it) and the project's own source folders
(:func:`check_out_folder`). Leftovers of interrupted builds (staging folders of
processes that no longer run) are removed at the next start (:func:`clean_leftovers`).
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from ipsrep import paths
from ipsrep.atomic import write_atomic
from ipsrep.ownership import project_folders
from ipsrep.report.failures import BuildError, UsageError, shown

__all__ = ["MANIFEST", "check_out_folder", "clean_leftovers", "new_staging", "publish", "read_manifest", "swap"]

MANIFEST = ".ipsrep-manifest.json"
"""File in the out folder listing the files the build wrote (relative paths)."""
MANIFEST_FORMAT = "ipsrep-report-manifest-1"

_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.ipsrep-(?P<kind>new|old)-(?P<pid>\d+)-[0-9a-f]{8}$")


def read_manifest(folder: Path) -> list[str] | None:
    """Files listed in `folder`'s manifest, or None when it has none (or an unreadable one)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("files"), list):
        return None
    files = [f for f in data["files"] if isinstance(f, str) and _safe_relative(f)]
    return files


def _safe_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and name != MANIFEST


def manifest_text(files) -> str:
    """The manifest's text (sorted names: the same report gives the same bytes)."""
    return json.dumps({"format": MANIFEST_FORMAT, "files": sorted(files)}, indent=1) + "\n"


def _legacy_names(out: Path, names: set[str]) -> set[str] | None:
    """For the project's default ``reports/`` written before manifests existed: the files
    there that this build writes too (adopted as the build's), else None."""
    if out != paths.REPORT_DIR.resolve():
        return None
    return {p.name for p in out.iterdir() if p.is_file() and p.name in names}


def check_out_folder(out: Path) -> None:
    """Refuse an out folder the build may not write into (see the module notes).

    Raises UsageError (exit status 2) with one line saying why.
    """
    out = Path(out)
    home = Path(os.path.expanduser("~")).resolve()
    root = paths.PROJECT_ROOT.resolve()
    own = "; the report needs a folder of its own (e.g. reports/ or a new folder)"
    if out == Path(out.anchor):
        raise UsageError(f"--out {out}: is the file system root{own}")
    if out == home or out in home.parents:
        raise UsageError(f"--out {out}: is {'your home folder' if out == home else 'a folder above your home'}{own}")
    if out == root or out in root.parents:
        raise UsageError(f"--out {out}: is {'the project root' if out == root else 'a folder above the project'}{own}")
    for folder, what in project_folders():
        if out == folder or folder in out.parents:
            raise UsageError(f"--out {out}: is {'' if out == folder else 'inside '}{what}{own}")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: is a file, not a folder")
    if out.is_dir():
        try:
            entries = [p.name for p in out.iterdir()]
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot be read ({exc.strerror or exc})") from None
        if entries and read_manifest(out) is None and out != paths.REPORT_DIR.resolve():
            raise UsageError(f"--out {shown(out)}: is not empty and holds no report of ipsrep (no {MANIFEST}); "
                             "the build never writes among other files: give an empty or new folder")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out: Path) -> list[Path]:
    """Remove staging and old-report folders left beside `out` by builds that no longer
    run (killed, crashed, interrupted); return what was removed. When a crash left no
    `out` at all between the two renames of the fallback switch, the old report is put
    back first."""
    out = Path(out)
    parent = out.parent
    removed: list[Path] = []
    if not parent.is_dir():
        return removed
    leftovers = []
    for entry in parent.iterdir():
        m = _LEFTOVER.match(entry.name)
        if (m and m.group("name") == out.name and entry.is_dir() and not entry.is_symlink()
                and (not _alive(int(m.group("pid"))) or int(m.group("pid")) == os.getpid())):
            leftovers.append((m.group("kind"), entry))
    with _lock(out):
        if not out.exists():
            olds = sorted((e for k, e in leftovers if k == "old"), key=lambda p: p.stat().st_mtime, reverse=True)
            if olds:
                os.rename(olds[0], out)
                leftovers = [(k, e) for k, e in leftovers if e != olds[0]]
        for _, entry in leftovers:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def new_staging(out: Path) -> Path:
    """A new, empty staging folder beside `out` (same file system, so the switch is one
    rename)."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.parent / f".{out.name}.ipsrep-new-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
    except OSError as exc:
        raise BuildError(f"cannot write the report beside {shown(out)}: {exc.strerror or exc}") from None
    return staging


@contextmanager
def _lock(out: Path):
    """Hold an exclusive lock for `out` (a lock file beside it) while publishing."""
    path = out.parent / f".{out.name}.ipsrep-lock"
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            yield  # an unwritable parent: the build will fail on its own, with a message
            return
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except OSError:
            same = False
        if same:
            break
        os.close(fd)  # the holder before us removed the file we locked: lock the new one
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # no lock file is left beside the folder, refused build or not
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders `a` and `b` atomically (Linux ``renameat2``); False when the
    system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap(staging: Path, out: Path) -> Path | None:
    """Put `staging` in the place of `out` in one step; return where the previous report
    is now (to be removed), or None when there was none."""
    if not out.exists():
        os.rename(staging, out)
        return None
    if _exchange(staging, out):
        return staging
    old = out.parent / f".{out.name}.ipsrep-old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.rename(out, old)
    os.rename(staging, out)
    return old


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _same(staging: Path, out: Path, names: list[str]) -> bool:
    for name in names:
        a, b = staging / name, out / name
        if not b.is_file() or b.is_symlink() or a.stat().st_size != b.stat().st_size:
            return False
        if a.read_bytes() != b.read_bytes():
            return False
    return True


def _carry(source: Path, target: Path) -> None:
    """Hard-link (else copy) the user's file `source` to `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _publish_in_place(staging: Path, out: Path, names: list[str], previous: list[str]) -> None:
    """Publish into `out` itself when it cannot be renamed (a mount point: EBUSY): each
    file of the report replaced by a rename of its own, the previous report's files that
    the new one lacks removed, the manifest written last. Not one switch for the whole
    report, but never a half-written file, and the user's files are left where they are."""
    for rel in names:
        if rel == MANIFEST:
            continue
        write_atomic(out / rel, (staging / rel).read_bytes())
    for rel in set(previous) - set(names) - {MANIFEST}:
        with contextlib.suppress(OSError):
            (out / rel).unlink()
    write_atomic(out / MANIFEST, (staging / MANIFEST).read_bytes())


def publish(staging: Path, out: Path) -> str:
    """Make the report in `staging` the report at `out`; return what happened
    (``"new"``, ``"replaced"`` or ``"unchanged"``).

    Writes the manifest into `staging`; carries the user's files (those the previous
    manifest does not list) across; refuses (BuildError) when one of them has the name
    of a file of the new report; switches with :func:`swap`; removes the previous report.
    `staging` no longer exists afterwards.
    """
    staging, out = Path(staging), Path(out)
    names = _files(staging)
    if MANIFEST in names:
        raise BuildError(f"the rendered report holds a file named {MANIFEST}, which the build reserves")
    (staging / MANIFEST).write_text(manifest_text(names), encoding="utf-8")
    with _lock(out):
        check_out_folder(out)  # again, now under the lock
        previous = read_manifest(out) if out.is_dir() else None
        if out.is_dir() and previous is None:
            legacy = _legacy_names(out, set(names))
            previous = sorted(legacy) if legacy is not None else None
        if out.is_dir():
            if previous == names and _same(staging, out, names) and (out / MANIFEST).is_file():
                shutil.rmtree(staging, ignore_errors=True)
                return "unchanged"
            ours = set(previous or ()) | {MANIFEST}
            for rel in _files(out):
                if rel in ours:
                    continue
                if rel in names:
                    raise BuildError(f"{shown(out / rel)} was not written by ipsrep (it is not in the report's "
                                     f"{MANIFEST}); move it away, or give another --out. Nothing was changed.")
                _carry(out / rel, staging / rel)
            for folder in sorted(p for p in out.rglob("*") if p.is_dir() and not p.is_symlink()):
                (staging / folder.relative_to(out)).mkdir(parents=True, exist_ok=True)
        try:
            old = swap(staging, out)
        except OSError as exc:
            if exc.errno in (errno.EBUSY, errno.EXDEV) and out.is_dir():  # a mount point cannot be renamed
                _publish_in_place(staging, out, names, previous or [])
                shutil.rmtree(staging, ignore_errors=True)
                return "replaced"
            raise BuildError(f"cannot switch {shown(out)} to the new report: {exc.strerror or exc}; "
                             "the previous report is unchanged") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
        return "replaced"
    return "new"

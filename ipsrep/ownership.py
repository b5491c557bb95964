"""Which folders a command may write into, and which files there are its own.

Every folder the tool writes (the report's ``--out``, the ensemble's ``--out`` and
``--work``, ``reconstruct --out``) follows the rules of the report build
(:mod:`ipsrep.report.publish`): a folder of its own carries a manifest
(:data:`MANIFEST`) listing the files the tool wrote; a file it does not list is the
user's and is never overwritten; a non-empty folder without a manifest is refused; so are
the file system root, the home folder (or a folder above it), the project root (or a
folder above it) and the project's own source folders, except where a command's default
folder lives (``reports/``, ``data/ensemble/``), which the caller names in ``allowed``.
Every refusal is one line.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ipsrep import paths

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "folder_refusal", "manifest_text", "read_manifest", "shown_path"]

MANIFEST = ".ipsrep-manifest.json"
"""File in an output folder listing the files the tool wrote there (relative paths)."""
MANIFEST_FORMAT = "ipsrep-report-manifest-1"


def shown_path(path) -> str:
    """A path as the terminal should show it (control characters escaped)."""
    from ipsrep.inputs.contract import terminal_safe

    return terminal_safe(str(path))


def project_folders() -> list[tuple[Path, str]]:
    """The project's own folders, which no command may write into, with their names."""
    root = paths.PROJECT_ROOT.resolve()
    return [(paths.DATA_DIR.resolve(), "the project's data folder"),
            (paths.NOTEBOOK_DIR.resolve(), "the project's notebook folder"),
            (paths.PACKAGE_DIR.resolve(), "the ipsrep package"),
            (root / ".git", "the git repository"), (root / "tests", "the project's tests")]


def _safe_relative(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts and name != MANIFEST


def read_manifest(folder: Path) -> list[str] | None:
    """Files listed in `folder`'s manifest, or None when it has none (or an unreadable one)."""
    from ipsrep.inputs.datafiles import read_local_json

    try:
        data = read_local_json(Path(folder) / MANIFEST, limit=16 * 1024 * 1024)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("files"), list):
        return None
    return [f for f in data["files"] if isinstance(f, str) and _safe_relative(f)]


def manifest_text(files) -> str:
    """The manifest's text (sorted names: the same output gives the same bytes)."""
    return json.dumps({"format": MANIFEST_FORMAT, "files": sorted(files)}, indent=1) + "\n"


def folder_refusal(out: Path, *, option: str = "--out", what: str = "the report",
                   allowed: tuple[Path, ...] = (), needs_manifest: bool = True) -> str | None:
    """Why `out` may not be written as a folder of its own (one line, naming `option`), or None.

    `allowed` are the command's own default folders inside the project (they may lack a
    manifest: git keeps their files, not the manifest). With ``needs_manifest`` a
    non-empty folder without a manifest is refused.
    """
    out = Path(out)
    home = Path(os.path.expanduser("~")).resolve()
    root = paths.PROJECT_ROOT.resolve()
    own = f"; {what} needs a folder of its own (a new or empty folder)"
    allowed = tuple(Path(a).resolve() for a in allowed)
    if out in allowed:
        return None if out.is_dir() or not out.exists() else f"{option} {shown_path(out)}: is a file, not a folder"
    if out == Path(out.anchor):
        return f"{option} {shown_path(out)}: is the file system root{own}"
    if out == home or out in home.parents:
        return (
            f"{option} {shown_path(out)}: is {'your home folder' if out == home else 'a folder above your home'}{own}"
        )
    if out == root or out in root.parents:
        return (
            f"{option} {shown_path(out)}: is {'the project root' if out == root else 'a folder above the project'}{own}"
        )
    for folder, name in project_folders():
        if out == folder or folder in out.parents:
            return f"{option} {shown_path(out)}: is {'' if out == folder else 'inside '}{name}{own}"
    if out.exists() and not out.is_dir():
        return f"{option} {shown_path(out)}: is a file, not a folder"
    if out.is_dir() and needs_manifest:
        try:
            entries = [p.name for p in out.iterdir()]
        except OSError as exc:
            return f"{option} {shown_path(out)}: cannot be read ({exc.strerror or exc})"
        if entries and read_manifest(out) is None:
            return (f"{option} {shown_path(out)}: is not empty and holds nothing ipsrep wrote (no {MANIFEST}); "
                    "it never writes among other files: give an empty or new folder")
    return None

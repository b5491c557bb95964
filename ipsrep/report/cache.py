"""The build cache: executed notebooks and rendered sites, kept by what they were made from.

Keys
----
A notebook's key (:func:`cache_key`) is its source, the parameters injected into it and
the digest of the inputs it declares (:func:`inputs_digest`): the modules of the
``ipsrep`` package it imports, followed through their own imports
(:func:`module_closure`, read from the import statements, not from a list of file names),
with the build's own execution and normalisation modules; every file under ``data/``;
the data file in use (its SHA-256); any file a string parameter names; the Python
version and the numerical libraries' versions. Editing the page renderer therefore
re-renders pages without re-running notebooks, and editing an analysis module re-runs
only the notebooks that import it.

A rendered site's key (:func:`site_key`) is the notebooks' keys, the renderer
(:func:`ipsrep.report.render.renderer_digest`), the data in use, the parameters and
``show_code``.

Integrity
---------
Entries are content-addressed (:class:`Store`): every file is stored under the SHA-256
of its bytes, and a reference names the files of an entry by their hashes. An entry is
used only when every file's bytes still hash to the recorded value; anything else (a
truncated file, an edited page) is a miss. A page taken from the cache is then checked
like a fresh one (:mod:`ipsrep.report.check`).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from functools import cache
from importlib import metadata as importlib_metadata
from pathlib import Path

from ipsrep import paths
from ipsrep.atomic import write_atomic

__all__ = ["CACHE_FORMAT", "Store", "cache_key", "default_cache_dir", "inputs_digest", "module_closure",
           "site_key", "contract_key"]

DEFAULT_CACHE_DIR = paths.PROJECT_ROOT / ".cache" / "ipsrep-build"
CACHE_DIR_VARIABLE = "IPSREP_CACHE_DIR"
"""Environment variable naming another cache folder (the benchmark's cold builds use it)."""
CACHE_FORMAT = "ipsrep-build-cache-3"
"""Bump when the cached notebooks' content changes meaning (part of every key)."""

VERSIONED = ("numpy", "pandas", "scipy", "statsmodels", "pingouin", "matplotlib", "seaborn",
             "pandera", "ipykernel", "papermill", "nbformat", "nbconvert", "jupytext")
"""Libraries whose versions are part of a notebook's key (a changed one re-executes)."""

EXECUTION_MODULES = ("ipsrep.report.execute", "ipsrep.report.normalise", "ipsrep.report.context")
"""The build's modules that shape an executed notebook besides the notebook's own imports."""


def default_cache_dir() -> Path:
    """``$IPSREP_CACHE_DIR`` when set, else ``.cache/ipsrep-build`` in the project."""
    env = os.environ.get(CACHE_DIR_VARIABLE)
    return Path(env) if env else DEFAULT_CACHE_DIR


# --------------------------------------------------------------------------------------
# What a notebook declares it reads: its imports
# --------------------------------------------------------------------------------------
def _module_file(name: str) -> Path | None:
    """File of the ``ipsrep`` module `name` (a package's ``__init__.py``), if it exists."""
    parts = name.split(".")
    if parts[0] != "ipsrep":
        return None
    base = paths.PACKAGE_DIR.joinpath(*parts[1:])
    if base.with_suffix(".py").is_file() and len(parts) > 1:
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]+)", re.MULTILINE)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)


def imported_names(source: str, package: str = "") -> set[str]:
    """Every ``ipsrep`` module (or name inside one) that `source` imports, anywhere in it
    (import statements at any depth, read line by line: an import written in a
    docstring counts too, which only makes a key more cautious).

    ``from a.b import c`` yields both ``a.b`` and ``a.b.c`` (c may be a module); relative
    imports are resolved against `package`.

    >>> sorted(imported_names("from ipsrep.report import (ledger,\\n  context)\\nimport ipsrep.paths as p\\n"))
    ['ipsrep.paths', 'ipsrep.report', 'ipsrep.report.context', 'ipsrep.report.ledger']
    """
    found: set[str] = set()
    for m in _FROM_IMPORT.finditer(source):
        module, names = m.group(1), m.group(2)
        level = len(module) - len(module.lstrip("."))
        if level:
            base = package.split(".")
            base = base[: len(base) - level + 1]
            rest = module.lstrip(".")
            module = ".".join(base + ([rest] if rest else []))
        if module.split(".")[0] != "ipsrep":
            continue
        found.add(module)
        for name in names.strip("()").replace("\\\n", " ").split(","):
            name = name.split()[0] if name.split() else ""
            if name.isidentifier():
                found.add(f"{module}.{name}")
    for m in _IMPORT.finditer(source):
        for part in m.group(1).split(","):
            name = part.split()[0] if part.split() else ""
            if name.split(".")[0] == "ipsrep":
                found.add(name)
    return found


@cache
def _module_imports(name: str, mtime_ns: int) -> frozenset[str]:
    path = _module_file(name)
    package = name if path is not None and path.name == "__init__.py" else name.rpartition(".")[0]
    return frozenset(imported_names(path.read_text(encoding="utf-8"), package)) if path else frozenset()


def module_closure(names) -> list[Path]:
    """Files of the ``ipsrep`` modules `names` and of every ``ipsrep`` module they import,
    directly or not, with the ``__init__.py`` of each package on the way; sorted."""
    files: set[Path] = set()
    todo = list(names)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        for i in range(1, len(parts)):  # the packages a module's import runs
            todo.append(".".join(parts[:i]))
        path = _module_file(name)
        if path is None:
            continue
        files.add(path)
        todo.extend(_module_imports(name, path.stat().st_mtime_ns))
    return sorted(files)


# --------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------
@cache
def _version(name: str) -> str:
    try:
        return importlib_metadata.version(name)
    except importlib_metadata.PackageNotFoundError:
        return "absent"


def _versions(names) -> str:
    return ";".join(f"{name}={_version(name)}" for name in names)


def tree_digest(root: Path) -> str:
    """SHA-256 over the relative paths and bytes of the regular files under `root`."""
    h = hashlib.sha256()
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _files_digest(files) -> str:
    h = hashlib.sha256()
    for p in files:
        h.update(p.relative_to(paths.PROJECT_ROOT).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _named_files(parameters: dict) -> list[Path]:
    """Existing files and folders that string parameters name (outside ``data/``, which
    is hashed whole)."""
    out = []
    for value in parameters.values():
        if isinstance(value, str) and value and len(value) < 4096:
            try:
                p = paths.resolve(value)
                if os.path.lexists(p) and paths.DATA_DIR.resolve() not in p.parents \
                        and p != paths.DATA_DIR.resolve():
                    out.append(p)
            except (OSError, ValueError):
                continue
    return sorted(set(out))


NAMED_FOLDER_FILES = 1000
"""At most this many files of a folder a parameter names enter the key (a folder with
more is keyed by its listing and sizes alone, and its notebook refuses or reads it)."""


def _named_digest(p: Path, depth: int = 0) -> str:
    """What a file or folder named by a parameter holds, as a digest: the bytes of a
    regular file (read as every input is read, :func:`ipsrep.inputs.datafiles.read_local_bytes`),
    or the names and bytes of the regular files directly in a folder (an ensemble's
    ``results.csv``, ``keys.csv``, ``metadata.json``); anything else (a FIFO, a device,
    a file too large to read) by its kind and size, never by waiting on it."""
    from ipsrep.inputs.datafiles import UnreadableFile, read_local_bytes

    h = hashlib.sha256()
    try:
        info = os.stat(p)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    if stat.S_ISDIR(info.st_mode):
        if depth:
            return f"dir:{info.st_mtime_ns}"  # one level only (no walking a tree or a link loop)
        try:
            entries = sorted(os.scandir(p), key=lambda e: e.name)[:NAMED_FOLDER_FILES]
        except OSError as exc:
            return f"unreadable:{exc.errno}"
        for entry in entries:
            h.update(
                entry.name.encode("utf-8", "surrogateescape")
                + b"\0"
                + _named_digest(Path(entry.path), depth + 1).encode()
            )
        return "dir:" + h.hexdigest()
    try:
        h.update(read_local_bytes(p))
    except UnreadableFile:
        return f"other:{stat.S_IFMT(info.st_mode)}:{info.st_size}:{info.st_mtime_ns}"
    return "file:" + h.hexdigest()


def inputs_digest(source: bytes, *, data_sha256: str, parameters: dict | None = None,
                  data_tree: str | None = None) -> str:
    """SHA-256 of what one notebook reads besides its own source (see the module notes).

    Parameters
    ----------
    source : the notebook's jupytext source (its imports are read from it).
    data_sha256 : SHA-256 of the participant-level file in use.
    parameters : the injected parameters (files they name are hashed).
    data_tree : :func:`tree_digest` of ``data/``, when the caller has it already.
    """
    text = source.decode("utf-8", errors="replace")
    files = module_closure({*imported_names(text), *EXECUTION_MODULES})
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(_files_digest(files).encode())
    h.update((data_tree or tree_digest(paths.DATA_DIR)).encode())
    h.update(data_sha256.encode())
    for p in _named_files(parameters or {}):
        h.update(str(p).encode("utf-8", "surrogateescape") + b"\0" + _named_digest(p).encode())
    h.update(sys.version.encode())
    h.update(_versions(VERSIONED).encode())
    return h.hexdigest()


def cache_key(source: bytes, parameters: dict, digest: str) -> str:
    """Key of one notebook run: its source, its injected parameters and its inputs digest."""
    h = hashlib.sha256(digest.encode())
    h.update(source)
    h.update(json.dumps(parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


def contract_key(data_sha256: str) -> str:
    """Key of one contract check: the data file's bytes and the code that checks them."""
    h = hashlib.sha256(CACHE_FORMAT.encode())
    h.update(data_sha256.encode())
    h.update(_files_digest(module_closure(["ipsrep.inputs.contract"])).encode())
    h.update(_versions(("pandera", "pandas", "numpy")).encode())
    return h.hexdigest()


def site_key(page_keys: list[tuple[str, str]], *, renderer: str, data_label: str, bundled: bool,
             parameters: dict, show_code: bool) -> str:
    """Key of a rendered site: (stem, notebook key) of every page in order, the renderer
    digest, the data in use, the parameters and ``show_code``."""
    blob = json.dumps({"pages": page_keys, "renderer": renderer, "data": [data_label, bundled],
                       "parameters": parameters, "show_code": show_code, "format": CACHE_FORMAT},
                      sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()


# --------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------
CACHE_ENTRY_BYTES = 256 * 1024 * 1024
"""Largest cache object read (a page's executed notebook or site file is far smaller);
cache entries are read as any input file is (local regular files only)."""

_REF_NAME = re.compile(r"[A-Za-z0-9_.-]+")


def _holds(target: Path, digest: str) -> bool:
    """True when `target` is a regular file whose bytes hash to `digest`."""
    from ipsrep.inputs.datafiles import read_local_bytes

    try:
        return hashlib.sha256(read_local_bytes(target, limit=CACHE_ENTRY_BYTES)).hexdigest() == digest
    except ValueError:
        return False


class Store:
    """Content-addressed cache: ``objects/<sha256>`` files and ``refs/<name>.json``
    naming them.

    A reference is ``{"files": {name: sha256}}``; :meth:`get` returns the files only when
    each object exists and its bytes hash to the recorded value. The few most recent
    references per group (the name up to its key) are kept, and objects no reference
    names are removed. A cache folder that cannot be written only means no caching.
    """

    keep = 3

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.objects = self.directory / "objects"
        self.refs = self.directory / "refs"

    def _ref(self, group: str, key: str) -> Path:
        name = f"{group}-{key[:40]}"
        if not _REF_NAME.fullmatch(name):
            name = f"{hashlib.sha256(group.encode()).hexdigest()[:16]}-{key[:40]}"
        return self.refs / f"{name}.json"

    def get(self, group: str, key: str) -> dict[str, bytes] | None:
        """The files of entry (`group`, `key`), each verified by its hash, or None."""
        from ipsrep.inputs.datafiles import read_local_bytes, read_local_json

        ref = self._ref(group, key)
        try:
            listing = read_local_json(ref, limit=CACHE_ENTRY_BYTES)["files"]
            out = {}
            for name, digest in listing.items():
                if not re.fullmatch(r"[0-9a-f]{64}", digest):
                    return None
                content = read_local_bytes(self.objects / digest, limit=CACHE_ENTRY_BYTES)
                if hashlib.sha256(content).hexdigest() != digest:
                    return None
                out[name] = content
            os.utime(ref)
            return out
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, group: str, key: str, files: dict[str, bytes]) -> None:
        """Store `files` as entry (`group`, `key`)."""
        try:
            self.objects.mkdir(parents=True, exist_ok=True)
            self.refs.mkdir(parents=True, exist_ok=True)
            listing = {}
            for name, content in files.items():
                digest = hashlib.sha256(content).hexdigest()
                target = self.objects / digest
                if not _holds(target, digest):
                    write_atomic(target, content)
                listing[name] = digest
            write_atomic(self._ref(group, key), json.dumps({"files": listing}, sort_keys=True).encode())
            self._prune(self._ref(group, key).name.rsplit("-", 1)[0])
        except OSError:  # a read-only checkout still builds, only without a cache
            pass

    def has_mark(self, group: str, key: str) -> bool:
        """True when :meth:`set_mark` recorded (`group`, `key`) before."""
        return self.get(group, key) is not None

    def set_mark(self, group: str, key: str) -> None:
        """Record that the check `group` passed for `key`."""
        self.put(group, key, {})

    def _prune(self, prefix: str) -> None:
        refs = sorted(self.refs.glob(f"{_glob_escape(prefix)}-*.json"), key=lambda p: p.stat().st_mtime,
                      reverse=True)
        for old in refs[self.keep:]:
            old.unlink(missing_ok=True)
        from ipsrep.inputs.datafiles import read_local_json

        used: set[str] = set()
        for ref in self.refs.glob("*.json"):
            try:
                used.update(read_local_json(ref, limit=CACHE_ENTRY_BYTES)["files"].values())
            except (OSError, ValueError, KeyError, AttributeError):
                continue
        for obj in self.objects.iterdir():
            if obj.name not in used and not obj.name.startswith("."):
                obj.unlink(missing_ok=True)


def _glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)

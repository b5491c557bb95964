"""Writing a file whole or not at all (:func:`write_atomic`), for every layer that writes
files a reader may open while they are written (the build's cache and report, the
ensemble's members and results, the PDF)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike, content: str | bytes) -> Path:
    """Write `content` (text is written as UTF-8 with ``\\n`` line ends) to `path`: first
    to a new temporary file beside it, then renamed over `path` (:func:`os.replace`), so
    a reader sees the old file or the new one, never a half-written one. The folder is
    created when missing; the file gets the permissions the umask gives a new file. On
    any error the temporary file is removed and the error raised; `path` is unchanged.
    Returns `path` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path

"""ipsrep.atomic.write_atomic: the file whole or not at all."""
from __future__ import annotations

import os

import pytest

from ipsrep import atomic
from ipsrep.atomic import write_atomic


def test_text_and_bytes_replace_the_file_and_leave_no_temporary_file(tmp_path):
    target = tmp_path / "new" / "folder" / "out.csv"
    assert write_atomic(target, "a,b\nø,2\n") == target
    assert target.read_bytes() == "a,b\nø,2\n".encode()
    write_atomic(target, b"%PDF-1.4 bytes")
    assert target.read_bytes() == b"%PDF-1.4 bytes"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.csv"]


def test_a_new_file_gets_the_permissions_of_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "f.txt", "x")
    finally:
        os.umask(old)
    assert (tmp_path / "f.txt").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "ledger.csv"
    target.write_text("old\n")

    def no_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", no_rename)
    with pytest.raises(OSError, match="No space"):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]

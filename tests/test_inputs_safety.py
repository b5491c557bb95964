"""Issue 20: every path the tool opens read one way, every count bounded, every folder
owned, every line terminal-safe (failures 2, 3, 5, 6 of the issue; 1 is in
test_markup.py). Test names carry the failure's number."""
from __future__ import annotations

import contextlib
import gzip
import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ipsrep import cli, paths
from ipsrep.inputs.datafiles import UnreadableFile, read_local_bytes, read_local_csv

LEDGER = "key,quantity,published,reproduced,status\nt1.a,Age,41,41.0,reproduced\nt1.b,Sex,12,12.0,reproduced\n"


def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(argv))
    return status, out.getvalue(), err.getvalue()


# ---- 2: one way to read a file ------------------------------------------------------------
@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


def test_2_reader_refuses_devices_fifos_urls_folders_and_compressed_files_at_once(tmp_path, fifo):
    gz = tmp_path / "ledger.csv.gz"
    gz.write_bytes(gzip.compress(LEDGER.encode() * 1000))
    cases = {"/dev/zero": "is a device", str(fifo): "named pipe (FIFO)", "http://example.com/l.csv": "no such file",
             str(tmp_path): "is a directory", str(gz): "is not UTF-8 text"}
    for path, why in cases.items():
        started = time.perf_counter()
        with pytest.raises(UnreadableFile) as err:
            read_local_csv(path)
        assert why in str(err.value) and "\n" not in str(err.value)
        assert time.perf_counter() - started < 2
    big = tmp_path / "big.csv"
    big.write_bytes(b"a\n" * 600)
    with pytest.raises(UnreadableFile, match=r"larger than 0 MiB \(1,200 bytes"):
        read_local_bytes(big, limit=1000)


def test_2_compare_reads_ledgers_as_every_input_is_read(tmp_path, fifo):
    a = tmp_path / "a.csv"
    a.write_text(LEDGER)
    gz = tmp_path / "b.csv.gz"
    gz.write_bytes(gzip.compress(LEDGER.encode()))
    for other, why in (("/dev/zero", "is a device"), (str(fifo), "FIFO"), (str(gz), "not UTF-8"),
                       ("http://127.0.0.1:9/ledger.csv", "no such file")):
        status, _out, err = run_cli("compare", str(a), other)
        assert status == 2 and why in err and len(err.strip().splitlines()) == 1, err


def test_2_file_parameters_are_read_safely_and_folders_enter_the_cache_key(tmp_path, fifo):
    from ipsrep.analyses import pilot
    from ipsrep.report.cache import inputs_digest

    with pytest.raises(ValueError, match="is a device"):
        pilot.load_participants("/dev/zero")
    with pytest.raises(ValueError, match="FIFO"):
        pilot.load_participants(fifo)
    folder = tmp_path / "ens"
    folder.mkdir()
    (folder / "metadata.json").write_text('{"version": "1"}')
    source = b"import ipsrep\n"

    def key() -> str:
        return inputs_digest(source, data_sha256="0" * 64, parameters={"ensemble_dir": str(folder)})

    first = key()
    (folder / "metadata.json").write_text('{"version": "2"}')
    assert key() != first  # an edited folder is not served from the cache
    os.mkfifo(folder / "pipe")
    assert key() != first  # a FIFO in it is keyed by its kind, never waited on


# ---- 3: bounds ----------------------------------------------------------------------------
@pytest.mark.parametrize("name,value,bound", [("n_resamples", 10**9, "100,000"), ("n_sim", 10**8, "200,000"),
                                              ("grid_points", 1000, "11"), ("alpha", 1.5, "between 0 and 1"),
                                              ("power_targets", [0.8, 2], "between 0 and 1"),
                                              ("randomised", "x`<img>`", "expects a number")])
def test_3_numeric_parameters_are_bounded_with_the_bound_in_the_message(name, value, bound):
    from ipsrep.report.failures import UsageError
    from ipsrep.report.params import check_parameters

    defaults = {"nb": {"n_resamples": 10000, "n_sim": 20000, "grid_points": 5, "alpha": 0.05,
                       "power_targets": [0.8, 0.9], "randomised": None}}
    with pytest.raises(UsageError) as err:
        check_parameters(defaults, {name: value})
    assert bound in str(err.value) and f"-p {name}" in str(err.value)


@pytest.mark.parametrize("argv,bound", [(["--members", "1000000000"], "10,000"),
                                        (["--members", "2", "--workers", "1000"], "CPUs"),
                                        (["--members", "0"], "from 1 to")])
def test_3_ensemble_options_are_bounded_before_any_work(argv, bound):
    started = time.perf_counter()
    status, _out, err = run_cli("ensemble", *argv)
    assert status == 2 and bound in err and time.perf_counter() - started < 5


# ---- 3 (output folders) -------------------------------------------------------------------
def test_3_ensemble_out_and_work_are_refused_unless_the_ensembles_own(tmp_path):
    users = tmp_path / "mine"
    users.mkdir()
    (users / "results.csv").write_text("my results\n")
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    cases = [(["--out", str(users)], "no .ipsrep-manifest.json"), (["--out", str(paths.PROJECT_ROOT)], "project root"),
             (["--out", str(afile)], "is a file, not a folder"), (["--work", str(afile)], "is a file, not a folder"),
             (["--work", str(users)], "not an ensemble work folder")]
    for extra, why in cases:
        status, _out, err = run_cli("ensemble", "--members", "2", *extra)
        assert status == 2 and why in err, (extra, err)
    assert (users / "results.csv").read_text() == "my results\n" and afile.read_text() == "mine"


def test_3_ensemble_out_with_a_manifest_refuses_a_users_file_of_its_names(tmp_path):
    from ipsrep.ownership import manifest_text
    from ipsrep.synthetic.ensemble_run import check_out

    out = tmp_path / "ens"
    out.mkdir()
    (out / ".ipsrep-manifest.json").write_text(manifest_text(["results.csv"]))
    (out / "keys.csv").write_text("mine\n")
    with pytest.raises(ValueError, match=r"keys\.csv was not written by ipsrep"):
        check_out(out)


def test_3_ensemble_out_accepts_both_committed_folders_and_no_other_data_folder():
    """The committed ensembles are rewritten in place (``ipsrep ensemble --members 100`` and
    ``--linkage unsearched``, each to its default folder); another folder under data/ is not."""
    from ipsrep import paths
    from ipsrep.synthetic import ensemble as ens
    from ipsrep.synthetic.ensemble_run import check_out

    check_out(ens.ENSEMBLE_DIR)
    check_out(ens.UNSEARCHED_DIR)
    with pytest.raises(ValueError, match="inside the project's data folder"):
        check_out(paths.DATA_DIR / "published")


def test_3_reconstruct_out_takes_a_folder_and_refuses_what_is_not_its_own(tmp_path):
    from ipsrep.synthetic.reconstruct import reconstruct_target

    assert reconstruct_target(str(tmp_path)) == tmp_path / "ips_in_pain.csv"
    mine = tmp_path / "mine.csv"
    mine.write_text("mine")
    for out, why in ((str(mine), "exists"), (str(paths.PROJECT_ROOT), "project root"),
                     (str(paths.PROJECT_ROOT / "README.md"), "its folder is the project root"),
                     ("/dev/null", "not a regular file"), (str(paths.DATA_DIR), "data folder")):
        with pytest.raises(ValueError, match=why):
            reconstruct_target(out)


def test_3_a_mount_point_out_folder_is_published_in_place(tmp_path, monkeypatch):
    from ipsrep.report import publish

    out = tmp_path / "r"
    staging = publish.new_staging(out)
    (staging / "index.html").write_text("one")
    assert publish.publish(staging, out) == "new"
    (out / "mine.txt").write_text("mine")

    def busy(staging, out):
        raise OSError(16, "Device or resource busy")  # what renaming a mount point gives

    monkeypatch.setattr(publish, "swap", busy)
    staging = publish.new_staging(out)
    (staging / "page.html").write_text("two")
    assert publish.publish(staging, out) == "replaced"
    assert sorted(p.name for p in out.iterdir()) == [".ipsrep-manifest.json", "mine.txt", "page.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging folder, no lock file left


# ---- 5: terminal ---------------------------------------------------------------------------
def test_5_compare_prints_keys_and_paths_terminal_safe(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b\nOK: forged.csv"
    a.write_text(LEDGER)
    b.write_text(LEDGER.replace("t1.b,Sex,12,12.0", "\"t1.b\x1b[2J\nOK: all good\",Sex,12,13.0"))
    status, out, _err = run_cli("compare", str(a), str(b))
    assert status == 0 and "\x1b" not in out
    assert not any(line.startswith("OK") for line in out.splitlines())
    assert "\\x1b[2J\\nOK: all good" in out and "b\\nOK: forged.csv" in out


def test_5_build_shows_a_data_file_name_with_a_newline_on_one_line(tmp_path):
    from ipsrep.report.failures import shown

    assert shown(tmp_path / "x\nipsrep build: wrote reports.csv").count("\n") == 0


# ---- 6: scheduler and Ctrl-C -------------------------------------------------------------
@pytest.fixture
def not_dask():
    """A local port that answers in HTTP, not in Dask's protocol."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.5)
    stop, held = threading.Event(), []

    def serve():
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = server.accept()
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello")
                held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_6_a_scheduler_that_is_not_dask_is_one_line_within_30_seconds(tmp_path, not_dask):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    for address in (f"tcp://127.0.0.1:{not_dask}", f"tcp://127.0.0.1:{port}"):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ipsrep.cli", "ensemble", "--members", "1", "--scheduler",
                               address, "--out", str(tmp_path / "o"), "--work", str(tmp_path / "w")],
                              capture_output=True, text=True, timeout=60, cwd=paths.PROJECT_ROOT)
        assert time.perf_counter() - started < 30
        last = done.stderr.strip().splitlines()[-1]
        assert done.returncode == 2 and "cannot use scheduler" in last and "Traceback" not in done.stderr


def test_6_ctrl_c_in_ensemble_prints_one_line_and_no_worker_tracebacks(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "ipsrep.cli", "ensemble", "--members", "4", "--workers", "1",
                             "--out", str(tmp_path / "o"), "--work", str(tmp_path / "w")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=paths.PROJECT_ROOT,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "local cluster" in line:
            break
    time.sleep(2)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    rest = proc.stdout.read()
    assert proc.wait(timeout=60) == 130
    assert "Traceback" not in rest and rest.strip().splitlines() == ["ipsrep: interrupted"], rest


# ---- 4: make pdf ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_copy(request, tmp_path_factory) -> Path:
    """The executed notebooks of a built report (``$IPSREP_TEST_REPORT`` or a fresh build)."""
    given = os.environ.get("IPSREP_TEST_REPORT")
    report = Path(given) if given else request.getfixturevalue("bundled_report")
    return report


def _copy_notebooks(report: Path, to: Path, edit) -> Path:
    import json

    to.mkdir()
    for nb in sorted(report.glob("[0-9][0-9]_*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        edit(nb.stem, data)
        (to / nb.name).write_text(json.dumps(data), encoding="utf-8")
    return to


def test_4_pdf_is_labelled_and_checked_with_the_data_the_report_recorded(report_copy, tmp_path, capsys):
    from ipsrep.cli import pdf_command
    from ipsrep.report.context import PARAMETERS_MIMETYPE

    def other_data(stem, nb):
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                if PARAMETERS_MIMETYPE in output.get("data", {}):
                    output["data"][PARAMETERS_MIMETYPE]["parameters"]["data_path"] = str(tmp_path / "gone.csv")

    folder = _copy_notebooks(report_copy, tmp_path / "r", other_data)
    assert pdf_command(str(folder), str(tmp_path / "r.pdf")) == 1
    err = capsys.readouterr().err
    assert f"was built from {tmp_path / 'gone.csv'}" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "r.pdf").exists()


def test_4_pdf_refuses_a_page_that_would_load_from_the_network_and_a_users_file(report_copy, tmp_path, capsys):
    from ipsrep.cli import pdf_command

    def remote_image(stem, nb):
        if stem.startswith("00_"):
            nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "remote", "metadata": {},
                                "source": "x", "outputs": [{"output_type": "display_data", "metadata": {},
                                                            "data": {"text/html": '<img src="http://example.com/t.png">'}}]})

    mine = tmp_path / "mine.pdf"
    mine.write_text("my notes")
    assert pdf_command(str(report_copy), str(mine)) == 1
    assert "is not a PDF this command printed" in capsys.readouterr().err and mine.read_text() == "my notes"
    folder = _copy_notebooks(report_copy, tmp_path / "r", remote_image)
    assert pdf_command(str(folder), str(tmp_path / "r.pdf")) == 1
    err = capsys.readouterr().err
    assert "example.com" in err and "not printed" in err and not (tmp_path / "r.pdf").exists()


# ---- 7: validate decides; the README's commands run -----------------------------------
def test_7_an_oversized_cell_is_one_line_naming_the_line(tmp_path):
    from ipsrep.inputs.contract import check_trial_file

    rows = (paths.PROJECT_ROOT / "data/reconstructed/ips_in_pain.csv").read_text().splitlines()
    cells = rows[1].split(",")
    cells[1] = '"' + "x" * 200_000  # an unclosed quote swallows the rest of the file
    path = tmp_path / "big.csv"
    path.write_text("\n".join([rows[0], ",".join(cells), *rows[2:]]) + "\n")
    found = check_trial_file(path)
    assert len(found) == 1 and found[0].row == 2 and "longer than 131,072 characters" in found[0].message


def test_7_a_full_disk_is_its_own_line(monkeypatch, tmp_path, capsys):
    import errno

    from ipsrep.report import build

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "r" / "00_trial.ipynb"))

    monkeypatch.setattr(build, "run_notebooks", full)
    assert cli.build_command(out=tmp_path / "r") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("ipsrep build: no space left on the device writing") and "bug" not in err[-1]


def test_7_the_readmes_larger_trials_recipe_writes_a_file_validate_accepts(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ipsrep_test_reexecute", Path(__file__).with_name("test_reexecute.py")
    )
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    lines = harness.readme_blocks()["larger-trials"]
    assert "write_resampled_trial" in lines[0] and "ipsrep build" in lines[1]
    done = subprocess.run(harness.localise(lines[0], tmp_path), cwd=paths.PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    status, _out, err = run_cli("validate", str(tmp_path / "my_big_trial.csv"))
    assert status == 0, err


def test_7_ids_that_are_words_of_the_site_are_refused_before_any_notebook_runs(tmp_path, capsys, monkeypatch):
    from ipsrep.report import build
    from ipsrep.report.check import id_collisions

    assert id_collisions({"sha256", "woff2", "P01", "syn001", "FX-006"}) == ["P01", "sha256", "woff2"]
    text = (paths.PROJECT_ROOT / "data/reconstructed/ips_in_pain.csv").read_text()
    path = tmp_path / "ids.csv"
    path.write_text(text.replace("\nsyn001,", "\nsha256,").replace("\nsyn002,", "\nwoff2,"))

    def never(*args, **kwargs):
        raise AssertionError("a notebook ran")

    monkeypatch.setattr(build, "run_notebooks", never)
    assert cli.build_command(data=str(path), out=tmp_path / "r") == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert "column 'participant_id': 'sha256', 'woff2' are words" in err and not (tmp_path / "r").exists()


def test_3_build_jobs_are_bounded_before_any_work(tmp_path):
    status, _out, err = run_cli("build", "--jobs", "100000", "--out", str(tmp_path / "r"))
    assert status == 2 and "from 1 to" in err and not (tmp_path / "r").exists()

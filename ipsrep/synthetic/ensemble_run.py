"""``ipsrep ensemble``: compute ensemble members on Dask and assemble ``data/ensemble/``.

Each member (:func:`ipsrep.synthetic.ensemble.member_results`, a pure function of its
seed) runs as one task on Dask's distributed scheduler: on a
:class:`distributed.LocalCluster` of worker processes that this command starts and stops
(default), or on an existing cluster given by its scheduler address (``--scheduler
tcp://host:8786``), e.g. one started by dask-jobqueue on a batch system or by the Dask
Kubernetes operator. Results travel back to this process, which writes one file per
member into a work folder, atomically (a temporary file renamed into place), and prints a
line per finished member. A member that fails is reported with its seed and error; the
others go on. Running the command again skips the members whose file is there, so an
interrupted run resumes where it stopped. At the end the member files are assembled into

- ``results.csv``: ``member, seed, key, value`` (member order, then ledger order);
- ``keys.csv``: what each key is and whether the printed numbers determine it;
- ``metadata.json``: the seeds, the failed seeds and the package version;
- ``timings.csv``: seconds per member (CPU and wall), kept apart so that the three files
  above are the same byte for byte whenever the same seeds are computed by the same code.

The work folder is keyed by a digest of the package's source, so members computed by
other code are never mixed into a run.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.synthetic import ensemble as ens


def source_digest(root: Path = paths.PACKAGE_DIR) -> str:
    """SHA-256 of the package's Python sources (relative paths and bytes, in name order)."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        h.update(str(path.relative_to(root)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def default_work_dir(digest: str) -> Path:
    """``.cache/ipsrep-ensemble/<first 16 hex digits of the source digest>`` under the project."""
    return paths.PROJECT_ROOT / ".cache" / "ipsrep-ensemble" / digest[:16]


def package_version() -> str:
    """The installed ipsrep version (the source tree's when not installed)."""
    try:
        from importlib.metadata import version

        return version("ipsrep")
    except Exception:  # pragma: no cover - running from a source tree without an install
        import ipsrep

        return ipsrep.__version__


def member_file(work: Path, member: int, seed: int) -> Path:
    """Path of one member's result file in the work folder."""
    return work / f"member-{member:05d}-seed-{seed}.csv"


def _timing_file(work: Path, member: int, seed: int) -> Path:
    return work / f"member-{member:05d}-seed-{seed}.time.json"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def compute_member(seed: int, member_fn: Callable[[int], pd.DataFrame] | None = None) -> dict:
    """Run one member and time it (the task a Dask worker executes).

    Returns a dict with the member's frame (``table``), ``cpu_seconds`` (this process's
    CPU time), ``wall_seconds`` and ``worker`` (host and process id).
    """
    import socket

    fn = member_fn or ens.member_results
    cpu, wall = time.process_time(), time.perf_counter()
    table = fn(int(seed))
    return {"table": table, "cpu_seconds": time.process_time() - cpu, "wall_seconds": time.perf_counter() - wall,
            "worker": f"{socket.gethostname()}:{os.getpid()}"}


def warm_worker() -> str:
    """Load what every member reads once per process (published numbers, Table 1 sample sizes)."""
    from ipsrep.synthetic.reconstruct import baseline_sample_sizes

    baseline_sample_sizes()
    return "ok"


def _member_text(member: int, seed: int, table: pd.DataFrame) -> str:
    lines = ["member,seed,key,value"]
    lines += [f"{member},{seed},{k},{ens.format_value(v)}" for k, v in zip(table["key"], table["value"])]
    return "\n".join(lines) + "\n"


def _keys_text(table: pd.DataFrame) -> str:
    return ens.key_catalogue(table).to_csv(index=False, lineterminator="\n")


@dataclass
class RunSummary:
    """What a run did: members computed now, taken from the work folder, and failed."""

    out: Path
    work: Path
    seeds: list[int]
    computed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # member -> "ExcType: message"
    seconds: float = 0.0


def _say(message: str, stream=None) -> None:
    print(message, file=stream or sys.stderr, flush=True)


def run_ensemble(
    members: int | None = None,
    *,
    first_seed: int | None = None,
    seeds: Sequence[int] | None = None,
    scheduler: str | None = None,
    out: str | os.PathLike | None = None,
    work: str | os.PathLike | None = None,
    workers: int | None = None,
    member_fn: Callable[[int], pd.DataFrame] | None = None,
    say: Callable[[str], None] | None = _say,
) -> RunSummary:
    """Compute the members not yet in the work folder on Dask, then assemble the ensemble.

    Parameters
    ----------
    members : int
        Number of members; member ``i`` has seed ``first_seed + i``.
    first_seed : int, optional
        Seed of member 0; default the committed reconstruction's
        (:data:`ipsrep.synthetic.reconstruct.DEFAULT_SEED`), so member 0 is the report's data.
    seeds : sequence of int, optional
        Explicit seeds instead of `members` and `first_seed` (distinct).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``). Default: a
        ``LocalCluster`` of `workers` single-threaded worker processes on this machine,
        started and closed here.
    out : path, optional
        Folder of the assembled files (default ``data/ensemble/``).
    work : path, optional
        Folder of the per-member files (default :func:`default_work_dir`).
    workers : int, optional
        Worker processes of the local cluster (default: the number of CPUs).
    member_fn : callable, optional
        ``seed -> DataFrame`` with ``key, value, quantity, published, status``; default
        :func:`ipsrep.synthetic.ensemble.member_results`. Must be importable by the workers.
    say : callable, optional
        Receives one progress line at a time (default: print to stderr); None for silence.

    Returns
    -------
    RunSummary
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    say = say or (lambda message: None)
    if seeds is None:
        if members is None or members < 1:
            raise ValueError(f"members must be a positive whole number, got {members!r}")
        first = DEFAULT_SEED if first_seed is None else int(first_seed)
        seeds = [first + i for i in range(int(members))]
    seeds = [int(s) for s in seeds]
    if len(set(seeds)) != len(seeds):
        raise ValueError("seeds must be distinct: each member is a different reconstruction")
    digest = source_digest()
    out_dir = paths.resolve(out) if out is not None else ens.ENSEMBLE_DIR
    work_dir = Path(work).resolve() if work is not None else default_work_dir(digest)
    work_dir.mkdir(parents=True, exist_ok=True)
    summary = RunSummary(out=out_dir, work=work_dir, seeds=seeds)
    todo = [(i, s) for i, s in enumerate(seeds) if not member_file(work_dir, i, s).exists()]
    summary.skipped = [i for i, s in enumerate(seeds) if member_file(work_dir, i, s).exists()]
    started = time.perf_counter()
    say(f"ipsrep ensemble: {len(seeds)} members (seeds {seeds[0]}..{seeds[-1]}), {len(summary.skipped)} already "
        f"in {_shown(work_dir)}, {len(todo)} to compute")
    if todo:
        _compute(todo, work_dir, summary, scheduler=scheduler, workers=workers, member_fn=member_fn, say=say)
    assemble(seeds, work_dir, out_dir, failed={seeds[i]: e for i, e in summary.failed.items()})
    summary.seconds = time.perf_counter() - started
    done = len(seeds) - len(summary.failed)
    say(f"ipsrep ensemble: wrote {_shown(out_dir)} ({done} of {len(seeds)} members"
        + (f"; {len(summary.failed)} failed: seeds " + ", ".join(str(seeds[i]) for i in sorted(summary.failed))
           if summary.failed else "") + f") in {summary.seconds:.0f} s")
    return summary


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _client(scheduler: str | None, workers: int | None):
    """A Dask client and the local cluster it owns (None when `scheduler` is given)."""
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout="30s"), None
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return Client(cluster), cluster


def _compute(todo, work_dir: Path, summary: RunSummary, *, scheduler, workers, member_fn, say) -> None:
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        n_workers = len(client.scheduler_info().get("workers", {}))
        say(f"ipsrep ensemble: {'scheduler ' + scheduler if scheduler else 'local cluster'} with "
            f"{n_workers} worker{'s' if n_workers != 1 else ''}")
        futures = {}
        for i, s in todo:
            f = client.submit(compute_member, s, member_fn, key=f"ipsrep-member-{i}-seed-{s}", pure=False)
            futures[f] = (i, s)
        t0 = time.perf_counter()
        for n, f in enumerate(as_completed(futures), start=1):
            i, s = futures[f]
            try:
                got = f.result()
            except Exception as err:  # noqa: BLE001 - a member's failure is reported, not raised
                summary.failed[i] = f"{type(err).__name__}: {err}".splitlines()[0][:300]
                say(f"  member {i} (seed {s}) FAILED: {summary.failed[i]}")
                continue
            finally:
                f.release()
            _write_atomic(_timing_file(work_dir, i, s), json.dumps(
                {"member": i, "seed": s, "cpu_seconds": got["cpu_seconds"], "wall_seconds": got["wall_seconds"],
                 "worker": got["worker"]}))
            _write_atomic(work_dir / ".keys.csv", _keys_text(got["table"]))
            _write_atomic(member_file(work_dir, i, s), _member_text(i, s, got["table"]))
            summary.computed.append(i)
            elapsed = time.perf_counter() - t0
            left = len(todo) - n
            eta = elapsed / n * left
            say(f"  [{n}/{len(todo)}] member {i} (seed {s}) done in {got['cpu_seconds']:.1f} s CPU; "
                f"{len(summary.failed)} failed; {left} to go, about {eta / 60:.1f} min left")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def assemble(seeds: Sequence[int], work_dir: Path, out_dir: Path, *, failed: dict[int, str] | None = None) -> None:
    """Write ``results.csv``, ``keys.csv``, ``metadata.json`` and ``timings.csv`` to `out_dir`
    from the member files in `work_dir` (members without a file are listed as failed)."""
    failed = dict(failed or {})
    parts, timings = [], []
    for i, s in enumerate(seeds):
        path = member_file(work_dir, i, s)
        if not path.exists():
            failed.setdefault(s, "no result")
            continue
        text = path.read_text(encoding="utf-8")
        parts.append(text.split("\n", 1)[1])
        tpath = _timing_file(work_dir, i, s)
        if tpath.exists():
            timings.append(json.loads(tpath.read_text()))
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(out_dir / ens.RESULTS_NAME, "member,seed,key,value\n" + "".join(parts))
    keys_path = work_dir / ".keys.csv"
    if keys_path.exists():
        _write_atomic(out_dir / ens.KEYS_NAME, keys_path.read_text(encoding="utf-8"))
    metadata = {
        "package": "ipsrep",
        "version": package_version(),
        "members": len(seeds),
        "seeds": list(seeds),
        "failed": {str(s): failed[s] for s in seeds if s in failed},
        "member_function": "ipsrep.synthetic.ensemble.member_results",
        "notebook_defaults": ens.NOTEBOOK_DEFAULTS,
        "value_format": ens.VALUE_FORMAT,
    }
    _write_atomic(out_dir / ens.METADATA_NAME, json.dumps(metadata, indent=1) + "\n")
    frame = pd.DataFrame(timings, columns=["member", "seed", "cpu_seconds", "wall_seconds", "worker"])
    _write_atomic(out_dir / ens.TIMINGS_NAME, frame.to_csv(index=False, lineterminator="\n", float_format="%.3f"))


def ensemble_command(members: int, first_seed: int | None = None, scheduler: str | None = None,
                     out: str | None = None, work: str | None = None, workers: int | None = None) -> int:
    """CLI: run the ensemble; exit status 0 when every member finished, 1 when some failed,
    2 on bad arguments or when no scheduler can be reached."""
    try:
        summary = run_ensemble(members, first_seed=first_seed, scheduler=scheduler, out=out, work=work,
                               workers=workers)
    except ValueError as err:
        print(f"ipsrep ensemble: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        where = f"scheduler {scheduler}" if scheduler else "the local cluster"
        print(f"ipsrep ensemble: cannot use {where}: {err}", file=sys.stderr)
        return 2
    if summary.failed:
        return 1
    from ipsrep.synthetic.ensemble import check_determined, read_ensemble

    found = read_ensemble(summary.out)
    check = check_determined(found.results, found.keys)
    bad = check[~check["passes"]]
    print(f"ipsrep ensemble: {len(check) - len(bad)} of {len(check)} keys the printed numbers determine are the "
          f"same in every member" + (f"; differing: {', '.join(bad['key'])}" if len(bad) else ""), file=sys.stderr)
    return 0

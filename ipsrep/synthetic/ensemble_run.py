"""``ipsrep ensemble``: compute ensemble members on Dask and assemble ``data/ensemble/``
(``--linkage unsearched``: ``data/ensemble_unsearched/``).

Each member (:func:`ipsrep.synthetic.ensemble.member_results`, a pure function of its
seed) runs as one task on Dask's distributed scheduler: on a
:class:`distributed.LocalCluster` of worker processes that this command starts and stops
(default), or on an existing cluster given by its scheduler address (``--scheduler
tcp://host:8786``), e.g. one started by dask-jobqueue on a batch system or by the Dask
Kubernetes operator. Results travel back to this process, which writes one file per
member into a work folder, atomically (a temporary file renamed into place), and prints a
line per finished member. A member that fails is reported with its seed and error; the
others go on, and the next unused seed takes its place (unless exact seeds were asked
for), so that an ensemble of N members is always the first N seeds that yield one. Running
the command again skips the members whose file is there, so an interrupted run resumes
where it stopped. At the end the member files are assembled into

- ``results.csv``: ``member, seed, key, value`` (member order, then ledger order);
- ``keys.csv``: what each key is and what fixes it (its kind: printed, targeted, free);
- ``metadata.json``: the linkage, the seeds, the seeds left out with the reason, the
  package version;
- ``timings.csv``: seconds per member (CPU and wall), kept apart so that the three files
  above are the same byte for byte whenever the same seeds are computed by the same code.

The work folder is keyed by a digest of the code and data a member depends on
(:data:`MEMBER_INPUTS`), so members computed by other code are never mixed into a run.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ipsrep import paths
from ipsrep.atomic import write_atomic
from ipsrep.synthetic import ensemble as ens
from ipsrep.synthetic import ensemble_keys, ensemble_member

MEMBER_INPUTS = ("ipsrep/paths.py", "ipsrep/inputs", "ipsrep/methods", "ipsrep/analyses", "ipsrep/synthetic",
                 "data/published", "data/reconstructed")
"""What a member's result depends on (relative to the project root): the layers it runs
and the data files they read. Figures, the report, the audit and this runner are left
out, so editing them does not invalidate finished members."""


def source_digest(root: Path = paths.PROJECT_ROOT, parts: tuple[str, ...] = MEMBER_INPUTS) -> str:
    """SHA-256 over the files a member depends on (:data:`MEMBER_INPUTS`; relative paths and
    bytes, in name order; ``ensemble_run.py`` and caches left out)."""
    h = hashlib.sha256()
    files = []
    for part in parts:
        base = root / part
        files += [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
    for path in sorted(set(files)):
        rel = path.relative_to(root)
        if "__pycache__" in rel.parts or rel.name == "ensemble_run.py" or rel.suffix not in (".py", ".csv"):
            continue
        h.update(str(rel).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def default_work_dir(digest: str, linkage: str = "searched") -> Path:
    """``.cache/ipsrep-ensemble/<first 16 hex digits of source_digest()>`` under the project
    (with ``-unsearched`` appended for the unsearched linkage)."""
    return paths.PROJECT_ROOT / ".cache" / "ipsrep-ensemble" / (digest[:16] + ("" if linkage == "searched" else
                                                                               f"-{linkage}"))


def package_version() -> str:
    """The installed ipsrep version (the source tree's when not installed)."""
    try:
        from importlib.metadata import version

        return version("ipsrep")
    except Exception:  # pragma: no cover - running from a source tree without an install
        import ipsrep

        return ipsrep.__version__


def member_file(work: Path, seed: int) -> Path:
    """Path of one member's result file (``key,value`` lines) in the work folder."""
    return work / f"seed-{seed}.csv"


def _timing_file(work: Path, seed: int) -> Path:
    return work / f"seed-{seed}.time.json"


def _failed_file(work: Path, seed: int) -> Path:
    return work / f"seed-{seed}.failed.txt"


def compute_member(seed: int, member_fn: Callable[[int], pd.DataFrame] | None = None) -> dict:
    """Run one member and time it (the task a Dask worker executes).

    Returns a dict with the member's frame (``table``), ``cpu_seconds`` (this process's
    CPU time), ``wall_seconds`` and ``worker`` (host and process id).
    """
    import socket

    fn = member_fn or ensemble_member.member_results
    cpu, wall = time.process_time(), time.perf_counter()
    table = fn(int(seed))
    return {"table": table, "cpu_seconds": time.process_time() - cpu, "wall_seconds": time.perf_counter() - wall,
            "worker": f"{socket.gethostname()}:{os.getpid()}"}


def warm_worker() -> str:
    """Load what every member reads once per process (published numbers, Table 1 sample sizes)."""
    from ipsrep.synthetic.reconstruct import baseline_sample_sizes

    baseline_sample_sizes()
    return "ok"


def _member_text(table: pd.DataFrame) -> str:
    lines = ["key,value"] + [f"{k},{ens.format_value(v)}" for k, v in zip(table["key"], table["value"], strict=True)]
    return "\n".join(lines) + "\n"


def _keys_text(table: pd.DataFrame, linkage: str) -> str:
    return ensemble_keys.key_catalogue(table, linkage).to_csv(index=False, lineterminator="\n")


DETERMINISTIC_FAILURES = (ValueError,)
"""Errors a seed always gives (the reconstruction cannot be drawn, misses a printed
comparison or a target of the Table 4 search): recorded in the work folder and not retried when a run resumes. Other
errors (a worker lost, a connection dropped) are retried."""


@dataclass
class RunSummary:
    """What a run did, by seed: members computed now, taken from the work folder, failed."""

    out: Path
    work: Path
    members: list[int] = field(default_factory=list)  # the members' seeds, in member order
    computed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # seed -> "ExcType: message"
    seconds: float = 0.0


def _say(message: str) -> None:
    from ipsrep.inputs.contract import terminal_safe

    print(terminal_safe(message), file=sys.stderr, flush=True)


class _Plan:
    """Which seeds to compute, in order, so that the members are the first `want`
    seeds of the candidate sequence that yield a member (or exactly the given seeds)."""

    def __init__(self, candidates: list[int] | None, first: int, want: int, work: Path, limit: int):
        self.explicit = candidates is not None
        self.candidates = candidates
        self.first, self.want, self.work, self.limit = first, want, work, limit
        self.tried: list[int] = []

    def seed(self, i: int) -> int | None:
        if self.candidates is not None:  # self.explicit
            return self.candidates[i] if i < len(self.candidates) else None
        return self.first + i if i < self.limit else None

    def next_seed(self) -> int | None:
        s = self.seed(len(self.tried))
        if s is not None:
            self.tried.append(s)
        return s


MAX_MEMBERS = 10_000
"""Most members one run computes (the committed ensemble has 200; each takes seconds)."""
MAX_SEED = 2**32 - 1
WORK_MARK = ".ipsrep-ensemble-work"
"""File marking a folder as an ensemble work folder (a non-empty folder without it is refused)."""
OUT_FILES = (ens.RESULTS_NAME, ens.KEYS_NAME, ens.METADATA_NAME, ens.TIMINGS_NAME)


def max_workers() -> int:
    """Most worker processes of the local cluster: the machine's CPUs (each worker is a
    process with its own copy of the libraries)."""
    return os.cpu_count() or 1


def check_options(members, *, first_seed=None, workers=None) -> None:
    """Refuse counts that would run for hours or take the machine's memory, with the bound
    in the message (ValueError, one line)."""
    if members is None or isinstance(members, bool) or int(members) < 1 or int(members) > MAX_MEMBERS:
        raise ValueError(f"--members {members}: give a whole number from 1 to {MAX_MEMBERS:,}")
    if workers is not None and not 1 <= int(workers) <= max_workers():
        raise ValueError(f"--workers {workers}: give a whole number from 1 to {max_workers()} "
                         "(the CPUs of this machine; each worker is a process)")
    if first_seed is not None and not 0 <= int(first_seed) <= MAX_SEED - 3 * int(members) - 10:
        raise ValueError(f"--first-seed {first_seed}: give a whole number from 0 to "
                         f"{MAX_SEED - 3 * int(members) - 10:,} (seeds are 32-bit)")


def check_out(out_dir: Path) -> None:
    """Refuse an output folder that is not the ensemble's own (the rules of
    :mod:`ipsrep.ownership`; the two committed folders, ``data/ensemble/`` and
    ``data/ensemble_unsearched/``, are the defaults), and one holding a file of the ensemble's
    names that ipsrep did not write. ValueError, one line."""
    from ipsrep.ownership import MANIFEST, folder_refusal, read_manifest, shown_path

    committed = (ens.ENSEMBLE_DIR.resolve(), ens.UNSEARCHED_DIR.resolve())
    problem = folder_refusal(out_dir, option="--out", what="the ensemble", allowed=committed,
                             needs_manifest=False)
    if problem:
        raise ValueError(problem)
    if out_dir.is_dir() and out_dir.resolve() not in committed:
        listed = read_manifest(out_dir)
        entries = sorted(p.name for p in out_dir.iterdir())
        if listed is None and entries:
            raise ValueError(f"--out {shown_path(out_dir)}: is not empty and holds no ensemble ipsrep wrote "
                             f"(no {MANIFEST}); give an empty or new folder")
        for name in OUT_FILES:
            if name in entries and name not in (listed or ()):
                raise ValueError(f"{shown_path(out_dir / name)} was not written by ipsrep; move it away or "
                                 "give another --out")


def check_work(work_dir: Path, *, given: bool) -> None:
    """Refuse a work folder that is a file, a folder of the project, or a non-empty folder
    that is not an ensemble work folder (:data:`WORK_MARK`). ValueError, one line."""
    from ipsrep.ownership import folder_refusal, shown_path

    if not given:
        return
    problem = folder_refusal(work_dir, option="--work", what="the ensemble's work", needs_manifest=False)
    if problem:
        raise ValueError(problem)
    if work_dir.is_dir() and any(work_dir.iterdir()) and not (work_dir / WORK_MARK).is_file():
        raise ValueError(f"--work {shown_path(work_dir)}: is not empty and is not an ensemble work folder "
                         f"(no {WORK_MARK}); give an empty or new folder")


SEEDS_PER_MEMBER = {"searched": 15, "unsearched": 3}
"""Seeds a run may try per member wanted before it stops short. With one response status
per participant and visit, about one searched seed in ten meets every Table 4 target (the
least-pain and EQ-VAS intercept SEs are the usual misses); the unsearched linkage misses
only where the marginal samples do (about one seed in five)."""


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
    linkage: str = "searched",
) -> RunSummary:
    """Compute the members not yet in the work folder on Dask, then assemble the ensemble.

    Parameters
    ----------
    members : int
        Number of members wanted. Seeds ``first_seed``, ``first_seed + 1``, ... are tried in
        order; a seed that fails (its reconstruction cannot reproduce every printed
        comparison, say) is reported and the next seed takes its place, so the members are
        the first `members` seeds that yield one, whatever the order the workers finish
        in. At most ``3 * members + 10`` seeds are tried.
    first_seed : int, optional
        First seed tried; default the committed reconstruction's
        (:data:`ipsrep.synthetic.reconstruct.DEFAULT_SEED`), so member 0 is the report's data.
    seeds : sequence of int, optional
        Exactly these seeds instead (distinct); a failed seed is reported, not replaced.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``). Default: a
        ``LocalCluster`` of `workers` single-threaded worker processes on this machine,
        started and closed here.
    out : path, optional
        Folder of the assembled files (default ``data/ensemble/``, or
        ``data/ensemble_unsearched/`` for the unsearched linkage).
    work : path, optional
        Folder of the per-member files (default :func:`default_work_dir`).
    workers : int, optional
        Worker processes of the local cluster (default: the number of CPUs).
    member_fn : callable, optional
        ``seed -> DataFrame`` with ``key, value, quantity, published, status``; default
        the linkage's (:data:`ipsrep.synthetic.ensemble.MEMBER_FUNCTIONS`). Must be
        importable by the workers.
    say : callable, optional
        Receives one progress line at a time (default: print to stderr); None for silence.
    linkage : str, default "searched"
        ``searched`` (the Table 4 linkage search, as the committed reconstruction) or
        ``unsearched`` (rank linkage on a within-person correlation drawn per member;
        :func:`ipsrep.synthetic.ensemble.unsearched_member_results`).

    Returns
    -------
    RunSummary
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    say = say or (lambda message: None)
    check_options(members if seeds is None else len(list(seeds)), first_seed=first_seed, workers=workers)
    if linkage not in ensemble_member.LINKAGES:
        raise ValueError(f"--linkage must be one of {', '.join(ensemble_member.LINKAGES)}, got {linkage!r}")
    member_fn = member_fn or ensemble_member.MEMBER_FUNCTIONS[linkage]
    if seeds is not None:
        seeds = [int(s) for s in seeds]
        if not seeds:
            raise ValueError("seeds: give at least one")
        if len(set(seeds)) != len(seeds):
            raise ValueError("seeds must be distinct: each member is a different reconstruction")
        want = len(seeds)
    else:
        if members is None or int(members) < 1:
            raise ValueError(f"--members must be a positive whole number, got {members!r}")
        want = int(members)
    first = DEFAULT_SEED if first_seed is None else int(first_seed)
    say(f"ipsrep ensemble ({linkage}): {want} members wanted; checking the folders and the work already done")
    out_dir = paths.resolve(out) if out is not None else (ens.ENSEMBLE_DIR if linkage == "searched"
                                                            else ens.UNSEARCHED_DIR)
    check_out(out_dir)
    digest = source_digest()
    work_dir = Path(work).resolve() if work is not None else default_work_dir(digest, linkage)
    check_work(work_dir, given=work is not None)
    work_dir.mkdir(parents=True, exist_ok=True)
    (work_dir / WORK_MARK).touch()
    plan = _Plan(seeds, first, want, work_dir, limit=SEEDS_PER_MEMBER[linkage] * want + 10)
    summary = RunSummary(out=out_dir, work=work_dir)
    started = time.perf_counter()

    # seeds already settled in the work folder, then the ones to compute
    succeeded: set[int] = set()
    todo: list[int] = []
    while len(succeeded) + len(todo) < want:
        s = plan.next_seed()
        if s is None:
            break
        if member_file(work_dir, s).exists():
            succeeded.add(s)
            summary.skipped.append(s)
        elif _failed_file(work_dir, s).exists():
            summary.failed[s] = _failed_file(work_dir, s).read_text(encoding="utf-8").strip()
        else:
            todo.append(s)
    say(f"ipsrep ensemble ({linkage}): {want} members wanted; {len(summary.skipped)} already in {_shown(work_dir)}"
        + (f", {len(summary.failed)} seeds failed before" if summary.failed else "")
        + f"; {len(todo)} to compute")
    if todo:
        _compute(todo, plan, succeeded, work_dir, summary, want=want, scheduler=scheduler, workers=workers,
                 member_fn=member_fn, say=say, linkage=linkage)
    summary.members = [s for s in plan.tried if s in succeeded]
    assemble(summary.members, work_dir, out_dir, failed={s: summary.failed[s] for s in plan.tried
                                                          if s in summary.failed}, digest=digest,
             linkage=linkage, member_function=f"{member_fn.__module__}.{member_fn.__qualname__}")
    summary.seconds = time.perf_counter() - started
    say(f"ipsrep ensemble: wrote {_shown(out_dir)}: {len(summary.members)} of {want} members"
        + ("; seeds that failed: " + ", ".join(str(s) for s in sorted(summary.failed)) if summary.failed else "")
        + f" ({summary.seconds:.0f} s)")
    return summary


def _shown(path: Path) -> str:
    from ipsrep.inputs.contract import terminal_safe

    try:
        return terminal_safe(str(path.relative_to(Path.cwd())))
    except ValueError:
        return terminal_safe(str(path))


def _client(scheduler: str | None, workers: int | None):
    """A Dask client and the local cluster it owns (None when `scheduler` is given)."""
    from distributed import Client, LocalCluster

    if scheduler:
        return _connect(scheduler), None
    n = workers or os.cpu_count() or 1
    # workers log a failed task with its traceback; the run reports it in one line instead.
    # They start with Ctrl-C ignored (an ignored signal stays ignored in a child process,
    # and Python keeps it so): Ctrl-C reaches this process alone, which closes the
    # cluster, instead of every worker printing its own traceback.
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)
    finally:
        signal.signal(signal.SIGINT, previous)
    return Client(cluster), cluster


CONNECT_SECONDS = 20
"""How long a scheduler address may take to answer as a Dask scheduler."""


def _connect(scheduler: str):
    """A client of the scheduler at `scheduler`, or OSError within :data:`CONNECT_SECONDS`
    (plus a few seconds) when nothing answers there as a Dask scheduler: a closed port, a
    server that speaks another protocol, or one that never answers."""
    import threading

    from distributed import Client

    got: dict = {}

    def attempt():
        try:
            got["client"] = Client(scheduler, timeout=f"{CONNECT_SECONDS}s")
        except BaseException as err:
            got["error"] = err

    thread = threading.Thread(target=attempt, name="ipsrep-connect", daemon=True)
    thread.start()
    thread.join(CONNECT_SECONDS + 5)
    if "client" in got:
        return got["client"]
    err = got.get("error")
    if err is None:
        why = f"no Dask scheduler answered within {CONNECT_SECONDS + 5} s"
    elif isinstance(err, OSError):  # refused, unreachable, timed out
        why = f"{err}".splitlines()[0][:200]
    else:  # something answered, in another protocol
        why = f"what answers there is not a Dask scheduler ({type(err).__name__}: {err})".splitlines()[0][:200]
    raise OSError(why)


def _compute(todo, plan: _Plan, succeeded: set, work_dir: Path, summary: RunSummary, *, want, scheduler,
             workers, member_fn, say, linkage) -> None:
    from distributed import as_completed

    client, cluster = _client(scheduler, workers)
    try:
        n_workers = len(client.scheduler_info().get("workers", {}))
        say(f"ipsrep ensemble: {'scheduler ' + scheduler if scheduler else 'local cluster'} with "
            f"{n_workers} worker{'s' if n_workers != 1 else ''} (dashboard {client.dashboard_link})")

        def submit(s):
            return client.submit(compute_member, s, member_fn, key=f"ipsrep-member-seed-{s}", pure=False)

        pending = {submit(s): s for s in todo}
        queue = as_completed(list(pending))
        t0, n_done = time.perf_counter(), 0
        for f in queue:
            s = pending.pop(f)
            try:
                got = f.result()
            except Exception as err:
                text = f"{type(err).__name__}: {err}".splitlines()[0][:300]
                summary.failed[s] = text
                if isinstance(err, DETERMINISTIC_FAILURES):
                    write_atomic(_failed_file(work_dir, s), text + "\n")
                replacement = None if plan.explicit else plan.next_seed()
                say(f"  seed {s} FAILED: {text}" + (f"; trying seed {replacement} instead" if replacement else ""))
                if replacement is not None:
                    f2 = submit(replacement)
                    pending[f2] = replacement
                    queue.add(f2)
                continue
            finally:
                f.release()
            write_atomic(_timing_file(work_dir, s), json.dumps(
                {"seed": s, "cpu_seconds": got["cpu_seconds"], "wall_seconds": got["wall_seconds"],
                 "worker": got["worker"]}))
            write_atomic(work_dir / ".keys.csv", _keys_text(got["table"], linkage))
            write_atomic(member_file(work_dir, s), _member_text(got["table"]))
            succeeded.add(s)
            summary.computed.append(s)
            n_done += 1
            left = want - len(succeeded)
            rate = (time.perf_counter() - t0) / n_done
            say(f"  [{len(succeeded)}/{want}] seed {s} done in {got['cpu_seconds']:.1f} s CPU; "
                f"{len(summary.failed)} failed; about {rate * left / 60:.1f} min left")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def assemble(seeds: Sequence[int], work_dir: Path, out_dir: Path, *, failed: dict[int, str] | None = None,
             digest: str | None = None, linkage: str = "searched",
             member_function: str = "ipsrep.synthetic.ensemble_member.member_results") -> None:
    """Write ``results.csv``, ``keys.csv``, ``metadata.json`` and ``timings.csv`` to `out_dir`:
    member ``i`` is ``seeds[i]``, read from its file in `work_dir`. `digest` (of the code
    and data the members ran on, :func:`source_digest`), the `linkage` and the
    `member_function`'s name go into the metadata (for the unsearched linkage also the
    range of the drawn within-person correlation)."""
    failed = dict(failed or {})
    parts, timings = [], []
    for i, s in enumerate(seeds):
        body = member_file(work_dir, s).read_text(encoding="utf-8").split("\n", 1)[1]
        parts.append("".join(f"{i},{s},{line}\n" for line in body.splitlines() if line))
        tpath = _timing_file(work_dir, s)
        if tpath.exists():
            timings.append({"member": i, **json.loads(tpath.read_text())})
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(out_dir / ens.RESULTS_NAME, "member,seed,key,value\n" + "".join(parts))
    keys_path = work_dir / ".keys.csv"
    if keys_path.exists():
        write_atomic(out_dir / ens.KEYS_NAME, keys_path.read_text(encoding="utf-8"))
    metadata = {
        "package": "ipsrep",
        "version": package_version(),
        "linkage": linkage,
        "members": len(seeds),
        "seeds": list(seeds),
        "failed": {str(s): failed[s] for s in sorted(failed)},
        "member_function": member_function,
        "inputs_sha256": digest or "",
        "notebook_defaults": ensemble_member.NOTEBOOK_DEFAULTS,
        "value_format": ens.VALUE_FORMAT,
    }
    if linkage == "unsearched":
        metadata["within_person_r_range"] = list(ensemble_member.UNSEARCHED_R_RANGE)
    write_atomic(out_dir / ens.METADATA_NAME, json.dumps(metadata, indent=1) + "\n")
    frame = pd.DataFrame(timings, columns=["member", "seed", "cpu_seconds", "wall_seconds", "worker"])
    write_atomic(out_dir / ens.TIMINGS_NAME, frame.to_csv(index=False, lineterminator="\n", float_format="%.3f"))
    if out_dir.resolve() not in (ens.ENSEMBLE_DIR.resolve(), ens.UNSEARCHED_DIR.resolve()):  # git's, no manifest
        from ipsrep.ownership import MANIFEST, manifest_text

        write_atomic(out_dir / MANIFEST, manifest_text(OUT_FILES))

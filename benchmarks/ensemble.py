"""Ensemble members per minute on 1 Dask worker against 2, in one run (issue 12).

Each configuration starts its own ``LocalCluster`` of single-threaded worker processes,
loads once per worker what every member shares (``ensemble_run.warm_worker``, not
timed), then computes `members` members per worker with seeds no other configuration
uses, through the same task the ``ipsrep ensemble`` command submits
(``ensemble_run.compute_member``). A seed whose reconstruction misses a printed comparison
fails fast and is counted apart; the rate counts finished members only.

    .venv/bin/python benchmarks/ensemble.py [--members-per-worker 8] [--first-seed 30000000]

Prints members per minute for each configuration, the median CPU seconds of one
member, and the ratio of the two rates (target: at least 1.7). The machine must not be
busy with other work for the ratio to mean anything.

    .venv/bin/python benchmarks/ensemble.py --member-time 6 [--first-seed 30000000]

Instead prints the processor time of one member of each ensemble, searched
(``member_results``) and unsearched (``unsearched_member_results``), computed one after
the other in this process on the same seeds (after a warm-up that is not timed): median,
range, the seeds left out (a miss also costs time) and the processor time per member
kept, misses included. Processor time, not wall time, so that other jobs on the machine
weigh less (they still slow the caches and the clock).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def rate(workers: int, seeds: list[int]) -> tuple[float, list[float], int]:
    """Members per minute on `workers` worker processes, CPU seconds per member, failures."""
    from distributed import Client, LocalCluster, as_completed

    from ipsrep.synthetic.ensemble_run import compute_member, warm_worker

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=40) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        client.run(warm_worker)
        t0 = time.perf_counter()
        futures = [client.submit(compute_member, s, pure=False) for s in seeds]
        cpu, failed = [], 0
        for f in as_completed(futures):
            try:
                cpu.append(f.result()["cpu_seconds"])
            except Exception:
                failed += 1
        elapsed = time.perf_counter() - t0
    return len(cpu) / elapsed * 60, cpu, failed


def member_times(linkage: str, seeds: list[int]) -> tuple[list[float], list[float]]:
    """Processor seconds of each seed's member of the `linkage` ensemble, in this process:
    (members kept, seeds left out)."""
    from ipsrep.synthetic import ensemble_member, reconstruct

    fn = ensemble_member.MEMBER_FUNCTIONS[linkage]
    kept, missed = [], []
    for s in seeds:
        reconstruct._marginals.cache_clear()  # each member draws its marginal samples, as on a worker
        t0 = time.process_time()
        try:
            fn(s)
        except ensemble_member.ReconstructionMissed:
            missed.append(time.process_time() - t0)
            continue
        kept.append(time.process_time() - t0)
    return kept, missed


def report_member_times(n: int, first_seed: int) -> None:
    from ipsrep.synthetic.ensemble_run import warm_worker

    seeds = list(range(first_seed, first_seed + n))
    print(f"member time: {n} seeds from {first_seed}, one process; load average {os.getloadavg()[0]:.1f} before",
          flush=True)
    warm_worker()
    for linkage in ("searched", "unsearched"):
        kept, missed = member_times(linkage, seeds)
        if not kept:
            print(f"{linkage:>10}: no member kept; {len(missed)} seeds left out, "
                  f"median {statistics.median(missed):.1f} s "
                  f"CPU per seed tried (min {min(missed):.1f}, max {max(missed):.1f})", flush=True)
            continue
        total = sum(kept) + sum(missed)
        print(f"{linkage:>10}: median {statistics.median(kept):.1f} s CPU per member (min {min(kept):.1f}, "
              f"max {max(kept):.1f}; {len(kept)} kept, {len(missed)} left out); {total / len(kept):.1f} s CPU "
              "per member kept, misses included", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} after the run")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members-per-worker", type=int, default=8)
    parser.add_argument("--first-seed", type=int, default=30_000_000)
    parser.add_argument("--member-time", type=int, default=0, metavar="N",
                        help="print the CPU time of one member of each ensemble over N seeds instead")
    args = parser.parse_args(argv)
    if args.member_time:
        report_member_times(args.member_time, args.first_seed)
        return 0
    k = args.members_per_worker
    one = list(range(args.first_seed, args.first_seed + k))
    two = list(range(args.first_seed + k, args.first_seed + 3 * k))
    print(f"ensemble benchmark: {k} members per worker; {os.cpu_count()} CPUs; load average "
          f"{os.getloadavg()[0]:.1f} before the run", flush=True)
    r1, cpu1, f1 = rate(1, one)
    print(f"1 worker : {r1:.2f} members/min ({len(cpu1)} members, {f1} seeds failed)", flush=True)
    r2, cpu2, f2 = rate(2, two)
    print(f"2 workers: {r2:.2f} members/min ({len(cpu2)} members, {f2} seeds failed)", flush=True)
    cpu = cpu1 + cpu2
    print(f"member CPU time: median {statistics.median(cpu):.1f} s (min {min(cpu):.1f}, max {max(cpu):.1f}); "
          f"200 members at the 2-worker rate: {200 / r2:.0f} min")
    print(f"scaling ratio (2 workers / 1 worker): {r2 / r1:.2f} (target >= 1.7); load average "
          f"{os.getloadavg()[0]:.1f} after the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())

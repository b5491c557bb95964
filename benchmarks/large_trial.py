"""How the whole report scales: the bundled trial against a 100,000-participant one.

Measured in one run, on this machine, so the ratio holds when the machine's speed drifts:

(a) a cold build of the report on the bundled 58-participant reconstruction;
(b) a cold build on a resampled trial of N participants (default 100,000;
    :func:`ipsrep.synthetic.resample.write_resampled_trial`).

Prints the wall time of each, the ratio (b)/(a) (target: at most 4) and the peak resident
memory of the largest single process of each build, which is a notebook kernel (target:
under 4 GB). Each build runs in its own child process so that the peaks are its own.

Run: ``.venv/bin/python benchmarks/large_trial.py [--participants N] [--jobs J]``
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TIMED = """
import json, resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.monotonic() - start
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": rc.returncode, "wall": wall, "peak_mb": peak_kb / 1024, "stderr": rc.stderr[-2000:]}))
"""


def timed_build(args: list[str]) -> dict:
    """Wall time, exit status and peak memory of the largest process of one build."""
    command = [sys.executable, "-c", TIMED, str(Path(sys.executable).with_name("ipsrep")), "build", *args]
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=None, help="notebooks at once (default: cores)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from ipsrep.synthetic.resample import write_resampled_trial

    jobs = [] if args.jobs is None else ["--jobs", str(args.jobs)]
    with tempfile.TemporaryDirectory(prefix="ipsrep-large-") as tmp:
        tmp = Path(tmp)
        big = write_resampled_trial(tmp / f"resampled_{args.participants}.csv", args.participants)
        small = timed_build(["--no-cache", "--out", str(tmp / "small"), *jobs])
        large = timed_build(["--no-cache", "--data", str(big), "--out", str(tmp / "large"), *jobs])
    for name, run in (("bundled (58)", small), (f"resampled ({args.participants:,})", large)):
        tail = "\n".join(run["stderr"].strip().splitlines()[-6:])
        status = "ok" if run["rc"] == 0 else f"FAILED (exit {run['rc']}):\n{tail}"
        print(f"{name:>22}: {run['wall']:7.1f} s wall, largest process {run['peak_mb']:7.0f} MB  {status}")
    ratio = large["wall"] / small["wall"]
    print(f"{'ratio large/bundled':>22}: {ratio:7.2f}   (target <= 4)")
    print(f"{'largest kernel':>22}: {large['peak_mb'] / 1024:7.2f} GB (target < 4 GB)")
    return 0 if small["rc"] == 0 and large["rc"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

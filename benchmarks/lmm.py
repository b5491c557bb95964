"""How fast is the random-intercept mixed model of ``ipsrep.methods.lmm``? One run, three sizes.

The model is Table 4's, ``y ~ group * time`` with a random intercept per participant,
fitted by maximum likelihood, on simulated trials of 5,000, 20,000 and 125,000
participants, three visits each, 15% of visits missing at random. For every size it times

(a) this engine, the fit alone (the model, i.e. its sufficient statistics, already built);
(b) this engine including the design build from the long table (patsy formula);
(c) lme4's ``lmer`` through ``Rscript``, timed inside R with ``system.time`` around the
    ``lmer`` call only (data already read; lme4's default optimiser and tolerances);
(d) statsmodels ``MixedLM`` (formula, ``reml=False``, its default optimisers), for sizes
    up to ``--statsmodels-max`` (default 5,000: it loops over participants in Python);

and the peak memory of (b) in a fresh process (``tracemalloc``'s peak of what the build
and fit allocate, and the process's maximum resident set size). It prints a table, the
ratios (b)/(c) and (a)/(c) (target at 125,000: 1 or less) and the largest relative
difference between our estimates and lme4's (lme4 stops at its default tolerance, so
expect ~1e-7, not 1e-15). Timings are the best of ``--repeat`` runs.

Usage, from the project root::

    .venv/bin/python benchmarks/lmm.py [--sizes 5000 20000 125000] [--repeat 3]

This is a benchmark, not a test: timings depend on the machine and on what else runs.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ipsrep.methods.lmm import mixedlm  # noqa: E402

FORMULA = "y ~ group * time"
MEMORY_TARGET_MB = 1024.0

R_SCRIPT = r"""
suppressMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
fit <- NULL
best <- Inf
for (i in seq_len(as.integer(args[3]))) {
  t <- system.time(fit <- lmer(y ~ group * time + (1 | participant_id), data = d, REML = FALSE))[["elapsed"]]
  best <- min(best, t)
}
b <- fixef(fit)
writeLines(c(sprintf("%.17g", best), sprintf("%.17g", b), sprintf("%.17g", as.numeric(logLik(fit)))), args[2])
"""


def simulate(participants: int, *, seed: int = 2022, p_missing: float = 0.15) -> pd.DataFrame:
    """Long table: participant_id, group (IPS/TAU), time (0, 1, 2), y; 15% of visits removed."""
    rng = np.random.default_rng(seed)
    pid = np.repeat(np.arange(participants), 3)
    time_ = np.tile(np.array([0, 1, 2]), participants)
    ips = np.repeat(rng.integers(0, 2, participants), 3)
    y = (
        30.0
        - 2.0 * time_
        - 1.0 * ips
        - 0.8 * ips * time_
        + np.repeat(rng.normal(0.0, 8.0, participants), 3)
        + rng.normal(0.0, 9.0, len(pid))
    )
    data = pd.DataFrame(
        {"participant_id": pid, "group": np.where(ips == 1, "IPS", "TAU"), "time": time_, "y": np.round(y, 6)}
    )
    return data.loc[rng.random(len(data)) >= p_missing].reset_index(drop=True)


def best_of(repeat: int, call) -> tuple[float, object]:
    best, value = np.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        value = call()
        best = min(best, time.perf_counter() - started)
    return best, value


def time_ours(data: pd.DataFrame, repeat: int):
    build_and_fit, fit = best_of(repeat, lambda: mixedlm(FORMULA, data, groups="participant_id").fit(reml=False))
    model = mixedlm(FORMULA, data, groups="participant_id")
    fit_only, _ = best_of(repeat, lambda: model.fit(reml=False))
    return fit_only, build_and_fit, fit


def time_lme4(data: pd.DataFrame, repeat: int):
    """(seconds inside R around lmer, fixef, logLik), or None without R and lme4."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data.to_csv(tmp / "data.csv", index=False)
        (tmp / "fit.R").write_text(R_SCRIPT)
        done = subprocess.run(
            ["Rscript", str(tmp / "fit.R"), str(tmp / "data.csv"), str(tmp / "out.txt"), str(repeat)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"lme4 failed: {done.stderr[-500:]}", file=sys.stderr)
            return None
        values = [float(v) for v in (tmp / "out.txt").read_text().split()]
    return values[0], np.array(values[1:-1]), values[-1]


def time_statsmodels(data: pd.DataFrame):
    import statsmodels.formula.api as smf

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smf.mixedlm(FORMULA, data, groups=data["participant_id"]).fit(reml=False)
    return time.perf_counter() - started


def memory_probe(participants: int) -> dict:
    """Run in a fresh process: peak allocations of the design build and fit, and max RSS."""
    data = simulate(participants)
    tracemalloc.start()
    mixedlm(FORMULA, data, groups="participant_id").fit(reml=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data_mb = data.memory_usage(deep=True).sum() / 2**20
    return {
        "peak_mb": peak / 2**20,
        "data_mb": data_mb,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_memory(participants: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(participants)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000, 125000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--statsmodels-max", type=int, default=5000)
    parser.add_argument("--memory-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe)))
        return 0

    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"numpy {np.__version__}, model {FORMULA} + (1 | participant_id), ML, 3 visits, 15% missing")
    rows = []
    for n in args.sizes:
        data = simulate(n)
        fit_only, build_fit, ours = time_ours(data, args.repeat)
        lme4 = time_lme4(data, args.repeat)
        sm = time_statsmodels(data) if n <= args.statsmodels_max else None
        mem = measure_memory(n)
        row = {
            "participants": n,
            "rows": len(data),
            "ours_fit_s": fit_only,
            "ours_build_fit_s": build_fit,
            "lme4_s": lme4[0] if lme4 else np.nan,
            "statsmodels_s": sm if sm is not None else np.nan,
            "peak_mb": mem["peak_mb"],
            "maxrss_mb": mem["maxrss_mb"],
        }
        if lme4:
            row["build_fit/lme4"] = build_fit / lme4[0]
            row["fit/lme4"] = fit_only / lme4[0]
            row["max_rel_diff_fixef"] = float(np.max(np.abs(ours.params.to_numpy() - lme4[1]) / np.abs(lme4[1])))
            row["loglik_diff"] = ours.llf - lme4[2]
        if sm is not None:
            row["statsmodels/ours"] = sm / build_fit
        rows.append(row)
        print(f"  {n:>7,} participants done", file=sys.stderr, flush=True)

    table = pd.DataFrame(rows).set_index("participants")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        print(table.to_string())
    last = table.iloc[-1]
    if "build_fit/lme4" in table:
        verdict = "met" if last["build_fit/lme4"] <= 1 else "NOT met"
        print(f"target ours (incl. design build) no slower than lme4 at {table.index[-1]:,}: "
              f"{last['build_fit/lme4']:.3f} ({verdict})")
    else:
        print("lme4 not run (Rscript or lme4 missing): no ratio")
    verdict = "met" if last["peak_mb"] < MEMORY_TARGET_MB else "NOT met"
    print(f"target peak memory < {MEMORY_TARGET_MB:.0f} MB at {table.index[-1]:,}: {last['peak_mb']:.1f} MB "
          f"allocated by build + fit, {last['maxrss_mb']:.0f} MB max RSS of the whole process ({verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

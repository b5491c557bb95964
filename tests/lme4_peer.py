"""Fit random-intercept models with R's lme4 through ``Rscript``, for agreement tests.

One ``Rscript`` process fits every requested model on every data set given (loading lme4
costs about two seconds, fitting a small model milliseconds). Each job names a data set,
a formula in R's syntax (the random intercept ``+ (1 | <group>)`` is added here) and,
optionally, a ``column == value`` subset of the data. For each job and each of ``REML = FALSE`` and
``REML = TRUE`` the script writes ``fixef``, ``sqrt(diag(vcov))``, ``logLik`` (lme4's
REML criterion over -2 for a REML fit), ``sigma^2``, ``theta`` and ``isSingular``, all
printed with 17 significant digits; when lmerTest is installed, also its Satterthwaite
degrees of freedom and p-values (``summary(as_lmerModLmerTest(fit))``).

By default lme4's optimiser (nloptwrap, BOBYQA) runs with tolerances of 1e-14 instead of
its defaults (1e-8 absolute) so that both programs report the same optimum to the
precision compared; ``tight=False`` keeps lme4's defaults.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

_SCRIPT = r"""
suppressMessages(library(lme4))
has_lmertest <- nzchar(system.file(package = "lmerTest"))
args <- commandArgs(trailingOnly = TRUE)
jobs <- read.csv(args[2], colClasses = "character", na.strings = character(0))
tight <- args[4] == "tight"
ctrl <- if (tight) {
  lmerControl(optimizer = "nloptwrap", calc.derivs = FALSE,
              check.conv.singular = .makeCC(action = "ignore", tol = 1e-4),
              optCtrl = list(xtol_abs = 1e-14, ftol_abs = 1e-14, xtol_rel = 1e-14, ftol_rel = 1e-14))
} else {
  lmerControl(check.conv.singular = .makeCC(action = "ignore", tol = 1e-4))
}
out <- character(0)
emit <- function(job, reml, what, index, value) {
  out <<- c(out, sprintf("%s,%d,%s,%d,%.17g", job, as.integer(reml), what, index, value))
}
data <- list()
for (j in seq_len(nrow(jobs))) {
  name <- jobs$data[j]
  if (is.null(data[[name]]))
    data[[name]] <- read.csv(file.path(args[1], paste0(name, ".csv")), stringsAsFactors = FALSE)
  d <- data[[name]]
  sub <- d
  if (nzchar(jobs$where_column[j])) sub <- d[as.character(d[[jobs$where_column[j]]]) == jobs$where_value[j], ]
  f <- as.formula(paste(jobs$formula[j], "+ (1 |", jobs$group[j], ")"))
  for (reml in c(FALSE, TRUE)) {
    fit <- lmer(f, data = sub, REML = reml, control = ctrl)
    b <- fixef(fit); se <- sqrt(diag(as.matrix(vcov(fit))))
    for (i in seq_along(b)) { emit(jobs$job[j], reml, "fixef", i, b[i]); emit(jobs$job[j], reml, "se", i, se[i]) }
    emit(jobs$job[j], reml, "loglik", 0, as.numeric(logLik(fit)))
    emit(jobs$job[j], reml, "sigma2", 0, sigma(fit)^2)
    emit(jobs$job[j], reml, "theta", 0, getME(fit, "theta")[[1]])
    emit(jobs$job[j], reml, "singular", 0, as.numeric(isSingular(fit)))
    emit(jobs$job[j], reml, "nobs", 0, nobs(fit))
    if (has_lmertest) {
      cs <- summary(lmerTest::as_lmerModLmerTest(fit), ddf = "Satterthwaite")$coefficients
      for (i in seq_len(nrow(cs))) {
        emit(jobs$job[j], reml, "df", i, cs[i, "df"])
        emit(jobs$job[j], reml, "p_satterthwaite", i, cs[i, "Pr(>|t|)"])
      }
    }
  }
}
writeLines(c("job,reml,what,index,value", out), args[3])
"""


def missing_reason() -> str | None:
    """Why lme4 cannot be run here (``None`` when ``Rscript`` and lme4 are present)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found (install r-base-core and r-cran-lme4)"
    done = subprocess.run(
        [rscript, "-e", 'quit(status = !nzchar(system.file(package = "lme4")))'], capture_output=True, text=True
    )
    if done.returncode != 0:
        return "R package lme4 not installed (install r-cran-lme4)"
    return None


def lmertest_missing_reason() -> str | None:
    """Why lmerTest cannot be run here (``None`` when ``Rscript``, lme4 and lmerTest are present)."""
    reason = missing_reason()
    if reason is not None:
        return reason
    done = subprocess.run(
        ["Rscript", "-e", 'quit(status = !nzchar(system.file(package = "lmerTest")))'], capture_output=True, text=True
    )
    if done.returncode != 0:
        return "R package lmerTest not installed (install r-cran-lmertest)"
    return None


@dataclass(frozen=True)
class Job:
    """One model for lme4: a label, the data set's name, the fixed-effects formula in R, the
    cluster column, an optional subset."""

    job: str
    data: str
    formula: str
    group: str
    where_column: str = ""
    where_value: str = ""


@dataclass(frozen=True)
class Lme4Fit:
    """What lme4 reported for one model and one of ML / REML."""

    fixef: np.ndarray
    se: np.ndarray
    loglik: float
    sigma2: float
    theta: float
    singular: bool
    nobs: int
    df: np.ndarray | None = None
    p_satterthwaite: np.ndarray | None = None


def fit_lme4(
    datasets: dict[str, pd.DataFrame], jobs: list[Job], *, tight: bool = True
) -> dict[tuple[str, bool], Lme4Fit]:
    """Fit every job by ML and by REML in one Rscript process.

    Parameters
    ----------
    datasets : dict
        Name -> long table; jobs refer to the names.
    jobs : list of Job
    tight : bool
        Optimiser tolerances of 1e-14 (default) or lme4's defaults.

    Returns
    -------
    dict
        ``(job label, reml)`` -> :class:`Lme4Fit`; coefficients in lme4's column order.
    """
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, data in datasets.items():
            data.to_csv(tmp / f"{name}.csv", index=False)
        pd.DataFrame([j.__dict__ for j in jobs]).to_csv(tmp / "jobs.csv", index=False)
        (tmp / "fit.R").write_text(_SCRIPT)
        done = subprocess.run(
            [
                "Rscript",
                str(tmp / "fit.R"),
                str(tmp),
                str(tmp / "jobs.csv"),
                str(tmp / "out.csv"),
                "tight" if tight else "default",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "LC_ALL": "C"},
        )
        if done.returncode != 0:
            raise RuntimeError(f"Rscript failed ({done.returncode}): {done.stderr[-2000:]}")
        out = pd.read_csv(tmp / "out.csv", keep_default_na=False)
    fits = {}
    for (job, reml), part in out.groupby(["job", "reml"], sort=False):
        one = {w: p.sort_values("index")["value"].to_numpy(dtype=float) for w, p in part.groupby("what")}
        fits[(str(job), bool(reml))] = Lme4Fit(
            fixef=one["fixef"],
            se=one["se"],
            loglik=float(one["loglik"][0]),
            sigma2=float(one["sigma2"][0]),
            theta=float(one["theta"][0]),
            singular=bool(one["singular"][0]),
            nobs=int(one["nobs"][0]),
            df=one.get("df"),
            p_satterthwaite=one.get("p_satterthwaite"),
        )
    return fits

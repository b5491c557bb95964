"""Calibrating the reconstruction's starting linkage (within-person correlations) against Table 4.

The printed summaries fix each visit's marginal distribution, not how strongly a
person's scores at different visits are correlated; yet that correlation decides the
standard errors of Table 4's mixed models. The reconstruction first links visits by
rank on a latent score with correlation r across visits, then searches the linkage
(:mod:`ipsrep.synthetic.linkage`). This module sets r, the search's starting point:
:func:`calibrate_within_person_r` fits the adopted model
(:data:`ipsrep.analyses.mixed.ADOPTED`) on rank-linked reconstructions (no search)
across a grid of correlations, :func:`choose_within_person_r` picks, per measure, the
correlation whose standard errors come closest to the printed ones, and
:func:`write_calibration` stores both (aggregates only) in ``data/reconstructed/``.

A start near the printed SEs leaves the search less to do (it is what keeps the search
within a few seconds); the search's result, not the calibrated r, is what the
committed reconstruction's Table 4 reflects.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep.analyses.mixed import ADOPTED, Spec, table4
from ipsrep.analyses.mixed_printed import distance_to_published, published_table4
from ipsrep.analyses.mixed_ranking import read_stored, write_ranking
from ipsrep.inputs.measures import MEASURES
from ipsrep.inputs.measures import measure as lookup_measure
from ipsrep.paths import CALIBRATION_CSV, WITHIN_PERSON_R_CSV
from ipsrep.synthetic.reconstruct import reconstruct_trial

__all__ = [
    "calibrate_within_person_r",
    "choose_within_person_r",
    "write_calibration",
    "read_calibration",
    "write_ranking_before_search",
]


_R_GRID = tuple(round(0.05 * k, 2) for k in range(19))
"""Within-person correlations 0, 0.05, ..., 0.9 tried by default."""


def calibrate_within_person_r(
    reconstruct: Callable[..., pd.DataFrame],
    grid: Sequence[float] = _R_GRID,
    *,
    spec: Spec = ADOPTED,
    measures=None,
    seeds: Sequence[int | None] = (None,),
) -> pd.DataFrame:
    """Fit the adopted model on reconstructions with different within-person correlations.

    Parameters
    ----------
    reconstruct : callable
        ``reconstruct(seed=..., within_person_r={measure: r}) -> trial``, normally
        :func:`ipsrep.synthetic.reconstruct.reconstruct_trial` with ``link=False``.
    grid : sequence of float
        Within-person correlations to try, each in [0, 1) (default 0, 0.05, ..., 0.9).
    spec : Spec
        The model fitted (default :data:`ADOPTED`).
    measures : list of str, optional
        Measure stems (default: all nine).
    seeds : sequence
        Reconstruction seeds (``None`` is the committed one); results are averaged.

    Returns
    -------
    DataFrame
        ``r, measure, term, estimate, se, icc, printed, printed_se, distance`` averaged
        over seeds, one row per correlation, measure and term.
    """
    names = [m.name for m in MEASURES] if measures is None else [lookup_measure(n).name for n in measures]
    bad = [r for r in grid if not 0.0 <= r < 1.0]
    if bad:
        raise ValueError(f"within-person correlations must lie in [0, 1); got {bad}")
    published = published_table4()
    frames = []
    for r in grid:
        for seed in seeds:
            trial = reconstruct(seed=seed, within_person_r={n: float(r) for n in names})
            fitted = table4(trial, spec, measures=names)
            dist = distance_to_published(fitted, published)
            dist["icc"] = fitted["icc"].to_numpy()
            frames.append(dist.assign(r=float(r), seed=-1 if seed is None else seed))
    raw = pd.concat(frames, ignore_index=True)
    out = (
        raw.groupby(["r", "measure", "term"], sort=False)[
            ["estimate", "se", "icc", "printed", "printed_se", "distance"]
        ]
        .mean()
        .reset_index()
    )
    return out


def choose_within_person_r(calibration: pd.DataFrame) -> pd.DataFrame:
    """Per measure, the grid correlation whose SEs best match the printed SEs.

    The criterion is the sum over the four terms of log(fitted SE / printed SE) squared:
    a ratio criterion, so the intercept's large SE does not outweigh the interaction's.

    Returns
    -------
    DataFrame
        ``measure, r, se_mismatch`` (the criterion at the chosen r), ``n_within_1se``
        (of the four estimates at that r).
    """
    c = calibration.assign(log_ratio2=np.log(calibration["se"] / calibration["printed_se"]) ** 2,
                           within=calibration["distance"].abs() <= 1)
    per = c.groupby(["measure", "r"], sort=False).agg(se_mismatch=("log_ratio2", "sum"),
                                                      n_within_1se=("within", "sum")).reset_index()
    best = per.loc[per.groupby("measure", sort=False)["se_mismatch"].idxmin()].reset_index(drop=True)
    best["n_within_1se"] = best["n_within_1se"].astype(int)
    return best[["measure", "r", "se_mismatch", "n_within_1se"]]


def write_calibration(path: str | Path = CALIBRATION_CSV, r_path: str | Path = WITHIN_PERSON_R_CSV,
                      **kwargs) -> pd.DataFrame:
    """Run :func:`calibrate_within_person_r` on the reconstruction and store the result.

    Uses :func:`ipsrep.synthetic.reconstruct.reconstruct_trial` (committed seed) with the
    rank linkage alone (``link=False``: the calibration sets the search's start); keyword
    arguments go to :func:`calibrate_within_person_r`. Writes two small CSVs of
    aggregates (no participant data): `path`, every fit of the grid (``r, measure,
    term, estimate, se, icc, printed, printed_se, distance``), which notebook 03 shows
    without refitting; and `r_path`, the chosen r per measure
    (:func:`choose_within_person_r`: ``measure, r, se_mismatch, n_within_1se``), which
    the reconstruction can take as its within-person correlations. Rerun after changing
    the reconstruction::

        python -c "from ipsrep.synthetic.calibration import write_calibration; write_calibration()"
    """
    calibration = calibrate_within_person_r(partial(reconstruct_trial, link=False), **kwargs)
    calibration.round(6).to_csv(path, index=False)
    choose_within_person_r(calibration).round(6).to_csv(r_path, index=False)
    return calibration


def read_calibration(path: str | Path = CALIBRATION_CSV) -> pd.DataFrame:
    """The stored calibration grid written by :func:`write_calibration`."""
    return read_stored(path, "ipsrep.synthetic.calibration.write_calibration")


RANKED_LINKAGE = "rank linkage at the calibrated within-person r, before the linkage search"
"""What the committed ranking's ``linkage`` column says."""


def write_ranking_before_search(**kwargs) -> pd.DataFrame:
    """Rank the candidate Table 4 specifications on the reconstruction before its linkage search.

    The committed reconstruction's linkage was searched to fit the adopted
    specification (:mod:`ipsrep.synthetic.linkage`), so a ranking computed on it would
    favour that specification by construction. The ranking is therefore computed on
    the same reconstruction (same seed and marginals) with the rank linkage of the
    calibrated within-person correlations and no search
    (``reconstruct_trial(link=False)``), and stored by
    :func:`ipsrep.analyses.mixed.write_ranking` with the committed file's SHA-256 and
    :data:`RANKED_LINKAGE` in its ``linkage`` column. Rerun after changing the
    reconstruction::

        python -c "from ipsrep.synthetic.calibration import write_ranking_before_search as w; w()"
    """
    return write_ranking(trial=reconstruct_trial(link=False), linkage=RANKED_LINKAGE, **kwargs)

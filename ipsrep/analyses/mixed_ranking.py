"""Which coding of the trial paper's mixed model comes closest to its printed Table 4.

Every candidate specification (:func:`ipsrep.analyses.mixed.candidate_specs`) is fitted to
every measure and ranked by its distance to the printed table in printed standard errors
(:func:`rank_specs`); the ranking is stored (:func:`write_ranking`, :func:`read_ranking`)
so that notebook 03 need not refit it, and shown (:func:`ranking_display`,
:func:`ranking_markdown`). The models are :mod:`ipsrep.analyses.mixed`, the printed table
:mod:`ipsrep.analyses.mixed_printed`.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep.analyses.health import long_format
from ipsrep.analyses.mixed import ADOPTED, CanonicalFit, Spec, candidate_specs, fit_canonical, fit_spec
from ipsrep.analyses.mixed_printed import distance_to_published, published_consistency, published_table4
from ipsrep.paths import RANKING_CSV

__all__ = [
    "rank_specs",
    "RANKING_CSV",
    "write_ranking",
    "read_ranking",
    "read_stored",
    "ranking_display",
    "ranking_markdown",
]


def rank_specs(trial: pd.DataFrame, specs: Iterable[Spec] | None = None, *, measures=None,
               exclude_inconsistent: bool = True) -> pd.DataFrame:
    """Rank candidate specifications by distance to the printed Table 4.

    Each specification is fitted to every measure and set beside the printed table.
    Two distances, both in units of the printed standard error: for each estimate
    (estimate - printed) / printed SE, and for each standard error (SE - printed SE) /
    printed SE. The ranking score ``rms_distance`` is the root mean square over all 72
    printed numbers (36 estimates and their 36 SEs), leaving out by default the rows
    whose printed estimate, z and p contradict each other (:func:`published_consistency`:
    the worst-pain interaction), since no model can be judged by a misprint. The
    standard errors are needed:
    the printed SEs are large beside the estimates, so estimates alone separate the
    codings poorly, whereas a coding that halves or doubles a term (effect coding,
    months) changes its SE by the same factor. Lower is closer.

    Returns
    -------
    DataFrame
        One row per specification, best first: ``rank, label`` and the five coding
        fields of :class:`Spec`; ``rms_distance`` (the score), ``rms_estimate_distance``
        and ``rms_se_distance`` (its two parts), ``n_within_1se`` (estimates within one
        printed SE of the printed estimate), ``n_coefficients``, ``interaction_signs``
        (interactions with the printed sign) and ``all_converged``.
    """
    specs = candidate_specs() if specs is None else list(specs)
    published = published_table4()
    if exclude_inconsistent:
        check = published_consistency()
        published = published[check["consistent"].to_numpy()]
    long = long_format(trial, measures)
    pieces = {name: part for name, part in long.groupby("measure", sort=False)}
    canonical: dict[tuple[str, str, str], CanonicalFit] = {}
    rows = []
    for spec in specs:
        frames = []
        for name, part in pieces.items():
            key = (name, spec.baseline, spec.random)
            if key not in canonical:
                canonical[key] = fit_canonical(part, baseline=spec.baseline, random=spec.random)
            frames.append(fit_spec(part, spec, canonical=canonical[key]).assign(measure=name))
        fitted = pd.concat(frames, ignore_index=True)
        dist = distance_to_published(fitted, published)
        inter = dist[dist["term"] == "interaction"]
        est2, se2 = dist["distance"] ** 2, (dist["se_ratio"] - 1.0) ** 2
        rows.append({
            "label": spec.label, **asdict(spec),
            "rms_distance": float(np.sqrt(np.mean(np.concatenate([est2, se2])))),
            "rms_estimate_distance": float(np.sqrt(est2.mean())),
            "rms_se_distance": float(np.sqrt(se2.mean())),
            "n_within_1se": int(dist["within_1se"].sum()),
            "n_coefficients": len(dist),
            "interaction_signs": int(inter["same_sign"].sum()),
            "all_converged": bool(fitted["converged"].all()),
        })
    ranking = pd.DataFrame(rows).sort_values("rms_distance", kind="stable").reset_index(drop=True)
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    return ranking


def write_ranking(path: str | Path = RANKING_CSV, data: str | Path | None = None, *,
                  trial: pd.DataFrame | None = None, linkage: str = "as in the file", **kwargs) -> pd.DataFrame:
    """Rank all candidate specifications on the bundled reconstruction and store the table.

    `data` defaults to the bundled file ``data/reconstructed/ips_in_pain.csv`` (loaded
    through the data contract); keyword arguments go to :func:`rank_specs`. The table
    gets a ``data_sha256`` column naming the file it was computed on (or, with `trial`,
    the file that `trial` was derived from), so a reader can tell when the stored
    ranking is older than the data, and a ``linkage`` column saying how the visits of
    the data ranked were linked. Takes a minute or two, which is why notebook 03 reads
    the stored table.

    Parameters
    ----------
    trial : DataFrame, optional
        Rank this participant table instead of loading `data`. The committed ranking is
        computed on the reconstruction with its rank linkage and no search
        (:func:`ipsrep.synthetic.calibration.write_ranking_before_search`): the searched
        linkage was tuned to the adopted specification, so ranking on it would favour
        that specification by construction.
    linkage : str
        Text stored in the ``linkage`` column.
    """
    from ipsrep.inputs.contract import load_trial
    from ipsrep.inputs.datafiles import file_sha256
    from ipsrep.paths import RECONSTRUCTED_CSV

    source = RECONSTRUCTED_CSV if data is None else data
    ranking = rank_specs(load_trial(source) if trial is None else trial, **kwargs)
    ranking["data_sha256"] = file_sha256(source)
    ranking["linkage"] = linkage
    ranking.round(6).to_csv(path, index=False)
    return ranking


def read_ranking(path: str | Path = RANKING_CSV) -> pd.DataFrame:
    """The stored ranking written by :func:`write_ranking`."""
    return read_stored(path, "ipsrep.analyses.mixed_ranking.write_ranking")


def read_stored(path: str | Path, writer: str) -> pd.DataFrame:
    """A stored aggregate table, or a clear error naming the function that writes it."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: not written yet; run {writer}() first")
    return pd.read_csv(path)


def ranking_display(ranking: pd.DataFrame, rows: int = 12) -> pd.DataFrame:
    """The first `rows` specifications of :func:`rank_specs` for reading: the rank, the
    specification in words (one cell), the three distances to the printed Table 4 (root
    mean square, in printed standard errors) to three decimals, the coefficients within
    one printed SE ("33 of 35") and the interaction signs that agree."""
    top = ranking.head(rows)
    spec = (top["time"] + " time, " + top["group"] + " group, baseline as " + top["baseline"] + ", random "
            + top["random"] + ", " + top["interaction"].str.replace("_", " ") + " interaction")
    return pd.DataFrame(
        {
            "Rank": top["rank"].astype(int).to_numpy(),
            "Specification": spec.to_numpy(),
            "Distance, all (RMS)": top["rms_distance"].map("{:.3f}".format).to_numpy(),
            "Distance, estimates": top["rms_estimate_distance"].map("{:.3f}".format).to_numpy(),
            "Distance, SEs": top["rms_se_distance"].map("{:.3f}".format).to_numpy(),
            "Within one SE": [
                f"{int(a)} of {int(b)}" for a, b in zip(top["n_within_1se"], top["n_coefficients"], strict=True)
            ],
            "Interaction signs agreeing": top["interaction_signs"].astype(int).to_numpy(),
        }
    )


def ranking_markdown(ranking: pd.DataFrame, *, data_sha256: str | None = None, recomputed: bool = False) -> str:
    """What the ranking of :func:`rank_specs` says, as Markdown for notebook 03.

    Parameters
    ----------
    ranking : DataFrame
        Output of :func:`rank_specs` or :func:`read_ranking`.
    data_sha256 : str, optional
        SHA-256 of the data in use; a stored ranking computed on another file gets a
        warning.
    recomputed : bool
        True when the ranking was computed in this run on the data in use.

    Returns
    -------
    str
        The closest candidate, the adopted specification's rank, the best distances with
        baseline as a covariate and as an outcome visit, and (for a stored ranking) the
        linkage of the data it was computed on.
    """
    best = ranking.iloc[0]
    hit = ranking.loc[ranking["label"] == ADOPTED.label, "rank"]
    adopted = f"ranked **{int(hit.iloc[0])}** of {len(ranking)}" if len(hit) else "not among the candidates ranked"
    stale = (not recomputed and data_sha256 is not None and "data_sha256" in ranking
             and ranking["data_sha256"].iloc[0] != data_sha256)
    parts = []
    if stale:
        parts.append("**Note: the stored ranking was computed on another version of the data; rerun "
                     "`ipsrep.synthetic.calibration.write_ranking_before_search()` or set `rerank = True`.**")
    if not recomputed and "linkage" in ranking:
        parts.append(f"Computed on the reconstruction with its {ranking['linkage'].iloc[0]}: the search then "
                     "tuned the committed file to the adopted specification, which would favour it by construction.")
    closest = Spec(**{f: best[f] for f in ("time", "group", "baseline", "random", "interaction")})
    parts.append(f"Closest candidate: **{closest.words}** (distance {best['rms_distance']:.3f}). "
                 f"The adopted specification ({ADOPTED.words}) is {adopted}.")
    by_baseline = ranking.groupby("baseline")["rms_distance"].min()
    if {"covariate", "outcome"} <= set(by_baseline.index):
        parts.append(f"The best candidate with baseline as a covariate reaches {by_baseline['covariate']:.3f}, "
                     f"against {by_baseline['outcome']:.3f} with baseline as an outcome visit.")
    parts.append("Below, the best distance reached by each combination of time and group coding:")
    return " ".join(parts)

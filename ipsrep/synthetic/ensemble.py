"""An ensemble of reconstructions: which results the printed numbers decide, which the
reconstruction was built to match, and which the draw.

The report's participant-level results come from one synthetic reconstruction
(:func:`ipsrep.synthetic.reconstruct.reconstruct_trial` with its committed seed). Every
constraint the paper prints holds in it, but everything the paper does not print (who
answered which visit, which scores belong to the same person, how hours spread among
the employed) is one random draw among many that satisfy the same constraints. An
*ensemble member* is another such draw: the reconstruction rebuilt from another seed and
analysed by the same library functions the notebooks call (not by executing notebooks).

Two ensembles are made, differing only in how each member links visits to participants
(:data:`LINKAGES`):

- ``searched`` (:func:`member_results`): as the committed reconstruction, the linkage is
  searched until Table 4 refits close to the printed table
  (:func:`ipsrep.synthetic.linkage.link_visits`); a member whose refit misses a target
  of that search is a miss (:class:`ReconstructionMissed`), like one whose marginal
  samples miss a printed comparison;
- ``unsearched`` (:func:`unsearched_member_results`): the same marginal samples, linked
  by rank on a latent score whose correlation across visits is drawn per member and
  measure from :data:`UNSEARCHED_R_RANGE` (:func:`drawn_within_person_r`); nothing aims at
  Table 4, so its spread is what the printed summaries alone leave open.

Every key of a member has a *kind* (:func:`key_kind`, :data:`KINDS`): ``printed`` (the
printed summaries determine it: counts, means, SDs and the tests computed from them;
:func:`check_printed` verifies that every member prints them alike), ``targeted`` (a
search or redraw of the reconstruction aims at it: Table 4 in the searched ensemble,
the side of .05 of every Levene test) or ``free`` (neither). Robustness is a question
about ``free`` keys only (:func:`summarise`, :func:`answer_robustness`); a ``targeted``
key is the same in every member by construction, which is no finding.

A member is a pure function of its seed. The Dask runner that computes many of them and
writes ``data/ensemble/`` and ``data/ensemble_unsearched/`` is
:mod:`ipsrep.synthetic.ensemble_run`; this module also reads what it wrote
(:func:`read_ensemble`).

The reading of ledger rows by kind is ours: the paper does not discuss which of its
results a reconstruction could pin down.
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

from ipsrep import paths

ENSEMBLE_DIR = paths.DATA_DIR / "ensemble"
"""Where the committed searched ensemble lives (``results.csv``, ``keys.csv``,
``metadata.json``, ``timings.csv``)."""
UNSEARCHED_DIR = paths.DATA_DIR / "ensemble_unsearched"
"""Where the committed unsearched ensemble lives (the same four files)."""
RESULTS_NAME = "results.csv"
KEYS_NAME = "keys.csv"
METADATA_NAME = "metadata.json"
TIMINGS_NAME = "timings.csv"

LINKAGES = ("searched", "unsearched")
"""How a member links visits to participants: searched towards the printed Table 4 (as
the committed reconstruction) or by rank on a drawn within-person correlation only."""

UNSEARCHED_R_RANGE = (0.3, 0.9)
"""Range of the within-person correlation across visits drawn (uniformly, per member and
measure) for the unsearched ensemble.

The paper prints no within-person correlation. Short-interval test-retest reliabilities
of the trial's instruments, as the pain literature reports them, lie mostly between 0.7
and 0.9 (for the ODI, the studies reviewed by Fairbank and Pynsent 2000 report
coefficients from 0.83 to 0.99 over intervals of hours to days); a correlation between
visits six or twelve months apart, over which chronic pain, disability and distress
change, cannot exceed the instrument's reliability over days and is usually well below
it. Hence 0.9 as the upper end and 0.3 (scores that still rank people alike to a
modest degree after a year) as the lower end. The correlations calibrated on the printed
Table 4 SEs for the committed reconstruction (``data/reconstructed/within_person_r.csv``)
lie inside the range (``tests/test_ensemble.py``)."""

RESULT_COLUMNS = ["member", "seed", "key", "value"]
"""Columns of ``results.csv``: one row per member and key."""
KEY_COLUMNS = ["key", "quantity", "published", "decimals", "relation", "status", "kind", "fixed_by", "p_value"]
"""Columns of ``keys.csv``: what each key is, its kind (:data:`KINDS`) and what fixes it."""

KINDS = {
    "printed": "the printed summaries determine it: the same in every member by construction of the marginal samples",
    "targeted": "a search or redraw of the reconstruction aims at it: held in every member by construction, "
                "not a finding",
    "free": "neither: what the printed summaries leave open, decided by the draw",
}
"""What fixes an ensemble key, by kind (:func:`key_kind`)."""

PRINTED_FAMILIES = ("t1", "t2", "t3", "flow", "rq2")
"""Ledger families whose values are per-group, per-visit counts, means, SDs or tests computed
from them (Table 1, Table 2, Table 3, the flow, hours and the 20-hour comparison)."""

FREE_HOURS_KEYS = ("rq2.hours.mannwhitney_prob", "rq2.hours.mannwhitney_p", "rq2.hours.permutation_p",
                   "rq2.hours.bootstrap_lo", "rq2.hours.bootstrap_hi")
"""Hours results that depend on how the hours spread among those who worked, which the
printed mean, SD and maximum do not fix and nothing in the reconstruction aims at."""

TABLE4_SEARCH = ("the Table 4 linkage search aims at it: estimate within {est:g} printed SE of its target "
                 "({inc:g} SE for the self-contradicting row), SE within {se:.0%} of the printed SE, "
                 "|z| at least {margin:g} on the printed side of 1.96")
LEVENE_REDRAW = ("the marginal samples are redrawn until Levene's test agrees at .05 with the t-test variant "
                 "the paper printed: its side of .05 is fixed, its value is not")
FIXED_STATUSES = ("approximate", "source_inconsistent")
"""Ledger statuses an analysis assigns by key, not by comparing the member's value."""

class _NotebookDefaults(TypedDict):
    alpha: float
    levene_alpha: float
    n_resamples: int
    resample_seed: int


NOTEBOOK_DEFAULTS: _NotebookDefaults = {"alpha": 0.05, "levene_alpha": 0.05, "n_resamples": 10_000,
                                         "resample_seed": 12345}
"""The notebooks' default parameters, with which every member is analysed (00-03)."""

VALUE_FORMAT = ".12g"
"""Digits kept per value in the result files: enough for every printed number, and few
enough that the last bits of a floating-point sum (which may differ with the number of
BLAS threads) do not change the file."""


class ReconstructionMissed(ValueError):
    """The reconstruction from a seed does not reproduce every printed comparison."""


# --------------------------------------------------------------------------------------
# One member
# --------------------------------------------------------------------------------------
def member_ledger(trial: pd.DataFrame, *, alpha: float = 0.05, levene_alpha: float = 0.05,
                  n_resamples: int = 10_000, resample_seed: int = 12345) -> pd.DataFrame:
    """Every ledger row the notebooks compute from participant data, plus our spread keys.

    Parameters
    ----------
    trial : DataFrame
        Participant table in the data contract (a reconstruction, or any trial file).
    alpha, levene_alpha, n_resamples, resample_seed :
        The notebooks' parameters of the same names (their defaults by default;
        ``resample_seed`` is notebook 02's ``seed``).

    Returns
    -------
    DataFrame
        Ledger columns (:data:`ipsrep.methods.comparison.LEDGER_COLUMNS`), compared with
        the printed numbers. Rows, in report order: Table 1 and the flow (notebook 00),
        Table 2 (01), hours and >= 20 h (02), Table 3 and Table 4 (03), then our own keys
        with no printed counterpart that the notebooks show but do not put in the ledger:
        Levene's p and Holm's adjusted p per Table 3 row, and the Mann-Whitney,
        permutation and bootstrap results for hours.

    Notes
    -----
    Rows computed from printed numbers alone (historical controls, sample size, job
    types, the audit) do not depend on the participant table and are left out; so are
    the pilot and qualitative pages, which use other data. The audit's power rows use
    the data only through Table 2's counts, which the ``t2.*`` rows cover.
    """
    from ipsrep.analyses import baseline, employment, flow, health, mixed, productivity
    from ipsrep.methods.comparison import compare

    level = 1 - alpha
    t1 = baseline.table1(trial, levene_alpha=levene_alpha, binary_test="paper", t_test="paper")
    status, notes = baseline.ledger_annotations()
    table2 = employment.employment_table(trial, level=level)
    hours = productivity.hours_summary(trial)
    hours_t = productivity.hours_ttest(trial, levene_alpha=levene_alpha, level=level)
    twenty = productivity.worked_20h_table(trial, level=level)
    table3 = health.table3(trial, alpha=alpha, levene_alpha=levene_alpha)
    table4 = mixed.table4(trial, mixed.ADOPTED)
    sens = productivity.hours_sensitivity(trial, level=level, n_resamples=n_resamples, seed=resample_seed)

    own, quantities = {}, {}
    for _, r in table3.iterrows():
        stem = f"t3.{r['measure']}.{r['visit']}"
        own[f"{stem}.levene_p"] = r["levene_p"]
        quantities[f"{stem}.levene_p"] = f"Levene's test p (mean-centred), {r['measure']} at {r['visit']}"
        own[f"{stem}.p_holm"] = r["p_holm"]
        quantities[f"{stem}.p_holm"] = f"Holm-adjusted p over the 18 Table 3 rows, {r['measure']} at {r['visit']}"
    rows = sens.set_index("analysis")
    for key, analysis, column, text in [
        ("rq2.hours.mannwhitney_prob", "Mann-Whitney U", "estimate",
         "hours: P(an IPS participant worked more than a TAU one)"),
        ("rq2.hours.mannwhitney_p", "Mann-Whitney U", "p", "hours: Mann-Whitney U p"),
        ("rq2.hours.permutation_p", "Permutation test", "p", "hours: permutation test p of the mean difference"),
        ("rq2.hours.bootstrap_lo", "Bootstrap (BCa)", "ci_low",
         "hours: BCa bootstrap interval of the mean difference, lower"),
        ("rq2.hours.bootstrap_hi", "Bootstrap (BCa)", "ci_high",
         "hours: BCa bootstrap interval of the mean difference, upper"),
    ]:
        own[key] = rows.at[analysis, column]
        quantities[key] = text
    frames = [
        compare(baseline.printed_table1_values(t1, trial), bundled=True, status=status, notes=notes),
        compare(flow.flow_ledger_values(trial), bundled=True),
        employment.table2_ledger(table2, bundled=True, binary_test="pearson"),
        productivity.hours_ledger(hours, hours_t, bundled=True, test="rule"),
        productivity.twenty_hours_ledger(twenty, bundled=True),
        health.table3_ledger(table3, bundled=True, test="rule"),
        mixed.table4_ledger(table4, bundled=True, spec=mixed.ADOPTED, within_person_r="data as loaded"),
        compare(own, bundled=True, quantities=quantities),
    ]
    return pd.concat(frames, ignore_index=True).drop_duplicates("key").reset_index(drop=True)


def _check_marginals(seed: int) -> None:
    """Raise :class:`ReconstructionMissed` when the marginal samples from `seed` miss a
    printed comparison (:func:`ipsrep.synthetic.reconstruct.reconstruction_fits`)."""
    from ipsrep.synthetic.reconstruct import reconstruction_fits

    fits = reconstruction_fits(int(seed))  # the marginal samples, before any linkage of visits
    missed = fits[~fits["hit"].astype(bool)]
    if len(missed):
        raise ReconstructionMissed(
            f"seed {seed}: printed comparison missed: the marginal samples do not reproduce the printed "
            + ", ".join(f"{r['measure']} at {r['visit']}" for _, r in missed.iterrows())
            + " (mean, SD and p with the test Levene's rule picks); the member is left out")


ENFORCED_TERMS = ("group", "time", "interaction")
"""Table 4 terms whose targets a searched member must meet. The intercepts are aimed at by
the search too, but not enforced: with one response status per participant and visit
for every health measure, the search rarely brings the least-pain and EQ-VAS intercept
SEs within 10% of the printed ones (the committed reconstruction misses the EQ-VAS one,
``data/reconstructed/README.md``), and the intercepts carry none of the paper's
findings. A member missing an intercept target is kept; its intercept values vary."""


def table4_misses(trial: pd.DataFrame, table4: pd.DataFrame | None = None, *,
                  terms: tuple[str, ...] = ENFORCED_TERMS) -> list[str]:
    """The Table 4 targets of the linkage search that a reconstruction misses, one clause each
    (for the terms in `terms`; default :data:`ENFORCED_TERMS`).

    Parameters
    ----------
    trial : DataFrame
        A searched reconstruction (data contract).
    table4 : DataFrame, optional
        Its :func:`ipsrep.analyses.mixed.table4` under the adopted specification (fitted
        here when not given).

    Returns
    -------
    list of str
        One clause per coefficient outside a target of
        :func:`ipsrep.synthetic.linkage.linkage_report` (estimate within the tolerance,
        SE within 10%, p on the printed side of .05), naming the measure, term and
        values; empty when every target is met.
    """
    from ipsrep.synthetic.linkage_outcome import linkage_report

    report = linkage_report(trial, table4)
    clauses = []
    for _, r in report[~report["all_ok"] & report["term"].isin(terms)].iterrows():
        why = [text for text, ok in (
            (f"estimate {r['estimate']:.3f} against {r['target_estimate']:.3f}, {r['distance']:+.2f} printed SE",
             r["estimate_ok"]),
            (f"SE {r['se']:.3f} against printed {r['printed_se']:.2f}", r["se_ok"]),
            (f"p = {r['p']:.3f} against printed {r['printed_p']:.3f}", r["p_ok"])) if not ok]
        clauses.append(f"{r['measure']} {r['term']} ({'; '.join(why)})")
    return clauses


def member_results(seed: int) -> pd.DataFrame:
    """One member of the searched ensemble: the reconstruction from `seed`, analysed as the notebooks do.

    A pure function of `seed`: :func:`ipsrep.synthetic.reconstruct.reconstruct_trial`
    (``seed=seed``, the Table 4 linkage search included) then :func:`member_ledger` with
    the notebooks' defaults (:data:`NOTEBOOK_DEFAULTS`).

    Raises :class:`ReconstructionMissed` when the reconstruction from `seed` misses a
    printed comparison (:func:`ipsrep.synthetic.reconstruct.reconstruction_fits`) or a
    target of the Table 4 search (:func:`table4_misses`): a member must satisfy every
    constraint the committed reconstruction satisfies, or the ensemble would count the
    search's failures as variation.

    Returns
    -------
    DataFrame
        ``key, value, quantity, published, status`` in :func:`member_ledger`'s order.
    """
    from ipsrep.analyses import mixed
    from ipsrep.synthetic.reconstruct import reconstruct_trial

    _check_marginals(seed)
    trial = reconstruct_trial(seed=int(seed))
    missed = table4_misses(trial, mixed.table4(trial, mixed.ADOPTED))
    if missed:
        raise ReconstructionMissed(f"seed {seed}: Table 4 target missed: " + "; ".join(missed)
                                   + "; the member is left out")
    return _member_frame(trial)


def drawn_within_person_r(seed: int) -> dict[str, float]:
    """The within-person correlation per measure of an unsearched member: uniform on
    :data:`UNSEARCHED_R_RANGE`, drawn independently per measure from `seed` alone
    (generator ``[seed, 4]``, a stream the reconstruction itself does not use), rounded
    to 3 decimals so that the value is written as it is used.

    >>> r = drawn_within_person_r(20220211)
    >>> len(r), all(UNSEARCHED_R_RANGE[0] <= v <= UNSEARCHED_R_RANGE[1] for v in r.values())
    (9, True)
    """
    from ipsrep.inputs.measures import MEASURES

    low, high = UNSEARCHED_R_RANGE
    draws = np.random.default_rng([int(seed), 4]).uniform(low, high, len(MEASURES))
    return {m.name: round(float(v), 3) for m, v in zip(MEASURES, draws, strict=True)}


def within_person_r_table(seeds) -> pd.DataFrame:
    """:func:`drawn_within_person_r` for each seed, tidy: ``seed, measure, r``."""
    return pd.DataFrame([{"seed": int(s), "measure": m, "r": r} for s in seeds
                         for m, r in drawn_within_person_r(int(s)).items()])


def unsearched_member_results(seed: int) -> pd.DataFrame:
    """One member of the unsearched ensemble: linkage drawn under Tables 1-3 only.

    The same marginal samples as :func:`member_results` (the same seed gives the same
    Tables 1-3 samples, and a seed that misses a printed comparison is a miss here too),
    linked by rank on a latent score with the within-person correlation
    :func:`drawn_within_person_r` (``reconstruct_trial(seed=seed, within_person_r=...,
    link=False)``); nothing aims at Table 4. Analysed by :func:`member_ledger` as the
    searched members are.

    Returns
    -------
    DataFrame
        ``key, value, quantity, published, status`` in :func:`member_ledger`'s order.
    """
    from ipsrep.synthetic.reconstruct import reconstruct_trial

    _check_marginals(seed)
    trial = reconstruct_trial(seed=int(seed), within_person_r=drawn_within_person_r(int(seed)), link=False)
    return _member_frame(trial)


MEMBER_FUNCTIONS = {"searched": member_results, "unsearched": unsearched_member_results}
"""The member function of each linkage (:data:`LINKAGES`)."""


def _member_frame(trial: pd.DataFrame) -> pd.DataFrame:
    ledger = member_ledger(trial, **NOTEBOOK_DEFAULTS)
    return pd.DataFrame({"key": ledger["key"], "value": ledger["reproduced"].astype(float),
                         "quantity": ledger["quantity"], "published": ledger["published"].fillna(""),
                         "status": ledger["status"].fillna("")})


def format_value(value: float) -> str:
    """A value as the result files hold it (:data:`VALUE_FORMAT`; empty for NaN).

    >>> format_value(0.1 + 0.2), format_value(float("nan")), format_value(38.0)
    ('0.3', '', '38')
    """
    value = float(value)
    return "" if math.isnan(value) else format(value, VALUE_FORMAT)


def is_p_value(key: str) -> bool:
    """Whether a ledger key holds a p-value (last part ``p``, ``p_*`` or ``*_p``).

    >>> [is_p_value(k) for k in ("t4.odi.group.p", "rq2.hours.p_welch", "t3.odi.6m.levene_p", "t2.12m.or")]
    [True, True, True, False]
    """
    last = key.rsplit(".", 1)[-1]
    return last == "p" or last.startswith("p_") or last.endswith("_p")


def key_kind(key: str, *, published: str = "", linkage: str = "searched") -> tuple[str, str]:
    """What fixes an ensemble key: its kind (:data:`KINDS`) and the reason, in words.

    Parameters
    ----------
    key : str
        A ledger key of :func:`member_ledger`.
    published : str
        The printed value ("" when the paper prints none).
    linkage : str
        The ensemble's linkage (:data:`LINKAGES`): Table 4 is ``targeted`` in the
        searched ensemble and ``free`` in the unsearched one.

    Rules, in order: Table 4 (``t4.*``: estimate, SE, z and p of every term, the
    intercept included, are what the linkage search aims at); Levene's p (``*levene_p``:
    the marginal samples are redrawn until its side of .05 agrees with the printed test
    variant); the hours sensitivity analyses (:data:`FREE_HOURS_KEYS`: free); then every
    other key of :data:`PRINTED_FAMILIES` is ``printed``, and anything else ``free``.

    >>> key_kind("t4.odi.interaction.estimate")[0], key_kind("t4.odi.interaction.p", linkage="unsearched")[0]
    ('targeted', 'free')
    >>> key_kind("t1.age.ips_mean", published="42.63")[0], key_kind("t3.odi.6m.levene_p")[0]
    ('printed', 'targeted')
    """
    from ipsrep.synthetic.linkage import ESTIMATE_TOLERANCE, INCONSISTENT_TOLERANCE, P_MARGIN, SE_TOLERANCE

    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {', '.join(LINKAGES)}, got {linkage!r}")
    family, last = key.split(".", 1)[0], key.rsplit(".", 1)[-1]
    if family == "t4":
        if linkage == "searched" and key.split(".")[2] == "intercept":
            return "free", ("aimed at by the Table 4 linkage search but not enforced: members that miss an "
                            "intercept target are kept (see ENFORCED_TERMS)")
        if linkage == "searched":
            return "targeted", TABLE4_SEARCH.format(est=ESTIMATE_TOLERANCE, inc=INCONSISTENT_TOLERANCE,
                                                    se=SE_TOLERANCE, margin=P_MARGIN)
        return "free", ("visits linked by rank on a latent score with a drawn within-person correlation; "
                        "nothing aims at Table 4")
    if last == "levene_p":
        return "targeted", LEVENE_REDRAW
    if key in FREE_HOURS_KEYS:
        return "free", "how the hours spread among those who worked, beyond the printed mean, SD and maximum"
    if family in PRINTED_FAMILIES:
        if published:
            return "printed", "a printed number: every marginal sample reproduces it"
        return "printed", "computed from printed counts, means, SDs or p-values only"
    return "free", "not among the families the printed summaries fix"


def key_catalogue(member: pd.DataFrame, linkage: str = "searched") -> pd.DataFrame:
    """What each key of a member is, and what fixes it.

    Parameters
    ----------
    member : DataFrame
        Output of :func:`member_results` or :func:`unsearched_member_results` (any
        member: the keys and their printed counterparts are the same in all).
    linkage : str
        The ensemble's linkage (:data:`LINKAGES`).

    Returns
    -------
    DataFrame
        Columns :data:`KEY_COLUMNS`. ``kind`` and ``fixed_by`` are :func:`key_kind`'s;
        ``decimals`` and ``relation`` are the printed value's (from ``data/published/``,
        -1 and "" without one); ``status`` is kept only where the analysis sets it
        whatever the data (:data:`FIXED_STATUSES`), so that the catalogue is the same for
        every member; ``p_value`` marks p-values (:func:`is_p_value`).
    """
    from ipsrep.inputs.published import load_published

    pub = load_published()
    keys = member["key"].tolist()
    published = [str(pub.at[k, "printed"]) if k in pub.index else "" for k in keys]
    decimals = [int(pub.at[k, "decimals"]) if k in pub.index else -1 for k in keys]
    relation = [str(pub.at[k, "relation"]) if k in pub.index else "" for k in keys]
    status = [s if s in FIXED_STATUSES else "" for s in member["status"].fillna("").astype(str)]
    kinds = [key_kind(k, published=p, linkage=linkage) for k, p in zip(keys, published, strict=True)]
    return pd.DataFrame({"key": keys, "quantity": member["quantity"].fillna("").astype(str).tolist(),
                         "published": published, "decimals": decimals, "relation": relation,
                         "status": status, "kind": [k for k, _ in kinds], "fixed_by": [r for _, r in kinds],
                         "p_value": [is_p_value(k) for k in keys]})[KEY_COLUMNS]


# --------------------------------------------------------------------------------------
# Reading the ensemble
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ensemble:
    """A computed ensemble: results, key catalogue, metadata and timings (may be empty)."""

    results: pd.DataFrame
    keys: pd.DataFrame
    metadata: dict
    timings: pd.DataFrame

    @property
    def members(self) -> int:
        return int(self.results["member"].nunique()) if len(self.results) else 0

    @property
    def linkage(self) -> str:
        """``searched`` or ``unsearched`` (:data:`LINKAGES`; an ensemble written before the
        metadata said so was searched)."""
        return str(self.metadata.get("linkage", "searched"))


def read_ensemble(directory: str | Path = ENSEMBLE_DIR) -> Ensemble:
    """Read an ensemble written by ``ipsrep ensemble`` (default ``data/ensemble/``).

    A ``keys.csv`` written before keys had a kind gets it from :func:`key_kind`.
    Raises ``FileNotFoundError`` naming the missing file and the command that writes it.
    """
    from ipsrep.inputs.datafiles import read_local_csv, read_local_json

    directory = paths.resolve(directory)
    files = {name: directory / name for name in (RESULTS_NAME, KEYS_NAME, METADATA_NAME)}
    for path in files.values():
        if not os.path.lexists(path):
            raise FileNotFoundError(f"{path}: no ensemble there; run `ipsrep ensemble --out {directory}`")
    results = read_local_csv(files[RESULTS_NAME], dtype={"member": int, "seed": int, "key": str, "value": float})
    keys = read_local_csv(files[KEYS_NAME], dtype={"key": str, "quantity": str, "published": str, "relation": str,
                                                   "status": str, "kind": str, "fixed_by": str}, keep_default_na=False)
    keys["p_value"] = keys["p_value"].astype(str).eq("True")
    keys["decimals"] = keys["decimals"].astype(int)
    metadata = read_local_json(files[METADATA_NAME])
    if not isinstance(metadata, dict):
        raise ValueError(f"{files[METADATA_NAME]}: top level: is not an object")
    if "kind" not in keys:
        kinds = [key_kind(k, published=p, linkage=metadata.get("linkage", "searched"))
                 for k, p in zip(keys["key"], keys["published"], strict=True)]
        keys["kind"], keys["fixed_by"] = [k for k, _ in kinds], [r for _, r in kinds]
        keys = keys[KEY_COLUMNS]
    timing_path = directory / TIMINGS_NAME
    timings = read_local_csv(timing_path) if os.path.lexists(timing_path) else pd.DataFrame()
    check_ensemble_text(files, results, keys, metadata)
    return Ensemble(results=results, keys=keys, metadata=metadata, timings=timings)


_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_VERSION = re.compile(r"[0-9A-Za-z.+_-]{1,64}")
_MARKUP = re.compile(r"[`$\\{}\x00-\x1f\x7f]|<[A-Za-z/!?]")
"""Characters no ensemble text needs and pages would read as markup: a backtick, ``$``,
a backslash, braces (MyST roles, TeX), control characters (a newline starts a
directive) and the start of an HTML tag (``<`` before a letter, ``/``, ``!``, ``?``;
``>=`` and ``< 5`` stay allowed)."""


def check_ensemble_text(files: dict, results: pd.DataFrame, keys: pd.DataFrame, metadata) -> None:
    """Refuse an ensemble folder whose text could act in a page (page 09 and the front page
    put its keys, quantities and version into Markdown): keys of letters, digits and
    ``_ . : -``; no markup characters (:data:`_MARKUP`) in the text of ``keys.csv``; a
    ``metadata.json`` with the shape ``ipsrep ensemble`` writes. One line naming the file,
    the column or field, and the row.

    Raises
    ------
    ValueError
    """
    from ipsrep.inputs.contract import terminal_safe

    def refuse(path, where: str, value, why: str):
        raise ValueError(terminal_safe(f"{path}: {where}: {str(value)[:80]!r} {why}"))

    for path, table in ((files[RESULTS_NAME], results), (files[KEYS_NAME], keys)):
        bad = ~table["key"].astype(str).map(lambda k: bool(_KEY.fullmatch(k)))
        if bad.any():
            i = int(bad.to_numpy().argmax())
            refuse(path, f"column 'key', line {i + 2}", table["key"].iloc[i],
                   "is not a ledger key (letters, digits, _ . : - only)")
    for column in ("quantity", "published", "relation", "status", "kind", "fixed_by"):
        if column in keys.columns:
            for i, text in enumerate(keys[column].astype(str)):
                if _MARKUP.search(text):
                    refuse(files[KEYS_NAME], f"column {column!r}, line {i + 2}", text,
                           "holds markup (a backtick, $, backslash, brace, control character or HTML tag)")
    path = files[METADATA_NAME]
    if not isinstance(metadata, dict):
        refuse(path, "top level", type(metadata).__name__, "is not an object")
    version = metadata.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        refuse(path, "field 'version'", version, "is not a version (letters, digits, . + _ - only)")
    seeds = metadata.get("seeds")
    if not isinstance(seeds, list) or not seeds or not all(type(x) is int for x in seeds):
        refuse(path, "field 'seeds'", seeds, "is not a non-empty list of whole numbers")
    failed = metadata.get("failed", {})
    if not isinstance(failed, dict):
        refuse(path, "field 'failed'", failed, "is not an object of seed: reason")


def kind_counts(keys: pd.DataFrame) -> pd.DataFrame:
    """How many keys of each kind, in :data:`KINDS` order: ``kind, keys, meaning``."""
    counts = keys["kind"].value_counts()
    return pd.DataFrame({"kind": list(KINDS), "keys": [int(counts.get(k, 0)) for k in KINDS],
                         "meaning": list(KINDS.values())})


MISS_REASONS = {"printed comparison missed": "printed comparison", "Table 4 target missed": "Table 4 target",
                "the reconstruction does not reproduce the printed": "printed comparison"}
"""Phrases of a :class:`ReconstructionMissed` message -> the kind of miss (the last, as
ensembles written before Table 4 misses were counted put it)."""


def misses(metadata: Mapping) -> pd.DataFrame:
    """The seeds an ensemble left out, and why: ``seed, miss, reason``.

    ``miss`` is ``printed comparison`` (the marginal samples miss a printed comparison),
    ``Table 4 target`` (the linkage search misses a target) or ``other`` (any other
    error); ``reason`` is the message the run recorded (``metadata.json``'s ``failed``).
    """
    rows = []
    for seed, text in metadata.get("failed", {}).items():
        kind = next((v for k, v in MISS_REASONS.items() if k in text), "other")
        reason = text.split(": ", 2)[-1] if text.startswith("ReconstructionMissed") else text
        rows.append({"seed": int(seed), "miss": kind, "reason": reason})
    return pd.DataFrame(rows, columns=["seed", "miss", "reason"])


def count_text(k: int, n: int) -> str:
    """A count of members as a count, never a rounded percentage.

    >>> count_text(1, 200), count_text(0, 100)
    ('1 of 200', '0 of 100')
    """
    return f"{int(k)} of {int(n)}"


def wide_values(results: pd.DataFrame) -> pd.DataFrame:
    """Results as one row per key and one column per member (keys in first-seen order)."""
    wide = results.pivot(index="key", columns="member", values="value")
    return wide.reindex(pd.unique(results["key"]))


# --------------------------------------------------------------------------------------
# The check and the summary
# --------------------------------------------------------------------------------------
def _printed_form(values: np.ndarray, decimals: int, relation: str, printed: str) -> list[str]:
    """Each value as the paper would print it: with its decimals, or for a printed bound
    such as "< 0.001" whether the value is below the bound."""
    if relation == "<":
        return ["nan" if math.isnan(v) else str(bool(v < float(printed))) for v in values]
    return ["nan" if math.isnan(v) else f"{v:.{max(decimals, 0)}f}" for v in values]


def check_printed(results: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Keys the printed numbers determine (kind ``printed``): are they the same in every member?

    A printed key with a printed value passes when its value, written with the printed
    number's decimals, is the same in every member, and each member's value rounds to
    the printed number (:func:`ipsrep.methods.rounding.rounds_to`) unless the paper's own
    numbers rule that out (status ``source_inconsistent``). One without a printed value
    (a Fisher or Yates p from printed counts, Holm's p from printed p-values) passes when
    it is the same in every member to 3 decimals.

    Returns
    -------
    DataFrame
        One row per printed key: ``key, published, members, distinct`` (different
        printed forms over the members), ``reproduces`` (members rounding to the
        printed number; all members for a key without one), ``passes``.
        ``check_printed(...)["passes"].all()`` is the check.
    """
    from ipsrep.methods.rounding import rounds_to

    wide = wide_values(results)
    rows = []
    for _, k in keys[keys["kind"] == "printed"].iterrows():
        if k["key"] not in wide.index:
            rows.append({"key": k["key"], "published": k["published"], "members": 0, "distinct": 0,
                         "reproduces": 0, "passes": False})
            continue
        v = wide.loc[k["key"]].to_numpy(dtype=float)
        if k["published"]:
            forms = _printed_form(v, int(k["decimals"]), k["relation"], k["published"])
            reproduces = sum(bool(rounds_to(x, k["published"], k["relation"] or "=")) for x in v)
        else:
            forms = _printed_form(v, 3, "=", "")
            reproduces = len(v)
        same = len(set(forms)) == 1
        ok = same and (reproduces == len(v) or k["status"] == "source_inconsistent")
        rows.append({"key": k["key"], "published": k["published"], "members": len(v), "distinct": len(set(forms)),
                     "reproduces": reproduces, "passes": bool(ok)})
    return pd.DataFrame(rows, columns=["key", "published", "members", "distinct", "reproduces", "passes"])


def summarise(results: pd.DataFrame, keys: pd.DataFrame, *, alpha: float = 0.05,
              reference_seed: int | None = None) -> pd.DataFrame:
    """Spread over the ensemble of every key the printed numbers do not determine.

    Parameters
    ----------
    results, keys : DataFrame
        ``results.csv`` and ``keys.csv`` of an ensemble (:func:`read_ensemble`).
    alpha : float, default 0.05
        Level for ``below_alpha`` (p-values only).
    reference_seed : int, optional
        Seed whose value is given as ``reference`` (default: the committed
        reconstruction's, :data:`ipsrep.synthetic.reconstruct.DEFAULT_SEED`; NaN when it is
        not a member).

    Returns
    -------
    DataFrame
        One row per ``targeted`` or ``free`` key in ledger order: ``key, quantity,
        published, kind, p_value, members, median, p2_5, p97_5`` (2.5 and 97.5
        percentiles, linear interpolation), ``min, max, below_alpha`` (members with p
        below `alpha`; -1 for a key that is no p-value), ``share_below_alpha`` (the same
        as a fraction; NaN otherwise), ``reference`` and ``holds``: for a p-value, on
        the same side of `alpha` in every member; for another key, the same sign in
        every member (zero counts as its own sign). ``holds`` is a robustness finding
        only for ``free`` keys: a ``targeted`` one holds by construction.
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    reference_seed = DEFAULT_SEED if reference_seed is None else int(reference_seed)
    wide = wide_values(results)
    seed_of = results.drop_duplicates("member").set_index("member")["seed"]
    ref_member = seed_of.index[seed_of == reference_seed]
    rows = []
    for _, k in keys[keys["kind"] != "printed"].iterrows():
        if k["key"] not in wide.index:
            continue
        v = wide.loc[k["key"]].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        if not len(v):
            continue
        p = bool(k["p_value"])
        below = int((v < alpha).sum()) if p else -1
        holds = below in (0, len(v)) if p else len(set(np.sign(v))) == 1
        ref = float(wide.at[k["key"], ref_member[0]]) if len(ref_member) else math.nan
        rows.append({"key": k["key"], "quantity": k["quantity"], "published": k["published"], "kind": k["kind"],
                     "p_value": p, "members": len(v), "median": float(np.median(v)),
                     "p2_5": float(np.percentile(v, 2.5)), "p97_5": float(np.percentile(v, 97.5)),
                     "min": float(v.min()), "max": float(v.max()), "below_alpha": below,
                     "share_below_alpha": below / len(v) if p else math.nan,
                     "reference": ref, "holds": bool(holds)})
    return pd.DataFrame(rows, columns=["key", "quantity", "published", "kind", "p_value", "members", "median", "p2_5",
                                       "p97_5", "min", "max", "below_alpha", "share_below_alpha", "reference",
                                       "holds"])


def table4_spread(results: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Table 4 estimates per member beside the printed estimate and SE (for the figure).

    Returns
    -------
    DataFrame
        ``member, seed, measure, term, estimate, se, p, printed_estimate, printed_se,
        distance`` (member's estimate minus the printed one, in printed SEs) and
        ``same_sign`` (the member's estimate has the printed estimate's sign).
    """
    t4 = results[results["key"].str.startswith("t4.")]
    parts = t4["key"].str.split(".", expand=True)
    tidy = t4.assign(measure=parts[1], term=parts[2], stat=parts[3])
    wide = tidy.pivot_table(index=["member", "seed", "measure", "term"], columns="stat", values="value",
                            sort=False).reset_index()
    wide.columns.name = None
    printed = keys.set_index("key")["published"]

    def pub(row, stat):
        text = printed.get(f"t4.{row['measure']}.{row['term']}.{stat}", "")
        return float(text) if text not in ("", None) else math.nan

    wide["printed_estimate"] = [pub(r, "estimate") for _, r in wide.iterrows()]
    wide["printed_se"] = [pub(r, "se") for _, r in wide.iterrows()]
    wide["distance"] = (wide["estimate"] - wide["printed_estimate"]) / wide["printed_se"]
    wide["same_sign"] = np.sign(wide["estimate"]) == np.sign(wide["printed_estimate"])
    return wide[["member", "seed", "measure", "term", "estimate", "se", "p", "printed_estimate", "printed_se",
                 "distance", "same_sign"]]


def table4_ranges(results: pd.DataFrame, keys: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Per Table 4 measure and term: the range of estimates, SEs and p over the members.

    On the unsearched ensemble this is what the printed summaries alone allow for each
    term (within the linkages it draws); on the searched one it shows the targets'
    tolerances.

    Returns
    -------
    DataFrame
        One row per measure and term in ledger order: ``measure, term, members,
        estimate_min, estimate_median, estimate_max, se_min, se_max, p_min, p_median,
        p_max, below_alpha`` (members with p < `alpha`), ``printed_estimate,
        printed_se, printed_p`` (NaN where the paper prints none).
    """
    spread = table4_spread(results, keys)
    printed = keys.set_index("key")["published"]

    def pub(measure, term, stat):
        text = str(printed.get(f"t4.{measure}.{term}.{stat}", "") or "")
        try:
            return float(text)
        except ValueError:
            return math.nan

    rows = []
    for (measure, term), d in spread.groupby(["measure", "term"], sort=False):
        rows.append({"measure": measure, "term": term, "members": len(d),
                     "estimate_min": d["estimate"].min(), "estimate_median": d["estimate"].median(),
                     "estimate_max": d["estimate"].max(), "se_min": d["se"].min(), "se_max": d["se"].max(),
                     "p_min": d["p"].min(), "p_median": d["p"].median(), "p_max": d["p"].max(),
                     "below_alpha": int((d["p"] < alpha).sum()),
                     "printed_estimate": pub(measure, term, "estimate"), "printed_se": pub(measure, term, "se"),
                     "printed_p": pub(measure, term, "p")})
    return pd.DataFrame(rows)


def any_interaction_below(results: pd.DataFrame, *, alpha: float = 0.05) -> int:
    """Members in which at least one Table 4 group-by-time interaction has p < `alpha`."""
    inter = results[results["key"].str.match(r"^t4\.[a-z_]+\.interaction\.p$")]
    return int(inter.assign(below=inter["value"] < alpha).groupby("member")["below"].any().sum())


def interaction_sentence(ensemble: Ensemble, *, alpha: float = 0.05) -> str:
    """What the printed summaries alone allow for Table 4's interactions, in one sentence
    (the front page's; from the unsearched ensemble).

    Counts come from the ensemble: members with at least one interaction below `alpha`
    and, per measure, the fewest and most members with that measure's interaction below
    `alpha`.
    """
    from ipsrep.inputs.measures import MEASURE_BY_NAME

    def measure_label(name: str) -> str:
        return MEASURE_BY_NAME[name].label if name in MEASURE_BY_NAME else name

    ranges = table4_ranges(ensemble.results, ensemble.keys, alpha=alpha)
    inter = ranges[ranges["term"] == "interaction"].sort_values("below_alpha", kind="stable")
    n = ensemble.members
    low, high = inter.iloc[0], inter.iloc[-1]
    r_low, r_high = ensemble.metadata.get("within_person_r_range", UNSEARCHED_R_RANGE)
    return (f"Linked without the Table 4 search ({n} reconstructions that keep every printed summary, "
            f"within-person correlation drawn from {r_low:g} to {r_high:g}), at least one of the {len(inter)} "
            f"group-by-time interactions has p < {alpha:g} in "
            f"{count_text(any_interaction_below(ensemble.results, alpha=alpha), n)} "
            f"members; per outcome from {count_text(low['below_alpha'], n)} ({measure_label(low['measure'])}) "
            f"to {count_text(high['below_alpha'], n)} ({measure_label(high['measure'])}).")


# --------------------------------------------------------------------------------------
# The front page
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Robustness:
    """What decides a research-question answer across an ensemble.

    ``verdict`` is, by the kinds (:data:`KINDS`) of the keys the answer quotes:

    - ``"printed"``: every such key is ``printed``: the answer is the printed numbers';
    - ``"held by construction"``: some are ``targeted`` and none ``free``: the answer is
      what the reconstruction was searched or redrawn to match, not a finding;
    - ``"robust"`` / ``"not robust"``: some are ``free``: the answer reads the same in
      every member, or changes in some (the only verdicts that are findings);
    - ``"not from participant data"``: none of the keys it quotes is computed from the
      participant table, so the reconstruction cannot change it.

    ``same`` counts the members whose answer equals the reference answer (the committed
    reconstruction's when it is a member, else the most common one); ``variants`` lists
    each distinct answer with the members giving it, most common first; ``linkage`` is
    the ensemble's (:data:`LINKAGES`).
    """

    question: str
    verdict: str
    members: int
    same: int
    variants: tuple[tuple[str, int], ...]
    linkage: str = "searched"

    @property
    def robust(self) -> bool:
        return self.verdict != "not robust"

    def sentence(self) -> str:
        """The verdict in words, for the front page (counts as counts)."""
        n = self.members
        if self.verdict == "not from participant data":
            return "Not computed from participant data: the reconstruction cannot change it."
        if self.verdict == "printed":
            if self.same == n and len(self.variants) == 1:
                return (f"Decided by the printed numbers: it reads the same in all {n} reconstructions of the "
                        "ensemble, as it must.")
            return (f"Decided by the printed numbers, yet it reads as here in only {count_text(self.same, n)} "
                    "reconstructions: some miss a printed number (see the check on the ensemble page).")
        if self.verdict == "held by construction":
            return ("Held by construction, not a finding: the values it quotes are printed or what the "
                    "reconstruction was searched or redrawn to match (it reads as here in "
                    f"{count_text(self.same, n)} reconstructions).")
        where = "reconstructions linked without the Table 4 search" if self.linkage == "unsearched" else \
            "reconstructions of the ensemble"
        if self.verdict == "robust":
            return f"Robust: the answer reads the same in all {n} {where}."
        return (f"Not robust: the answer reads as here in {count_text(self.same, n)} {where} "
                f"({len(self.variants)} different answers).")


def member_ledgers(results: pd.DataFrame, keys: pd.DataFrame):
    """Each member's values as a ledger-like frame (``key, reproduced, status, link``),
    in member order: what the scorecard's answer functions read."""
    status = keys.set_index("key")["status"]
    for member, part in results.groupby("member", sort=True):
        yield int(member), pd.DataFrame({"key": part["key"].to_numpy(), "reproduced": part["value"].to_numpy(),
                                         "status": status.reindex(part["key"]).fillna("").to_numpy(),
                                         "link": ""})


def answer_robustness(answer: Callable[[pd.DataFrame, float], object], ensemble: Ensemble, *,
                      alpha: float = 0.05, reference_seed: int | None = None) -> Robustness:
    """What decides a front-page answer across the ensemble (:class:`Robustness`).

    Parameters
    ----------
    answer : callable
        One of the scorecard's answer functions (``ipsrep.report.scorecard.ANSWERS``):
        ``answer(ledger, alpha)`` returns an object with ``question``, ``answer`` (text or
        None) and ``keys``. It is applied to each member's values (:func:`member_ledgers`)
        and the texts are compared; the numbers it quotes are written as the answer
        writes them, so a change below the printed digits does not count.
    ensemble : Ensemble
        From :func:`read_ensemble`.
    alpha : float, default 0.05
        Passed to `answer`.
    reference_seed : int, optional
        Seed of the reference answer (default: the committed reconstruction's).

    Returns
    -------
    Robustness
        The verdict follows the kinds of the keys the answer quotes: only an answer
        quoting a ``free`` key gets ``robust`` or ``not robust``.
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    reference_seed = DEFAULT_SEED if reference_seed is None else int(reference_seed)
    seed_of = ensemble.results.drop_duplicates("member").set_index("member")["seed"]
    kind_of = ensemble.keys.set_index("key")["kind"]
    texts: dict[int, str | None] = {}
    question, quoted = "", set()
    for member, frame in member_ledgers(ensemble.results, ensemble.keys):
        got = answer(frame, alpha)
        question = getattr(got, "question", question)
        quoted = set(getattr(got, "keys", ())) & set(kind_of.index)
        if not quoted or getattr(got, "answer", None) is None:
            return Robustness(question, "not from participant data", len(seed_of), 0, (), ensemble.linkage)
        texts[member] = got.answer  # type: ignore[attr-defined]  # checked by getattr just above
    counts = pd.Series(list(texts.values()), dtype=object).value_counts(sort=True)
    variants = tuple((str(t), int(n)) for t, n in counts.items())
    ref_members = [m for m, s in seed_of.items() if int(s) == reference_seed]
    reference = texts[ref_members[0]] if ref_members else variants[0][0]
    same = sum(t == reference for t in texts.values())
    kinds = set(kind_of.reindex(sorted(quoted)))
    if "free" in kinds:
        verdict = "robust" if len(variants) == 1 else "not robust"
    elif "targeted" in kinds:
        verdict = "held by construction"
    else:
        verdict = "printed"
    return Robustness(question, verdict, len(texts), same, variants, ensemble.linkage)


def ensemble_description(e: Ensemble, name: str) -> str:
    """One paragraph of Markdown saying what an ensemble holds: members, seeds, version, the
    seeds left out and why (:func:`misses`), and whether it predates the current rules."""
    meta, seeds = e.metadata, e.metadata["seeds"]
    left = misses(meta)
    why = ", ".join(f"{n} missed a {miss}" if miss != "other" else f"{n} failed otherwise"
                    for miss, n in left["miss"].value_counts().items())
    stale = "linkage" not in meta  # written before keys had kinds and before Table 4 misses were left out
    return (f"**The {name} ensemble:** {e.members} reconstructions (seeds {seeds[0]} to {seeds[-1]}), computed "
            f"with ipsrep {meta['version']}; " + (f"{len(left)} seeds were left out and replaced by the next "
                                                   f"seed ({why})." if len(left) else "no seed was left out.")
            + (" It was computed by an earlier version of the reconstruction, before members missing a target "
               "of the Table 4 search were left out, so some of its members miss one; `ipsrep ensemble` "
               "recomputes it." if stale else ""))


def ensembles_markdown(searched: Ensemble, unsearched: Ensemble | None, *, unsearched_dir: str,
                       committed_seed: int, bundled: bool) -> str:
    """Page 09's opening: both ensembles described, where the committed reconstruction sits,
    and, off the bundled data, that the page describes the bundled reconstruction only.
    `unsearched_dir` is a user's parameter: written inert
    (:func:`ipsrep.inputs.markup.markdown_code`)."""
    from ipsrep.inputs.markup import markdown_code

    parts = [ensemble_description(searched, "searched")]
    parts.append(ensemble_description(unsearched, "unsearched") if unsearched is not None else
                 f"**The unsearched ensemble** is not in {markdown_code(unsearched_dir)}: run "
                 "`ipsrep ensemble --members 100 --linkage unsearched` to compute it; the sections that need it "
                 "are left out.")
    seeds = searched.metadata["seeds"]
    if committed_seed in seeds:
        parts.append(f"The committed reconstruction, which the other pages use, is member "
                     f"{seeds.index(committed_seed)} of the searched ensemble (seed {committed_seed}).")
    if not bundled:
        parts.append("This page describes the bundled reconstruction's ensembles, not the data file in use: "
                     "with real participant data nothing is left to a draw.")
    return "\n\n".join(parts)

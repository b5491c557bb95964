"""An ensemble of reconstructions: which results the printed numbers decide, and which the draw.

The report's participant-level results come from one synthetic reconstruction
(:func:`ipsrep.synthetic.reconstruct.reconstruct_trial` with its committed seed). Every
constraint the paper prints holds in it, but everything the paper does not print (who
answered which visit, which scores belong to the same person, how hours spread among
the employed) is one random draw among many that satisfy the same constraints. An
*ensemble member* is another such draw: the reconstruction rebuilt from another seed and
analysed by the same library functions the notebooks call (not by executing notebooks).
Comparing members separates

- keys the printed numbers **determine** (counts, means, SDs and the tests computed from
  them, in Tables 1-3, the flow, Table 2 and the hours results): they must print the
  same in every member, which :func:`check_determined` verifies; from
- keys they **do not determine** (the Table 4 mixed models, Levene's tests, the
  Mann-Whitney, permutation and bootstrap results for hours, Holm's adjustment, ...):
  :func:`summarise` gives their spread over the ensemble.

A member is a pure function of its seed (:func:`member_results`). The Dask runner that
computes many of them and writes ``data/ensemble/`` is :mod:`ipsrep.synthetic.ensemble_run`;
this module also reads what it wrote (:func:`read_ensemble`) and says, for a
research-question answer of the front page, whether it reads the same in every member
(:func:`answer_robustness`).

The reading of ledger rows as "determined" is ours: the paper does not discuss which of
its results a reconstruction could pin down.
"""
from __future__ import annotations

import json
import os
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep import paths

ENSEMBLE_DIR = paths.DATA_DIR / "ensemble"
"""Where the committed ensemble lives (``results.csv``, ``keys.csv``, ``metadata.json``,
``timings.csv``)."""
RESULTS_NAME = "results.csv"
KEYS_NAME = "keys.csv"
METADATA_NAME = "metadata.json"
TIMINGS_NAME = "timings.csv"

RESULT_COLUMNS = ["member", "seed", "key", "value"]
"""Columns of ``results.csv``: one row per member and key."""
KEY_COLUMNS = ["key", "quantity", "published", "decimals", "relation", "status", "determined", "p_value"]
"""Columns of ``keys.csv``: what each key is and whether the printed numbers fix it."""

UNDETERMINED_PREFIXES = ("t4.",)
"""Ledger families with a printed value that the printed summaries still do not fix.

Table 4's mixed models combine each participant's visits, so they depend on who is
linked to whom across visits, which no printed number says; every other printed value
of the trial paper is a per-group, per-visit count, mean, SD or a test computed from
them."""

FIXED_STATUSES = ("approximate", "source_inconsistent")
"""Ledger statuses an analysis assigns by key, not by comparing the member's value."""

NOTEBOOK_DEFAULTS = {"alpha": 0.05, "levene_alpha": 0.05, "n_resamples": 10_000, "resample_seed": 12345}
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
        ("rq2.hours.mannwhitney_prob", "Mann-Whitney U", "estimate", "hours: P(an IPS participant worked more than a TAU one)"),
        ("rq2.hours.mannwhitney_p", "Mann-Whitney U", "p", "hours: Mann-Whitney U p"),
        ("rq2.hours.permutation_p", "Permutation test", "p", "hours: permutation test p of the mean difference"),
        ("rq2.hours.bootstrap_lo", "Bootstrap (BCa)", "ci_low", "hours: BCa bootstrap interval of the mean difference, lower"),
        ("rq2.hours.bootstrap_hi", "Bootstrap (BCa)", "ci_high", "hours: BCa bootstrap interval of the mean difference, upper"),
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


def member_results(seed: int) -> pd.DataFrame:
    """One ensemble member: the reconstruction from `seed`, analysed as the notebooks do.

    A pure function of `seed`: :func:`ipsrep.synthetic.reconstruct.reconstruct_trial`
    (``seed=seed``, whatever constraints it satisfies) then :func:`member_ledger` with
    the notebooks' defaults (:data:`NOTEBOOK_DEFAULTS`).

    Raises :class:`ReconstructionMissed` when the reconstruction from `seed` misses a
    printed comparison (:func:`ipsrep.synthetic.reconstruct.reconstruction_fits`): a
    member must satisfy every constraint the committed reconstruction satisfies.

    Returns
    -------
    DataFrame
        ``key, value, quantity, published, status`` in :func:`member_ledger`'s order.
    """
    from ipsrep.synthetic.reconstruct import reconstruct_trial, reconstruction_fits

    fits = reconstruction_fits(int(seed))  # the marginal samples, before any linkage of visits
    missed = fits[~fits["hit"].astype(bool)]
    if len(missed):
        raise ReconstructionMissed(
            f"seed {seed}: the reconstruction does not reproduce the printed "
            + ", ".join(f"{r['measure']} at {r['visit']}" for _, r in missed.iterrows())
            + " (mean, SD and p with the test Levene's rule picks); the member is left out")
    trial = reconstruct_trial(seed=int(seed))
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


def key_catalogue(member: pd.DataFrame) -> pd.DataFrame:
    """What each key of a member is, and whether the printed numbers determine it.

    Parameters
    ----------
    member : DataFrame
        Output of :func:`member_results` (any member: the keys and their printed
        counterparts are the same in all).

    Returns
    -------
    DataFrame
        Columns :data:`KEY_COLUMNS`. ``determined`` is True for a key with a printed value
        outside :data:`UNDETERMINED_PREFIXES` whose ledger status is not ``approximate``;
        ``decimals`` and ``relation`` are the printed value's (from ``data/published/``);
        ``status`` is kept only where the analysis sets it whatever the data
        (:data:`FIXED_STATUSES`), so that the catalogue is the same for every member;
        ``p_value`` marks p-values (:func:`is_p_value`).
    """
    from ipsrep.inputs.published import load_published

    pub = load_published()
    keys = member["key"].tolist()
    published = [str(pub.at[k, "printed"]) if k in pub.index else "" for k in keys]
    decimals = [int(pub.at[k, "decimals"]) if k in pub.index else -1 for k in keys]
    relation = [str(pub.at[k, "relation"]) if k in pub.index else "" for k in keys]
    status = [s if s in FIXED_STATUSES else "" for s in member["status"].fillna("").astype(str)]
    determined = [bool(p) and not k.startswith(UNDETERMINED_PREFIXES) and s != "approximate"
                  for k, p, s in zip(keys, published, status)]
    return pd.DataFrame({"key": keys, "quantity": member["quantity"].fillna("").astype(str).tolist(),
                         "published": published, "decimals": decimals, "relation": relation,
                         "status": status, "determined": determined,
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


def read_ensemble(directory: str | Path = ENSEMBLE_DIR) -> Ensemble:
    """Read an ensemble written by ``ipsrep ensemble`` (default ``data/ensemble/``).

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
                                                   "status": str}, keep_default_na=False)
    keys["determined"] = keys["determined"].astype(str).eq("True")
    keys["p_value"] = keys["p_value"].astype(str).eq("True")
    keys["decimals"] = keys["decimals"].astype(int)
    metadata = read_local_json(files[METADATA_NAME])
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
    """Refuse an ensemble folder whose text could act in a page (page 08 and the front page
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
    for column in ("quantity", "published", "relation", "status"):
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


def check_determined(results: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """Keys the printed numbers determine: are they the same in every member?

    A determined key (``keys.determined``) passes when its value, written with the
    printed number's decimals, is the same in every member, and each member's value
    rounds to the printed number (:func:`ipsrep.methods.rounding.rounds_to`) unless the
    paper's own numbers rule that out (status ``source_inconsistent``).

    Returns
    -------
    DataFrame
        One row per determined key: ``key, published, members, distinct`` (different
        printed forms over the members), ``reproduces`` (members rounding to the
        printed number), ``passes``. ``check_determined(...)["passes"].all()`` is the check.
    """
    from ipsrep.methods.rounding import rounds_to

    wide = wide_values(results)
    rows = []
    for _, k in keys[keys["determined"]].iterrows():
        if k["key"] not in wide.index:
            rows.append({"key": k["key"], "published": k["published"], "members": 0, "distinct": 0,
                         "reproduces": 0, "passes": False})
            continue
        v = wide.loc[k["key"]].to_numpy(dtype=float)
        forms = _printed_form(v, int(k["decimals"]), k["relation"], k["published"])
        reproduces = sum(bool(rounds_to(x, k["published"], k["relation"] or "=")) for x in v)
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
        Level for ``share_below_alpha`` (p-values only).
    reference_seed : int, optional
        Seed whose value is given as ``reference`` (default: the committed
        reconstruction's, :data:`ipsrep.synthetic.reconstruct.DEFAULT_SEED`; NaN when it is
        not a member).

    Returns
    -------
    DataFrame
        One row per undetermined key in ledger order: ``key, quantity, published,
        p_value, members, median, p2_5, p97_5`` (2.5 and 97.5 percentiles, linear
        interpolation), ``min, max, share_below_alpha`` (p-values; NaN otherwise),
        ``reference`` and ``holds``: for a p-value, on the same side of `alpha` in every
        member; for another key, the same sign in every member (zero counts as its own sign).
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    reference_seed = DEFAULT_SEED if reference_seed is None else int(reference_seed)
    wide = wide_values(results)
    seed_of = results.drop_duplicates("member").set_index("member")["seed"]
    ref_member = seed_of.index[seed_of == reference_seed]
    rows = []
    for _, k in keys[~keys["determined"]].iterrows():
        if k["key"] not in wide.index:
            continue
        v = wide.loc[k["key"]].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        if not len(v):
            continue
        p = bool(k["p_value"])
        below = float(np.mean(v < alpha)) if p else math.nan
        holds = below in (0.0, 1.0) if p else len(set(np.sign(v))) == 1
        ref = float(wide.at[k["key"], ref_member[0]]) if len(ref_member) else math.nan
        rows.append({"key": k["key"], "quantity": k["quantity"], "published": k["published"], "p_value": p,
                     "members": len(v), "median": float(np.median(v)),
                     "p2_5": float(np.percentile(v, 2.5)), "p97_5": float(np.percentile(v, 97.5)),
                     "min": float(v.min()), "max": float(v.max()), "share_below_alpha": below,
                     "reference": ref, "holds": bool(holds)})
    return pd.DataFrame(rows, columns=["key", "quantity", "published", "p_value", "members", "median", "p2_5",
                                       "p97_5", "min", "max", "share_below_alpha", "reference", "holds"])


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


# --------------------------------------------------------------------------------------
# The front page
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Robustness:
    """Whether a research-question answer reads the same in every ensemble member.

    ``verdict`` is ``"robust"`` (the same answer in every member), ``"not robust"`` (it
    changes in some), or ``"not from participant data"`` (none of the keys it quotes is
    computed from the participant table, so the reconstruction cannot change it).
    ``same`` counts the members whose answer equals the reference answer (the committed
    reconstruction's when it is a member, else the most common one); ``variants`` lists
    each distinct answer with the members giving it, most common first.
    """

    question: str
    verdict: str
    members: int
    same: int
    variants: tuple[tuple[str, int], ...]

    @property
    def robust(self) -> bool:
        return self.verdict != "not robust"

    def sentence(self) -> str:
        """The verdict in words, for the front page."""
        if self.verdict == "not from participant data":
            return "Not computed from participant data: the reconstruction cannot change it."
        if self.verdict == "robust":
            return f"Robust: the answer reads the same in all {self.members} reconstructions of the ensemble."
        return (f"Not robust: the answer reads as here in {self.same} of {self.members} reconstructions "
                f"of the ensemble ({len(self.variants)} different answers).")


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
    """Whether a front-page answer reads the same in every member of the ensemble.

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
    """
    from ipsrep.synthetic.reconstruct import DEFAULT_SEED

    reference_seed = DEFAULT_SEED if reference_seed is None else int(reference_seed)
    seed_of = ensemble.results.drop_duplicates("member").set_index("member")["seed"]
    known = set(ensemble.keys["key"])
    texts: dict[int, str | None] = {}
    question = ""
    for member, frame in member_ledgers(ensemble.results, ensemble.keys):
        got = answer(frame, alpha)
        question = getattr(got, "question", question)
        if not set(getattr(got, "keys", ())) & known or getattr(got, "answer", None) is None:
            return Robustness(question, "not from participant data", len(seed_of), 0, ())
        texts[member] = got.answer
    counts = pd.Series(list(texts.values()), dtype=object).value_counts(sort=True)
    variants = tuple((str(t), int(n)) for t, n in counts.items())
    ref_members = [m for m, s in seed_of.items() if int(s) == reference_seed]
    reference = texts[ref_members[0]] if ref_members else variants[0][0]
    same = sum(t == reference for t in texts.values())
    verdict = "robust" if len(variants) == 1 else "not robust"
    return Robustness(question, verdict, len(texts), same, variants)

"""What an ensemble says: printed keys checked, free keys summarised, Table 4 spread, robustness of answers.

:func:`check_printed` verifies that every member prints the printed numbers alike;
:func:`summarise`, :func:`table4_spread` and :func:`table4_ranges` describe the spread of the
other keys; :func:`answer_robustness` says what decides a front-page answer
(:class:`Robustness`); :func:`misses`, :func:`kind_counts`, :func:`interaction_sentence`
and :func:`ensembles_markdown` put it in words for page 09 and the front page. The
ensemble itself is read by :func:`ipsrep.synthetic.ensemble.read_ensemble`.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ipsrep.synthetic.ensemble import Ensemble
from ipsrep.synthetic.ensemble_keys import KINDS
from ipsrep.synthetic.ensemble_member import UNSEARCHED_R_RANGE

__all__ = [
    "kind_counts",
    "MISS_REASONS",
    "misses",
    "count_text",
    "wide_values",
    "check_printed",
    "summarise",
    "table4_spread",
    "table4_ranges",
    "any_interaction_below",
    "interaction_sentence",
    "Robustness",
    "member_ledgers",
    "answer_robustness",
    "ensemble_description",
    "ensembles_markdown",
]


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

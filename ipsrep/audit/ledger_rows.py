"""Ledger rows for the audit (keys ``audit.*``), built from the audit's tables.

:func:`ipsrep.analyses.paper.compare` sets computed values beside published numbers under the
same key; the audit instead checks the paper against itself, so its rows carry their
own keys (``audit.<published key>`` for a checked number) with the printed text under
``published``, the recomputed value under ``reproduced`` and the verdict as a status:

- ``consistent`` and ``consistent_other_variant`` -> ``consistent`` (the note gives the
  admissible range and names the variant when it is not the one the paper states);
- ``inconsistent`` -> ``inconsistent``, the reason in ``note``.

These rows check printed numbers against printed numbers and never carry
``reproduced``, which the ledger keeps for reproductions from participant-level data
(:mod:`ipsrep.methods.comparison`).

Rows that have no printed counterpart (implied sizes, power, sample sizes) leave
``published`` and ``status`` empty. The audit of the printed numbers does not depend on
the data in use, but, as everywhere in the ledger, the printed number and the status
are filled only on the bundled reconstruction: every builder takes ``bundled`` (default
True; pass ``ctx.bundled``) and on other data leaves those two cells empty.
"""
from __future__ import annotations

import math

import pandas as pd

from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import LEDGER_COLUMNS, STATUSES
from ipsrep.methods.rounding import rounds_to

__all__ = ["STATUS_BY_VERDICT", "ledger_row", "check_ledger", "granularity_ledger", "denominator_ledger", "rows"]

STATUS_BY_VERDICT: dict[str, str] = {
    "consistent": "consistent",
    "consistent_other_variant": "consistent",
    "inconsistent": "inconsistent",
}
"""Ledger status of an audit verdict: a check of printed numbers is consistent or not."""


def ledger_row(key: str, reproduced: float, *, published: str = "", status: str = "", note: str = "",
               source: str = "ipsrep audit", quantity: str = "") -> dict:
    """One ledger record (a dict with :data:`ipsrep.methods.comparison.LEDGER_COLUMNS`).

    >>> ledger_row("audit.x", 1, status="consistent")["status"]
    'consistent'

    An audit row is a check of printed numbers, so ``reproduced`` and ``discrepant``
    (words for reproductions from participant data) are refused.
    """
    if status and status not in STATUSES:
        raise ValueError(f"unknown ledger status {status!r}; allowed: {', '.join(STATUSES)}")
    if status in ("reproduced", "discrepant"):
        raise ValueError(f"audit row {key!r}: status {status!r} is for reproductions from participant data; "
                         f"a check of printed numbers is 'consistent' or 'inconsistent'")
    if not key.startswith("audit."):
        raise ValueError(f"audit ledger keys start with 'audit.', got {key!r}")
    value = math.nan if reproduced is None else float(reproduced)
    return {"key": key, "source": source, "quantity": quantity, "published": published, "reproduced": value,
            "status": status, "note": note}


def rows(records: list[dict], *, bundled: bool) -> pd.DataFrame:
    """A ledger frame from records, with duplicate keys refused; with ``bundled=False``
    the ``published`` and ``status`` cells are emptied (as :func:`ipsrep.analyses.paper.compare`
    does on data other than the bundled reconstruction)."""
    frame = pd.DataFrame(records, columns=LEDGER_COLUMNS)
    dup = frame.loc[frame["key"].duplicated(), "key"].tolist()
    if dup:
        raise ValueError(f"audit ledger keys repeated: {', '.join(dup)}")
    if not bundled:
        frame[["published", "status"]] = ""
    return frame


def _verdict_note(verdict: str, matched: str, note: str) -> str:
    if verdict == "consistent":
        return f"consistent ({matched})" if matched else "consistent"
    if verdict == "consistent_other_variant":
        return f"consistent only as {matched}: {note}" if note else f"consistent only as {matched}"
    return note


def _range_text(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high):
        return ""
    return f"{low:.4g}" if low == high else f"{low:.4g} to {high:.4g}"


def check_ledger(checks: pd.DataFrame, *, admitted: pd.DataFrame | None = None, bundled: bool) -> pd.DataFrame:
    """Ledger rows for a table of printed-statistic checks (:mod:`ipsrep.audit.recompute`).

    Key ``audit.<key>``; ``published`` the printed text; ``reproduced`` the value
    recomputed at the printed inputs; status ``consistent`` or ``inconsistent`` from
    the verdict. The note gives the admissible range (``low`` to ``high``: what the
    stated test gives over the rounding windows of the printed inputs) and, for the
    rows of `admitted` (:func:`ipsrep.audit.recompute.table1_t_test_checks`, whose
    group sizes are not printed), the sizes that reproduce the printed p: there the
    value and the range are at the full groups, which may not be among them.
    """
    pub = load_published()
    sizes = admitted.set_index("key") if admitted is not None and len(admitted) else None
    recs = []
    for _, c in checks.iterrows():
        src = str(pub.at[c["key"], "source"]) if c["key"] in pub.index else c["source"]
        qty = str(pub.at[c["key"], "quantity"]) if c["key"] in pub.index else c["statistic"]
        note = _verdict_note(c["verdict"], c["matched"], c["note"])
        span = _range_text(c["low"], c["high"])
        if sizes is not None and c["key"] in sizes.index:
            a = sizes.loc[c["key"]]
            where = str(c["intervals"]).split(":")[0]
            note += (f"; the printed p is matched for IPS n {a['n_ips_admitted']}, TAU n {a['n_tau_admitted']}"
                     if c["verdict"] != "inconsistent" else "")
            note += f"; {where}: {c['stated']} p {span}" if span else ""
        elif span:
            note += f"; admissible {c['stated']} value {span}"
        recs.append(ledger_row(f"audit.{c['key']}", c["value"], published=str(c["printed"]),
                               status=STATUS_BY_VERDICT[c["verdict"]], note=note,
                               source=src, quantity=f"consistency with the other printed numbers: {qty}"))
    return rows(recs, bundled=bundled)


def granularity_ledger(table: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows for granularity checks (:mod:`ipsrep.audit.grim`).

    Key ``audit.grim.<mean key>``; ``reproduced`` is 1 when the mean and SD are
    possible on some grid (the scale's stated grid or a finer fallback), else 0; the
    status follows the verdict (``consistent`` or ``inconsistent``); the note says
    whether the stated grid alone passes and gives the admissible n.
    """
    recs = []
    for _, r in table.iterrows():
        possible = r["verdict"] != "inconsistent"
        stated = "passes" if r["grimmer"] else "fails"
        recs.append(ledger_row(f"audit.grim.{r['key']}", 1.0 if possible else 0.0, published=str(r["printed"]),
                               status=STATUS_BY_VERDICT[r["verdict"]],
                               note=_verdict_note(r["verdict"], r["matched"], r["note"])
                               + f"; stated grid {r['grid']} {stated} [n {r['n']}]",
                               source=r["source"], quantity=f"mean (SD) possible for scores in {r['grid']}"))
    return rows(recs, bundled=bundled)


def denominator_ledger(table: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows for printed count-and-percentage pairs (:mod:`ipsrep.audit.denominators`).

    Key ``audit.<pct key>``; ``reproduced`` is the percentage recomputed as
    100 * count / n with the implied n; the note gives n against its base.
    """
    recs = []
    for _, r in table.iterrows():
        n = r["n"]
        pct = 100.0 * r["count"] / n if not (isinstance(n, float) and math.isnan(n)) else math.nan
        base = f"n = {int(n)} of {r['base']} ({int(r['missing'])} missing)" if not math.isnan(pct) else "no n fits"
        note = _verdict_note(
            r["verdict"], "truncated" if r["verdict"] == "consistent_other_variant" else "rounded", r["note"]
        )
        recs.append(ledger_row(f"audit.{r['key']}", pct, published=str(r["printed"]),
                               status=STATUS_BY_VERDICT[r["verdict"]], note=f"{note}; {base}",
                               source=r["source"], quantity="valid percentage with its implied denominator"))
    return rows(recs, bundled=bundled)


def printed_match(key: str, reproduced: float, published_key: str, *, note: str = "", quantity: str = "",
                  mismatch: str = "inconsistent") -> dict:
    """A row setting a value computed from printed numbers beside a printed number of
    another key (the ledger's rounding rule): ``consistent`` when it rounds to it, else
    `mismatch` (``inconsistent``).
    """
    pub = load_published()
    printed, relation = str(pub.at[published_key, "printed"]), str(pub.at[published_key, "relation"])
    ok = rounds_to(float(reproduced), printed, relation)
    return ledger_row(
        key,
        reproduced,
        published=printed if relation == "=" else relation + printed,
        status="consistent" if ok else mismatch,
        note=note,
        source=str(pub.at[published_key, "source"]),
        quantity=quantity or str(pub.at[published_key, "quantity"]),
    )


def implied_n_ledger(process: pd.DataFrame, jobs: pd.DataFrame, table1_n: pd.DataFrame,
                   response: pd.DataFrame, *, ips_n: int, bundled: bool) -> pd.DataFrame:
    """Headline rows for implied sizes.

    ``audit.process.n_implied`` (IPS respondents behind the process percentages: the
    smallest admitted n), ``audit.jobs.n_implied`` (the smallest number of jobs that
    fits the job-type shares and leaves a job for every other listed sector),
    ``audit.n_admitted.t1.<row>.ips|tau`` (the largest size Table 1's p and grid admit
    for each continuous row) and ``audit.response_rate.min|max`` (the group-wise
    primary-outcome response rates against the Discussion's 85% and 97%).
    """
    recs = []
    ns = process["n"].tolist()
    recs.append(ledger_row(
        "audit.process.n_implied", ns[0] if ns else math.nan,
        note=(f"n admitted up to {ips_n}: {', '.join(map(str, ns))}" if ns else f"no n up to {ips_n} fits")
        + (f"; counts {', '.join(map(str, process['counts'].iloc[0]))}" if ns else ""),
        quantity="IPS respondents implied by the process percentages (Reme 2022)"))
    fit = jobs[jobs["fits_sectors"]]
    recs.append(ledger_row(
        "audit.jobs.n_implied", fit["n_jobs"].iloc[0] if not fit.empty else math.nan,
        note="jobs admitted: " + ", ".join(map(str, fit["n_jobs"])) + (
            f"; at {fit['n_jobs'].iloc[0]}: {', '.join(map(str, fit['counts'].iloc[0]))}" if not fit.empty else ""),
        quantity="smallest number of jobs fitting the four job-type percentages"))
    for _, r in table1_n.iterrows():
        for g in ("ips", "tau"):
            largest = r[f"n_{g}_max"]
            recs.append(ledger_row(
                f"audit.n_admitted.t1.{r['row']}.{g}", math.nan if largest is None or pd.isna(largest) else largest,
                note=f"{g.upper()} n admitted by p ({r['test']}) and grid ({r['grid']}): {r[f'n_{g}']}",
                quantity=f"largest {g.upper()} respondents consistent with Table 1's {r['row']} row"))
    by_group = response[response["group"] != "both"]
    for end, fn, key in (("min", min, "flow.response_rate_min"), ("max", max, "flow.response_rate_max")):
        v = fn(by_group["response_pct"])
        pooled = fn(response.loc[response["group"] == "both", "response_pct"])
        recs.append(printed_match(f"audit.response_rate.{end}", v, key,
                                  note=f"group-wise rate from Table 2's denominators; pooled groups give {pooled:.1f}"))
    return rows(recs, bundled=bundled)


def hours_grim_ledger(hours: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """``audit.hours_ips.grim``: 1 when the IPS mean hours is possible for its n in whole
    hours or, failing that, in half hours (the note says which), else 0."""
    r = hours[hours["key"] == "rq2.hours.ips_mean"].iloc[0]
    possible = r["verdict"] != "inconsistent"
    return rows([ledger_row("audit.hours_ips.grim", 1.0 if possible else 0.0, published=str(r["printed"]),
                            status=STATUS_BY_VERDICT[r["verdict"]],
                            note=r["note"] or f"possible in {r['matched'] or r['grid']}",
                            source="Sveinsdottir et al. 2022, Results (hours worked)",
                            quantity=f"IPS mean hours possible for n = {r['n']} in whole or half hours (1 = yes)")],
                bundled=bundled)


__all__ += ["printed_match", "implied_n_ledger", "hours_grim_ledger"]


def planning_ledger(sample_size: pd.DataFrame, achieved: pd.DataFrame, scenarios: pd.DataFrame,
                  simulated_n: dict[float, int], *, follow_up: str = "12m", bundled: bool) -> pd.DataFrame:
    """Ledger rows for the planning section.

    Parameters
    ----------
    sample_size : DataFrame
        :func:`ipsrep.audit.planning.sample_size_reproduction`.
    achieved : DataFrame
        :func:`ipsrep.audit.planning.achieved_power` for the observed rates.
    scenarios : DataFrame
        :func:`ipsrep.audit.planning.scenario_table` with a ``key`` column added by
        the caller (e.g. ``observed_12m``, ``meta``, ``design``) and its
        ``n_per_group_<pct>`` columns.
    simulated_n : dict
        Target power -> n per group found by simulating the chi-squared test for the
        observed rates.
    follow_up : str
        Follow-up of the observed rates, part of the keys.
    bundled : bool, default True
        Whether the bundled reconstruction is in use; on other data the printed
        number and status of ``audit.ss.n_per_group`` are left empty.

    Returns
    -------
    DataFrame
        ``audit.ss.n_per_group`` (the formula that gives the paper's number),
        ``audit.power.achieved_<fu>`` (normal approximation to Pearson's test),
        ``audit.power.achieved_<fu>_sim`` (simulating the test the paper's rule picks
        for each simulated table), ``audit.n_per_group_<pct>.<scenario key>``
        (pooled formula) and ``audit.n_per_group_<pct>_sim.observed_<fu>``.
    """
    match = sample_size[sample_size["matches"]]
    first = match.iloc[0] if not match.empty else sample_size.iloc[0]
    others = ", ".join(f"{m} {n}" for m, n in zip(sample_size["method"], sample_size["n_per_group"], strict=True))
    recs = [printed_match("audit.ss.n_per_group", float(first["n_per_group"]), "ss.n_per_group",
                          note=f"{first['method']} formula; all formulas: {others}",
                          quantity="n per group for the design's rates, by the formula that matches")]
    a = achieved.set_index("method")
    p1, p2, n1, n2 = (achieved[c].iloc[0] for c in ("p_ips", "p_tau", "n_ips", "n_tau"))
    reason = str(achieved["reason"].iloc[0]) if "reason" in achieved else ""
    where = f"{p1:.3f} vs {p2:.3f} with {n1} and {n2} respondents at {follow_up}"
    recs.append(ledger_row(f"audit.power.achieved_{follow_up}", a.at["normal, pooled", "power"],
                           note=reason or f"normal approximation to Pearson's chi-squared, {where}",
                           quantity="power the trial had for its observed difference"))
    sim = "simulated, paper's rule" if "simulated, paper's rule" in a.index else "simulated Pearson chi-squared"
    recs.append(ledger_row(f"audit.power.achieved_{follow_up}_sim", a.at[sim, "power"],
                           note=reason or f"{sim} (Fisher's exact p where an expected count is below 5, else "
                                          f"Pearson; MC SE {a.at[sim, 'mc_se']:.4f}), {where}",
                           quantity="simulated power of the paper's test for the observed difference"))
    targets = sorted(int(c.rsplit("_", 1)[1]) for c in scenarios.columns if c.startswith("n_per_group_"))
    for _, r in scenarios.iterrows():
        rates = f"{r['p_ips']:.3f} vs {r['p_tau']:.3f}"
        for pct in targets:
            n = r[f"n_per_group_{pct}"]
            recs.append(ledger_row(f"audit.n_per_group_{pct}.{r['key']}", n,
                                   note=str(r["reason"]) if pd.isna(n) else f"pooled formula, {rates}",
                                   quantity=f"n per group for {pct}% power: {r['scenario']}"))
    simulated: dict[float, float] = dict(simulated_n)
    if reason and not simulated:  # nothing simulated: one row per target power says why
        simulated = {pct / 100: math.nan for pct in targets}
    for power, n in simulated.items():
        found = f"smallest simulated size reaching {100 * power:g}% power"
        recs.append(ledger_row(f"audit.n_per_group_{round(100 * power)}_sim.observed_{follow_up}", n,
                               note=reason if pd.isna(n) else found,
                               quantity="n per group by simulating the chi-squared test"))
    return rows(recs, bundled=bundled)


__all__.append("planning_ledger")


def fidelity_ledger(reviews: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """``audit.fidelity.reviews`` (the number of printed scores against the printed number
    of reviews) and ``audit.fidelity.below_threshold`` (the reviews at the lowest score
    against the printed count below threshold), from
    :func:`ipsrep.audit.recompute.fidelity_reviews`; both consistent or inconsistent."""
    scores = ", ".join(map(str, reviews["score"]))
    recs = [printed_match("audit.fidelity.reviews", len(reviews), "fidelity.reviews",
                          note=f"printed scores {scores}", quantity="fidelity reviews with a printed score"),
            printed_match("audit.fidelity.below_threshold", int(reviews["below_threshold"].sum()),
                          "fidelity.below_threshold", note="reviews at the lowest printed score",
                          quantity="fidelity reviews below the accepted threshold")]
    return rows(recs, bundled=bundled)


__all__.append("fidelity_ledger")


def registry_rows(values: pd.DataFrame, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows of the registry comparison, from
    :func:`ipsrep.audit.registry.registry_ledger_values`: one per registered item, a check
    of two published records against each other (``consistent`` / ``inconsistent``)."""
    return rows([
        ledger_row(r["key"], r["value"], published=r["published"], status=r["status"], note=r["note"],
                   source="ClinicalTrials.gov NCT02697656 vs Sveinsdottir et al. 2022",
                   quantity="registered item as reported")
        for _, r in values.iterrows()
    ], bundled=bundled)


__all__.append("registry_rows")

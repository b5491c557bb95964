"""The report's scorecard: what the ledger says, page by page, and the research questions
answered in one line each from the values the notebooks computed.

Input is the ledger of a build, one frame per page (the rows each notebook displayed
with :func:`ipsrep.report.ledger.emit`, read back by :func:`ipsrep.report.ledger.rows_from_notebook`).
Nothing here recomputes a statistic from participant data: the answers quote the
``reproduced`` column, which on the bundled reconstruction sits beside the paper's
numbers and on a user's file is that file's result under the same keys. The only new
computation is Holm's step-down adjustment of the unadjusted health comparisons
(Holm 1979, *Scand J Statist* 6:65-70), which the trial paper does not make and
notebook 03 discusses (:func:`ipsrep.methods.multiplicity.holm_rejections`).
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from ipsrep.analyses.paper import EVIDENCE, evidence
from ipsrep.methods.formatting import p_statement
from ipsrep.methods.multiplicity import holm_rejections
from ipsrep.report.ledger import LEDGER_COLUMNS, STATUSES
from ipsrep.synthetic.ensemble_summary import answer_robustness

NOT_PRINTED = "not printed"
"""Label for ledger rows without a published counterpart (an empty status)."""

PRINTED_ONLY = "printed_only"
"""Label for ledger rows that show a printed number with no status: nothing printed or
computed checks it (:func:`ipsrep.analyses.claims.printed_only_rows`)."""

OPEN_STATUSES = ("discrepant", "inconsistent", "source_inconsistent", "approximate")
"""Statuses a reader should look at, most serious first."""

STATUS_TEXT = {
    "reproduced": "rounds to the printed digits",
    "discrepant": "does not round to the printed digits",
    "approximate": "depends on what the synthetic reconstruction cannot know",
    "source_inconsistent": "the paper's own numbers disagree, so no reproduction can match them all",
    "consistent": "a check of printed numbers: agrees with the other printed numbers",
    "inconsistent": "a check of printed numbers: disagrees with the other printed numbers",
    PRINTED_ONLY: "printed in a source and shown for the record; nothing else checks it",
    NOT_PRINTED: "computed here; the papers print no such number",
}
"""What each status means, in a few words, for legends."""


def anchor(key: str) -> str:
    """HTML id of a ledger key's row on its page (``ledger-`` + key).

    >>> anchor("t2.12m.p")
    'ledger-t2.12m.p'
    """
    return f"ledger-{key}"


def ledger_by_page(pages: Sequence) -> pd.DataFrame:
    """Every page's ledger rows in report order, with the page they are shown on.

    Parameters
    ----------
    pages : sequence of objects with ``stem``, ``title``, ``href`` and ``ledger``
        (:class:`ipsrep.report.pages.Page`): one per notebook page, ``ledger`` holding the rows
        the notebook displayed (columns :data:`ipsrep.methods.comparison.LEDGER_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The ledger columns plus ``page`` (file stem), ``title`` and ``link`` (page and
        the row's anchor); ``status`` with missing values as empty strings.
    """
    frames = []
    for page in pages:
        rows = page.ledger.reindex(columns=LEDGER_COLUMNS).copy()
        rows["page"] = page.stem
        rows["title"] = page.title
        rows["link"] = [f"{page.href}#{anchor(k)}" for k in rows["key"]]
        frames.append(rows)
    columns = [*LEDGER_COLUMNS, "page", "title", "link"]
    if not frames or not sum(len(f) for f in frames):
        return pd.DataFrame(columns=columns)
    table = pd.concat([f for f in frames if len(f)], ignore_index=True)[columns]
    table["status"] = table["status"].fillna("").astype(str)
    return table


def status_counts(ledger: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows per status, every status listed (zero included), then
    :data:`PRINTED_ONLY` (no status, a printed number) and :data:`NOT_PRINTED` (no
    status, no printed number). Each count is named by one word, its status.

    Returns a tidy frame with columns ``status``, ``rows`` and ``meaning``.

    >>> status_counts(pd.DataFrame({"status": ["reproduced", "", "consistent", "approximate"]}))["rows"].tolist()
    [1, 0, 1, 0, 1, 0, 0, 1]
    """
    status = ledger["status"].fillna("").astype(str) if len(ledger) else pd.Series(dtype=str)
    printed = (ledger["published"].fillna("").astype(str) != "") if len(ledger) and "published" in ledger else \
        pd.Series(False, index=status.index)
    counts = status.value_counts()
    kinds = [*STATUSES, PRINTED_ONLY, NOT_PRINTED]
    rows = [int(counts.get(s, 0)) for s in STATUSES]
    rows.append(int(((status == "") & printed).sum()))
    rows.append(int(len(status) - sum(rows)))
    return pd.DataFrame({"status": kinds, "rows": rows, "meaning": [STATUS_TEXT[k] for k in kinds]})


STATUS_TEXT_ON_DATA = {**STATUS_TEXT, "approximate": "(only on the bundled reconstruction)"}
"""Legends on participant data other than the reconstruction (nothing is approximate there)."""


def with_evidence(ledger: pd.DataFrame, *, synthetic: bool) -> pd.DataFrame:
    """`ledger` with a column ``evidence``: what kind of evidence each row's verdict
    gives (:func:`ipsrep.analyses.paper.evidence`; "" for rows without a verdict).

    >>> with_evidence(pd.DataFrame({"key": ["a", "b"], "status": ["consistent", "reproduced"]}),
    ...               synthetic=True)["evidence"].tolist()
    ['printed', 'reconstruction']
    """
    out = ledger.copy()
    status = out["status"].fillna("").astype(str) if len(out) else pd.Series(dtype=str)
    out["evidence"] = [evidence(k, s, synthetic=synthetic) for k, s in zip(out["key"], status, strict=True)]
    return out


EVIDENCE_ORDER = ("printed", "participant data", "reconstruction", "unknowable")
"""The kinds of evidence in the order the front page lists them: what tells about the
paper first."""

EVIDENCE_HEADING = {
    "printed": "Checks of the paper from its printed numbers alone",
    "participant data": "Values recomputed from the participant data",
    "reconstruction": "Values reproduced because the reconstruction was made to match them",
    "unknowable": "Values the reconstruction cannot know",
}
"""Short names of the kinds of evidence, for the front page."""


PILOT_RECONSTRUCTION = (
    "Pilot values reproduced from its reconstructed participants",
    "the pilot's participants (data/pilot/) are rebuilt from its paper's statements on any trial file: "
    "these rows check that rebuild, not the paper")
"""Heading and meaning of the ``reconstruction`` kind on a trial file other than the
bundled one, where only the pilot's rows are of that kind."""


def evidence_counts(ledger: pd.DataFrame, *, synthetic: bool) -> pd.DataFrame:
    """Ledger rows with a verdict per kind of evidence (:data:`EVIDENCE_ORDER`, the
    replication from participant data first when the data are not synthetic; kinds with
    no row left out), with the statuses counted within each kind.

    Columns ``evidence``, ``heading``, ``rows``, ``statuses`` (dict status -> rows, in
    :data:`STATUSES` order) and ``meaning``.
    """
    table = with_evidence(ledger, synthetic=synthetic) if len(ledger) else ledger.assign(evidence=[])
    records = []
    order = (EVIDENCE_ORDER if synthetic
             else ("participant data", *(k for k in EVIDENCE_ORDER if k != "participant data")))
    for kind in order:
        mine = table[table["evidence"] == kind]
        if not len(mine):
            continue
        tally = mine["status"].value_counts()
        heading, meaning = EVIDENCE_HEADING[kind], EVIDENCE[kind]
        if kind == "reconstruction" and not synthetic:
            heading, meaning = PILOT_RECONSTRUCTION
        records.append({"evidence": kind, "heading": heading, "rows": len(mine),
                        "statuses": {st: int(tally[st]) for st in STATUSES if st in tally}, "meaning": meaning})
    return pd.DataFrame(records, columns=["evidence", "heading", "rows", "statuses", "meaning"])


def discrepant_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ``discrepant`` rows of `ledger` (:func:`ledger_by_page` output), in report
    order, each with its ``link`` and its note (by how much, and what gives the printed
    value)."""
    if not len(ledger):
        return ledger.copy()
    return ledger[ledger["status"] == "discrepant"].reset_index(drop=True)


def reproduction_verdict(ledger: pd.DataFrame) -> str:
    """One sentence answering "Does the paper reproduce from these data?" from a ledger
    computed on participant data and set beside the paper (``--compare-with-paper``):
    how many printed numbers the data determine, how many are reproduced and how many
    are not.

    >>> t = pd.DataFrame({"key": ["a", "b", "c", "pilot.n"], "status": ["reproduced", "discrepant", "consistent",
    ...                   "reproduced"]})
    >>> reproduction_verdict(t)
    'Not all: of 2 printed numbers these data determine, 1 is reproduced to the printed digits and 1 is discrepant.'
    """
    table = with_evidence(ledger, synthetic=False)
    mine = table[table["evidence"] == "participant data"]
    n, bad = len(mine), int((mine["status"] == "discrepant").sum())
    if not n:
        return "No printed number is determined by these data in this build."
    good = n - bad
    verb = lambda k: "is" if k == 1 else "are"  # noqa: E731
    if not bad:
        return f"Yes: all {n} printed numbers these data determine are reproduced to the printed digits."
    return (f"Not all: of {n} printed numbers these data determine, {good} {verb(good)} reproduced to the printed "
            f"digits and {bad} {verb(bad)} discrepant.")


def counts_by_page(ledger: pd.DataFrame, pages: Sequence) -> pd.DataFrame:
    """One row per page (in report order): ledger rows in all and per status.

    Columns ``page``, ``title``, ``href``, ``rows`` and one per status plus
    :data:`NOT_PRINTED`; pages that display no ledger rows have zeros.
    """
    kinds = [*STATUSES, PRINTED_ONLY, NOT_PRINTED]
    records = []
    for page in pages:
        mine = ledger[ledger["page"] == page.stem] if len(ledger) else ledger
        counts = status_counts(mine).set_index("status")["rows"]
        records.append({"page": page.stem, "title": page.title, "href": page.href, "rows": len(mine),
                        **{k: int(counts[k]) for k in kinds}})
    return pd.DataFrame(records, columns=["page", "title", "href", "rows", *kinds])


def open_items(ledger: pd.DataFrame) -> pd.DataFrame:
    """Rows whose status is not ``reproduced`` (and not empty), most serious status first.

    Order: :data:`OPEN_STATUSES`, then report order within a status. Each row keeps
    its ``link`` to the page and anchor where the number is shown and discussed.
    """
    if not len(ledger):
        return ledger.copy()
    rank = {s: i for i, s in enumerate(OPEN_STATUSES)}
    hit = ledger[ledger["status"].isin(OPEN_STATUSES)].copy()
    hit["_rank"] = hit["status"].map(rank)
    hit["_order"] = range(len(hit))
    return hit.sort_values(["_rank", "_order"]).drop(columns=["_rank", "_order"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# Research questions
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """One research question with its one-line answer from the ledger.

    ``answer`` is None when the build produced none of the values it needs (say, the
    notebook was left out); ``link`` points at the page where the answer is worked out;
    ``caveat`` is set when a value it quotes is ``approximate`` on the bundled data.
    """

    question: str
    answer: str | None
    link: str | None
    keys: tuple[str, ...] = field(default=())
    caveat: str | None = None
    robustness: str | None = None
    """Whether the answer reads the same in every reconstruction of the ensemble (bundled
    data only; :func:`ipsrep.synthetic.ensemble.answer_robustness`)."""


def _values(ledger: pd.DataFrame) -> dict[str, float]:
    first = ledger.drop_duplicates("key") if len(ledger) else ledger
    return {k: float(v) for k, v in zip(first["key"], first["reproduced"], strict=True)
            if v is not None and not (isinstance(v, float) and math.isnan(v))}


def _verdict(p: float, alpha: float) -> str:
    return f"a difference at α = {alpha:g}" if p < alpha else f"no difference shown at α = {alpha:g}"


def _link(ledger: pd.DataFrame, key: str) -> str | None:
    hit = ledger.loc[ledger["key"] == key, "link"] if len(ledger) else pd.Series(dtype=object)
    return str(hit.iloc[0]) if len(hit) else None


def _need(v: dict[str, float], keys: Sequence[str]) -> bool:
    return all(k in v for k in keys)


def employment_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """RQ1, the primary outcome: competitive employment within 12 months, IPS vs TAU
    (the paper's Table 2; keys ``t2.12m.*``)."""
    question = "Did IPS lead to more competitive employment within 12 months (the primary outcome)?"
    keys = ("t2.12m.ips_pct", "t2.12m.ips_count", "t2.12m.tau_pct", "t2.12m.tau_count",
            "t2.12m.or", "t2.12m.or_lo", "t2.12m.or_hi", "t2.12m.p")
    v = _values(ledger)
    if not _need(v, keys):
        return Answer(question, None, _link(ledger, "t2.12m.p"), keys)
    text = (f"Employed at some time within 12 months: IPS {v['t2.12m.ips_pct']:.1f}% "
            f"({v['t2.12m.ips_count']:.0f} participants), TAU {v['t2.12m.tau_pct']:.1f}% "
            f"({v['t2.12m.tau_count']:.0f}); odds ratio {v['t2.12m.or']:.2f} "
            f"(CI {v['t2.12m.or_lo']:.2f} to {v['t2.12m.or_hi']:.2f}), {p_statement(v['t2.12m.p'])}: "
            f"{_verdict(v['t2.12m.p'], alpha)}.")
    return Answer(question, text, _link(ledger, "t2.12m.p"), keys)


def productivity_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """RQ2: hours worked over 12 months (t-test) and working 20 hours or more in some
    week (the paper's rule: Fisher's exact test when an expected count is below 5, else
    Pearson's), IPS vs TAU (keys ``rq2.hours.*``, ``rq2.20h.*``)."""
    question = "Did IPS participants work more hours?"
    keys = ("rq2.hours.ips_mean", "rq2.hours.tau_mean", "rq2.hours.p",
            "rq2.20h.ips_pct", "rq2.20h.tau_pct", "rq2.20h.p")
    v = _values(ledger)
    if not _need(v, keys):
        return Answer(question, None, _link(ledger, "rq2.hours.p"), keys)
    text = (f"Mean hours worked in 12 months: IPS {v['rq2.hours.ips_mean']:.1f}, TAU "
            f"{v['rq2.hours.tau_mean']:.1f} ({p_statement(v['rq2.hours.p'])}: "
            f"{_verdict(v['rq2.hours.p'], alpha)}); worked 20 hours or more in some week: IPS "
            f"{v['rq2.20h.ips_pct']:.1f}%, TAU {v['rq2.20h.tau_pct']:.1f}% ({p_statement(v['rq2.20h.p'])}: "
            f"{_verdict(v['rq2.20h.p'], alpha)}).")
    return Answer(question, text, _link(ledger, "rq2.hours.p"), keys)


NAMED_AT_MOST = 3
"""Comparisons named in the health answer before the rest are only counted."""


def _measure_label(name: str) -> str:
    """The instrument's label from :mod:`ipsrep.inputs.measures`, first letter lower-case
    (``bpi_worst`` -> ``pain intensity, worst (BPI)``); the name itself if unknown."""
    from ipsrep.inputs.measures import MEASURE_BY_NAME

    found = MEASURE_BY_NAME.get(name)
    if found is None:
        return name.replace("_", " ")
    label = found.label
    return label[:1].lower() + label[1:] if not label[:2].isupper() else label


_T3_P = re.compile(r"^t3\.([a-z_]+)\.(\d+m)\.p$")
_T4_P = re.compile(r"^t4\.([a-z_]+)\.interaction\.p$")


def _printed_interaction_p(t4: pd.DataFrame) -> pd.Series:
    """The paper's Table 4 interaction p per ledger key, read from ``data/published``."""
    from ipsrep.inputs.published import load_published

    published = load_published()
    return pd.Series([float(published.at[k, "value"]) if k in published.index else math.nan for k in t4["key"]],
                     index=t4.index)


def health_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """RQ3: the unadjusted comparisons of the nine health measures at 6 and 12 months
    (``t3.<measure>.<visit>.p``; how many fall below `alpha`, before and after Holm's
    adjustment) and the group-by-time interactions of the mixed models
    (``t4.<measure>.interaction.p``).

    For the mixed models the paper's own Table 4 result comes first (its printed p per
    interaction, from ``data/published``), then the refit on the data in use. Compared
    with the paper (ledger rows with a published value), the answer says whether
    the refit falls on the same side of `alpha` as printed for every interaction; on the
    bundled reconstruction (the rows are ``approximate``) the caveat says why that
    agreement is no finding: the reconstruction's linkage of
    visits to participants was searched to fit the printed Table 4
    (:mod:`ipsrep.synthetic.linkage`).
    """
    question = "Did IPS change health and quality of life over the year?"
    first = ledger.drop_duplicates("key") if len(ledger) else ledger
    t3 = first[first["key"].str.match(_T3_P)] if len(first) else first
    t4 = first[first["key"].str.match(_T4_P)] if len(first) else first
    t3 = t3[t3["reproduced"].notna()] if len(t3) else t3
    t4 = t4[t4["reproduced"].notna()] if len(t4) else t4
    if not len(t3) and not len(t4):
        return Answer(question, None, None)
    parts = []
    if len(t3):
        p = t3["reproduced"].astype(float).to_numpy()
        below = t3[p < alpha]
        holm = holm_rejections(p, alpha)
        # every key of t3 matches _T3_P (selected by it above): the `if` only names the match
        shown = [f"{_measure_label(m.group(1))} at {m.group(2)[:-1]} months, "
                 f"{p_statement(float(q))}" for k, q in zip(below["key"], below["reproduced"], strict=True)
                 if (m := _T3_P.match(k))]
        named = "; ".join(shown[:NAMED_AT_MOST])
        if len(shown) > NAMED_AT_MOST:
            named += f"; {len(shown) - NAMED_AT_MOST} more"
        parts.append(f"{len(below)} of {len(t3)} unadjusted comparisons at the follow-ups with p < {alpha:g}"
                     + (f" ({named})" if named else "")
                     + f", {holm} after Holm's correction")
    caveat = None
    if len(t4):
        q = t4["reproduced"].astype(float)
        printed = _printed_interaction_p(t4)
        known = printed.notna()
        refit = f"group-by-time interaction p < {alpha:g} in {int((q < alpha).sum())} of {len(t4)} mixed models"
        paper = (f"the paper's Table 4 prints interaction p < {alpha:g} for {int((printed[known] < alpha).sum())} "
                 f"of {int(known.sum())} measures")
        compared = "published" in t4 and t4["published"].fillna("").astype(str).str.len().gt(0).any()
        synthetic = compared and t4["status"].fillna("").eq("approximate").any()  # approximate: reconstruction only
        if compared and not synthetic:
            differ = int(((q[known] < alpha) != (printed[known] < alpha)).sum())
            parts.append(f"{paper}; on the data in use, {refit}, "
                         + ("on the same side of the threshold as printed for every interaction" if not differ
                            else f"on the other side of the threshold than printed for {differ} interaction(s)"))
        elif synthetic:
            differ = int(((q[known] < alpha) != (printed[known] < alpha)).sum())
            verdict = ("on the same side of the threshold as printed for every interaction" if not differ
                       else f"on the other side of the threshold than printed for {differ} interaction(s)")
            parts.append(f"{paper}; refitted on the synthetic reconstruction, {refit}, {verdict}")
            caveat = ("mixed-model values are approximate on the synthetic data, and their agreement with the "
                      "printed Table 4 is by construction, not a finding: the reconstruction's linkage of visits "
                      "to participants, which the paper does not print, was searched to fit that table")
        else:
            parts.append(f"{paper}; on the data in use, {refit}")
    keys = tuple(t3["key"]) + tuple(t4["key"])
    # the link goes where the sentence points: the first comparison it names, else Table 4
    named_keys = list(t3.loc[t3["reproduced"].astype(float) < alpha, "key"]) if len(t3) else []
    target = named_keys[0] if named_keys else (t4["key"].iloc[0] if len(t4) else t3["key"].iloc[0])
    return Answer(question, "; ".join(parts) + ".", _link(ledger, str(target)), keys, caveat)


def pilot_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """The pilot study: participants employed by the 12-month registration (``pilot.*``)."""
    question = "In the pilot, how many found competitive work within a year?"
    keys = ("pilot.employed_12m", "pilot.n")
    v = _values(ledger)
    if not _need(v, keys):
        return Answer(question, None, _link(ledger, "pilot.employed_12m"), keys)
    text = (f"{v['pilot.employed_12m']:.0f} of {v['pilot.n']:.0f} participants "
            f"({100 * v['pilot.employed_12m'] / v['pilot.n']:.1f}%) by the 12-month registration.")
    return Answer(question, text, _link(ledger, "pilot.employed_12m"), keys)


def process_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """The trial's process measures in the IPS arm (``process.*``, Reme 2022)."""
    question = "How did IPS participants judge the job support?"
    keys = ("process.satisfied_pct", "process.useful_pct", "process.hinder_pain_pct")
    v = _values(ledger)
    if not _need(v, keys):
        return Answer(question, None, _link(ledger, "process.satisfied_pct"), keys)
    text = (f"{v['process.satisfied_pct']:.0f}% of respondents were satisfied and "
            f"{v['process.useful_pct']:.0f}% found it useful; {v['process.hinder_pain_pct']:.0f}% "
            "named their pain as a hindrance.")
    return Answer(question, text, _link(ledger, "process.satisfied_pct"), keys)


def audit_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """The reporting audit: how many of its checks of the paper against itself hold
    (``audit.*`` rows with a status; statuses exist on the bundled data only). The
    answer names each count by its status word, as the scorecard does."""
    question = "Do the paper's printed numbers agree with each other?"
    rows = ledger[ledger["key"].str.startswith("audit.") & (ledger["status"] != "")] if len(ledger) else ledger
    if not len(rows):
        return Answer(question, None, None)
    bad = rows[rows["status"] == "inconsistent"]
    text = (f"Of {len(rows)} audit checks of the paper and its registry record, "
            f"{int((rows['status'] == 'consistent').sum())} consistent and {len(bad)} inconsistent.")
    link = str(bad["link"].iloc[0]) if len(bad) else str(rows["link"].iloc[0])
    return Answer(question, text, link, tuple(rows["key"]))


CLAIMS_PAGE = "08_claims"
"""Stem of the page that lists the sources' claims with their verdicts."""


def claims_answer(ledger: pd.DataFrame, alpha: float) -> Answer:
    """The claims page: how many of the sources' claims the printed numbers support
    (``data/sources/claims.csv``, :func:`ipsrep.analyses.claims.verdict_counts`),
    linked to the claims page when the build has it (its ledger rows, page
    :data:`CLAIMS_PAGE`)."""
    from ipsrep.analyses.claims import VERDICTS, verdict_counts

    question = "Do the claims of the paper's Abstract and Discussion and of the Norwegian summary hold?"
    on_page = ledger[ledger["page"] == CLAIMS_PAGE] if len(ledger) and "page" in ledger else ledger
    if not len(on_page):
        return Answer(question, None, None)
    counts = verdict_counts().query("source == 'all'").set_index("verdict")["claims"]
    text = (f"Of {int(counts.sum())} claims, "
            + ", ".join(f"{int(counts[v])} {VERDICTS[v].split(' by ')[0]}" for v in VERDICTS) + ".")
    return Answer(question, text, str(on_page["link"].iloc[0]).split("#")[0])


ANSWERS = (employment_answer, productivity_answer, health_answer, pilot_answer, process_answer,
           audit_answer, claims_answer)
"""The research questions of the index page, in the order shown."""


def robustness_text(make, ensemble, unsearched=None, *, alpha: float = 0.05) -> str | None:
    """What decides an answer across the ensembles, for the front page (None when the
    reconstruction cannot change it).

    The searched ensemble's verdict (:func:`ipsrep.synthetic.ensemble.answer_robustness`:
    printed, held by construction, robust or not) comes first. With the unsearched
    ensemble, an answer that quotes a free key there gets its verdict too; for the health
    answer, which quotes Table 4's interactions, that is the one sentence of
    :func:`ipsrep.synthetic.ensemble.interaction_sentence` plus how often the whole
    answer reads as here. Counts are counts ("1 of 200").
    """
    from ipsrep.synthetic.ensemble_summary import count_text, interaction_sentence, member_ledgers

    parts = []
    if ensemble is not None and ensemble.members:
        verdict = answer_robustness(make, ensemble, alpha=alpha)
        if verdict.verdict == "not from participant data":
            return None
        parts.append(verdict.sentence())
    if unsearched is not None and unsearched.members:
        other = answer_robustness(make, unsearched, alpha=alpha)
        if other.verdict in ("robust", "not robust"):
            _, first = next(member_ledgers(unsearched.results, unsearched.keys))
            if any(_T4_P.match(k) for k in getattr(make(first, alpha), "keys", ())):
                parts.append(interaction_sentence(unsearched, alpha=alpha)[:-1]
                             + f"; the whole answer reads as here in {count_text(other.same, other.members)} "
                               "of them.")
            else:
                parts.append("Linked without the Table 4 search: " + other.sentence())
    return " ".join(parts) or None


def research_answers(ledger: pd.DataFrame, alpha: float = 0.05, *, ensemble=None, unsearched=None) -> list[Answer]:
    """Each research question of :data:`ANSWERS` with its answer from `ledger`
    (:func:`ledger_by_page` output); questions the build has no values for are left out.

    With `ensemble` (:func:`ipsrep.synthetic.ensemble.read_ensemble`, for the bundled
    reconstruction only) and `unsearched` (the ensemble linked without the Table 4
    search) each answer also says what decides it across the reconstructions
    (:func:`robustness_text`): the printed numbers, the reconstruction's construction,
    or, for answers quoting keys nothing fixes, the draw.
    """
    answers = []
    for make in ANSWERS:
        answer = make(ledger, alpha)
        if answer.answer is None:
            continue
        text = robustness_text(make, ensemble, unsearched, alpha=alpha)
        if text:
            answer = replace(answer, robustness=text)
        answers.append(answer)
    return answers

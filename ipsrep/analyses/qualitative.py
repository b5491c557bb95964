"""The pilot's interview themes as a codebook, and the trial's process measures.

Codebook (``data/qualitative/``): the four themes that Rødevand et al. (2017, Results)
derived with systematic text condensation (Malterud 2012), each statement under them as
one code with our own summary, how many of the eight participants the paper says it
applies to, and which participants (P1-P8) it names. The paper gives exact numbers for
a few codes and words ("some", "most") for the rest; :data:`QUANTIFIERS` turns each
word into the range of counts we read it as, so that a code's count is a range and a
participant's membership can be *unknown*. Short quotations sit in ``quotes.csv``,
always with the participant code and where they stand in the paper.

Process measures: percentages of IPS participants in the trial who, at 6 months, were
satisfied with the job support, found it useful, or named things that hindered or
helped (Reme 2022, Tidsskrift for Norsk psykologforening 59(10):896-8). The percentages
are printed without a denominator; :func:`implied_respondents` recovers it with GRIM
(:mod:`ipsrep.methods.granularity`). The figures are in :mod:`ipsrep.plots.qualitative`.

References
----------
Rødevand L, et al. BMC Musculoskelet Disord 2017;18:550.
Malterud K. Systematic text condensation: a strategy for qualitative analysis. Scand J
Public Health 2012;40(8):795-805.
Reme SE. Tidsskrift for Norsk psykologforening 2022;59(10):896-8.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ipsrep import paths
from ipsrep.inputs import published
from ipsrep.inputs.datafiles import read_checked_csv
from ipsrep.methods import granularity
from ipsrep.methods.proportions import clopper_pearson_interval

QUALITATIVE_DIR = paths.DATA_DIR / "qualitative"
CODEBOOK_CSV = QUALITATIVE_DIR / "codebook.csv"
THEMES_CSV = QUALITATIVE_DIR / "themes.csv"
QUOTES_CSV = QUALITATIVE_DIR / "quotes.csv"

PARTICIPANTS: tuple[str, ...] = tuple(f"P{i}" for i in range(1, 9))
"""The interview codes of the pilot's eight participants."""

QUANTIFIERS: dict[str, tuple[int, int] | None] = {
    "none": (0, 0),
    "one": (1, 1),
    "a few": (2, 3),
    "some": (2, 7),
    "several": (3, 7),
    "most": (5, 8),
    "all but one": (7, 7),
    "named": None,
    "count": None,
}
"""How each word the paper uses is read as a count out of eight.

``some`` (also the paper's "others") is at least two and not all; ``several`` at least
three; ``a few`` two or three; ``most`` / "the majority" more than half. ``all but one``
covers "all except the drop-out" (with ``excluded = P1``) and "all except one" (no one
named as the exception). ``named`` means the paper attributes the statement to the named
participants without a quantifier (at least them, maybe more); ``count`` means the paper
prints the number (column ``count``). "One participant" and "another participant" are
read as exactly one.
"""

KINDS: tuple[str, ...] = ("experience", "helpful element", "challenge")


def quantifier_table() -> pd.DataFrame:
    """The reading of each quantifier (:data:`QUANTIFIERS`) as a table for the report.

    Returns
    -------
    pandas.DataFrame
        ``quantifier, fewest, most``: participants out of eight; for ``named`` the
        fewest is the number named, for ``count`` both are the printed number.
    """
    rows = []
    for word, bounds in QUANTIFIERS.items():
        low, high = bounds if bounds is not None else (("number named", len(PARTICIPANTS)) if word == "named"
                                                        else ("printed", "printed"))
        rows.append({"quantifier": word, "fewest": str(low), "most": str(high)})
    return pd.DataFrame(rows)


STATES: tuple[str, ...] = ("named", "implied yes", "unknown", "implied no", "stated no")
"""A participant's membership of a code: named by the paper; yes or no because the count
leaves no other possibility; not knowable; or excluded by the paper itself."""


# --------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------
def _codes(cell) -> list[str]:
    return [] if pd.isna(cell) or cell == "" else [c.strip() for c in str(cell).split(";")]


def _participant_list_ok(series: pd.Series) -> pd.Series:
    return series.map(lambda cell: all(c in PARTICIPANTS for c in _codes(cell)))


def codebook_schema() -> pa.DataFrameSchema:
    """Checks on ``data/qualitative/codebook.csv`` (column meanings in its module doc)."""
    return pa.DataFrameSchema(
        {
            "code": pa.Column(str, pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
            "theme": pa.Column(int, pa.Check.isin([1, 2, 3, 4]), coerce=True),
            "subtheme": pa.Column(str, nullable=True),
            "kind": pa.Column(str, pa.Check.isin(KINDS)),
            "summary": pa.Column(str),
            "quantifier": pa.Column(str, pa.Check.isin(list(QUANTIFIERS))),
            "count": pa.Column("Int64", pa.Check.in_range(0, len(PARTICIPANTS)), nullable=True, coerce=True),
            "named": pa.Column(str, pa.Check(_participant_list_ok, error="participants P1-P8 separated by ;"),
                               nullable=True),
            "excluded": pa.Column(str, pa.Check(_participant_list_ok, error="participants P1-P8 separated by ;"),
                                  nullable=True),
            "where": pa.Column(str),
        },
        strict=True,
        name="codebook",
    )


def load_codebook(path: str | Path = CODEBOOK_CSV) -> pd.DataFrame:
    """The codebook, checked, with each code's count range.

    Returns
    -------
    pandas.DataFrame
        The CSV's columns plus ``n_named``, ``count_low`` and ``count_high``: the range
        of participants the statement can apply to, from the quantifier (or the printed
        count), raised to the number named and capped by the number not excluded.

    Raises
    ------
    ValueError
        A malformed cell (naming file, column and line), or a code whose named and
        excluded participants cannot fit its quantifier.
    """
    book = read_checked_csv(path, codebook_schema(), "code").reset_index(drop=True)
    named = book["named"].map(_codes)
    excluded = book["excluded"].map(_codes)
    book["n_named"] = named.map(len)
    low, high, problems = [], [], []
    for i, r in book.iterrows():
        q = r["quantifier"]
        if q == "count":
            if pd.isna(r["count"]):
                problems.append(f"line {i + 2} ({r['code']}): quantifier 'count' needs a number in column 'count'")
                lo = hi = 0
            else:
                lo = hi = int(r["count"])
        elif q == "named":
            lo, hi = len(named[i]), len(PARTICIPANTS)
        else:
            span = QUANTIFIERS[q]
            assert span is not None  # only "named" and "count" have no fixed span, handled above
            lo, hi = span
            if pd.notna(r["count"]):
                problems.append(f"line {i + 2} ({r['code']}): column 'count' is only for quantifier 'count'")
        lo, hi = max(lo, len(named[i])), min(hi, len(PARTICIPANTS) - len(excluded[i]))
        if set(named[i]) & set(excluded[i]):
            problems.append(f"line {i + 2} ({r['code']}): a participant is both named and excluded")
        if lo > hi:
            problems.append(f"line {i + 2} ({r['code']}): {len(named[i])} named and {len(excluded[i])} excluded "
                            f"do not fit the quantifier {q!r}")
        low.append(lo)
        high.append(hi)
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    book["count_low"], book["count_high"] = low, high
    return book


def load_themes(path: str | Path = THEMES_CSV) -> pd.DataFrame:
    """The four themes: ``theme, name, focus`` (our summary of each)."""
    schema = pa.DataFrameSchema(
        {"theme": pa.Column(int, pa.Check.isin([1, 2, 3, 4]), unique=True, coerce=True),
         "name": pa.Column(str), "focus": pa.Column(str)},
        strict=True, name="themes")
    return read_checked_csv(path, schema, "theme").reset_index(drop=True)


def load_quotes(path: str | Path = QUOTES_CSV, codebook: pd.DataFrame | None = None) -> pd.DataFrame:
    """Attributed quotations: ``code, participant, quotation, source``.

    Each must belong to a code of the codebook and come from a participant the code
    names (the paper's quotations are condensates of what was said, not verbatim).
    """
    schema = pa.DataFrameSchema(
        {"code": pa.Column(str), "participant": pa.Column(str, pa.Check.isin(PARTICIPANTS)),
         "quotation": pa.Column(str), "source": pa.Column(str)},
        strict=True, name="quotes")
    quotes = read_checked_csv(path, schema, "code").reset_index(drop=True)
    book = load_codebook() if codebook is None else codebook
    named = dict(zip(book["code"], book["named"].map(_codes), strict=True))
    bad = [f"line {i + 2} ({r['code']}, {r['participant']})" for i, r in quotes.iterrows()
           if r["participant"] not in named.get(r["code"], [])]
    if bad:
        raise ValueError(f"{path}: quotation not attributed to a participant its code names: {', '.join(bad)}")
    return quotes


def participant_matrix(codebook: pd.DataFrame) -> pd.DataFrame:
    """Who expressed what: one row per code and participant, with a state from :data:`STATES`.

    Rules, for a code naming the set N and excluding the set X with count range
    [low, high]: a participant in N is ``named``; in X, ``stated no``; otherwise
    ``implied no`` when ``high == |N|`` (the named already use up the count),
    ``implied yes`` when ``low == 8 - |X|`` (everyone not excluded), else ``unknown``.

    Returns
    -------
    pandas.DataFrame
        ``code, theme, participant, state``.
    """
    rows = []
    for r in codebook.itertuples(index=False):
        named, excluded = set(_codes(r.named)), set(_codes(r.excluded))
        for p in PARTICIPANTS:
            if p in named:
                state = "named"
            elif p in excluded:
                state = "stated no"
            elif r.count_high == len(named):
                state = "implied no"
            elif r.count_low == len(PARTICIPANTS) - len(excluded):
                state = "implied yes"
            else:
                state = "unknown"
            rows.append({"code": r.code, "theme": r.theme, "participant": p, "state": state})
    out = pd.DataFrame(rows)
    out["state"] = pd.Categorical(out["state"], categories=STATES)
    return out


def participant_coverage(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per participant, how many codes they are named in, implied in, or unknown for.

    Returns
    -------
    pandas.DataFrame
        ``participant`` and one count column per state in :data:`STATES`.
    """
    table = pd.crosstab(matrix["participant"], matrix["state"]).reindex(PARTICIPANTS, fill_value=0)
    return table.reindex(columns=list(STATES), fill_value=0).rename_axis(columns=None).reset_index()


def theme_overview(codebook: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """Codes per theme and subtheme: how many, and how many carry an exact count.

    Returns
    -------
    pandas.DataFrame
        ``theme, name, subtheme, codes, exact_counts, participants_named`` (distinct
        participants named anywhere under the subtheme, as ``P1;P2``).
    """
    book = codebook.assign(subtheme=codebook["subtheme"].fillna("(whole theme)"),
                           exact=codebook["count_low"] == codebook["count_high"])
    rows = []
    for (theme, sub), g in book.groupby(["theme", "subtheme"], sort=False):
        who = sorted({p for cell in g["named"] for p in _codes(cell)}, key=lambda p: int(p[1:]))
        rows.append({"theme": theme, "subtheme": sub, "codes": len(g), "exact_counts": int(g["exact"].sum()),
                     "participants_named": ";".join(who)})
    out = pd.DataFrame(rows).merge(themes[["theme", "name"]], on="theme")
    return out[["theme", "name", "subtheme", "codes", "exact_counts", "participants_named"]]


# --------------------------------------------------------------------------------------
# Process measures of the trial
# --------------------------------------------------------------------------------------
PROCESS_ITEMS: dict[str, tuple[str, str]] = {
    "satisfied": ("overall", "fairly or very satisfied"),
    "useful": ("overall", "fairly or very useful"),
    "hinder_pain": ("hindered", "pain"),
    "hinder_specialist": ("hindered", "cooperation with the employment specialist"),
    "help_availability": ("helped", "the specialist being easy to reach"),
    "help_disclosure": ("helped", "choosing whether to disclose the condition"),
    "help_steps": ("helped", "concrete steps in the search"),
}
"""Domain and short label of each process item (key stem in ``data/published/process.csv``)."""


def process_measures() -> pd.DataFrame:
    """The seven printed process percentages.

    Returns
    -------
    pandas.DataFrame
        ``key, item, domain, label, pct, decimals`` in the order of
        :data:`PROCESS_ITEMS`.
    """
    pub = published.load_published()
    rows = []
    for item, (domain, label) in PROCESS_ITEMS.items():
        key = f"process.{item}_pct"
        rows.append({"key": key, "item": item, "domain": domain, "label": label,
                     "pct": float(pub.at[key, "value"]), "decimals": int(pub.at[key, "decimals"])})
    return pd.DataFrame(rows)


def implied_respondents(measures: pd.DataFrame | None = None, n_max: int | None = None) -> pd.DataFrame:
    """Numbers of respondents for which every process percentage is a whole count.

    Parameters
    ----------
    measures : pandas.DataFrame, optional
        From :func:`process_measures` (default: the published ones).
    n_max : int, optional
        Largest n considered; default the IPS arm's size (``flow.ips_n``), since only
        IPS participants answered.

    Returns
    -------
    pandas.DataFrame
        ``n, totals`` from :func:`ipsrep.methods.granularity.consistent_sample_sizes` (GRIM with
        a step of 100 per person; Brown and Heathers 2017), assuming one n for all items.
    """
    m = process_measures() if measures is None else measures
    n_max = int(published.value("flow.ips_n")) if n_max is None else n_max
    return granularity.consistent_sample_sizes(m["pct"], m["decimals"].tolist(), range(1, n_max + 1), step=100)


def process_counts(n: int, *, alpha: float = 0.05, measures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each process item as a count out of `n`, its percentage and exact interval.

    The count is the whole number of respondents whose share prints as the published
    percentage (the smallest if two would); the interval is Clopper-Pearson at
    ``1 - alpha`` (:func:`ipsrep.methods.proportions.clopper_pearson_interval`).

    Returns
    -------
    pandas.DataFrame
        ``key, item, domain, label, printed_pct, count, n, pct, ci_low, ci_high``
        (``pct`` in percent, the interval ``ci_low``/``ci_high`` on the 0-1 scale);
        ``count`` is missing when no count out of `n` fits.

    References
    ----------
    Clopper CJ, Pearson ES. Biometrika 1934;26:404-13. Brown NJL, Heathers JAJ. Soc
    Psychol Personal Sci 2017;8:363-9 (GRIM, here with a step of 100 per person).
    """
    m = process_measures() if measures is None else measures
    rows = []
    for r in m.itertuples(index=False):
        totals = granularity.grim_totals(r.pct, n, r.decimals, step=100)
        count = int(totals[0]) if totals.size else None
        lo, hi = clopper_pearson_interval(count, n, 1 - alpha) if count is not None else (np.nan, np.nan)
        rows.append({"key": r.key, "item": r.item, "domain": r.domain, "label": r.label, "printed_pct": r.pct,
                     "count": count, "n": n, "pct": 100 * count / n if count is not None else np.nan,
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def trial_respondents_6m() -> pd.DataFrame:
    """The trial's numbers of IPS respondents at 6 months, to set beside the implied n.

    Returns
    -------
    pandas.DataFrame
        ``source, what, n_low, n_high``: Table 2's employment denominator (recovered
        from count and percentage) and the range of Table 3's per-measure n.
    """
    count = int(published.value("t2.6m.ips_count"))
    pub = published.load_published()
    emp = granularity.denominators_for(
        count, published.value("t2.6m.ips_pct"), int(pub.at["t2.6m.ips_pct", "decimals"])
    )
    t3 = pub[pub["key"].str.match(r"^t3\.[a-z_]+\.6m\.ips_n$")]["value"]
    return pd.DataFrame(
        [
            {
                "source": "Sveinsdottir et al. 2022, Table 2",
                "what": "IPS respondents on employment at 6 months",
                "n_low": min(emp),
                "n_high": max(emp),
            },
            {
                "source": "Sveinsdottir et al. 2022, Table 3",
                "what": "IPS respondents to the health questionnaires at 6 months",
                "n_low": int(t3.min()),
                "n_high": int(t3.max()),
            },
        ]
    )


LINKS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("satisfaction with the job support", ("t1_positive",), ("process.satisfied_pct", "process.useful_pct")),
    ("the employment specialist's follow-up", ("h_follow_up",),
     ("process.help_availability_pct", "process.hinder_specialist_pct")),
    ("pain as an obstacle", ("c_pain", "t3_worry"), ("process.hinder_pain_pct",)),
    ("other obstacles in the pilot", ("c_education", "c_short_support", "c_absence"), ()),
)
"""Where the pilot's codes and the trial's process items speak to the same topic."""


def support_duration() -> pd.DataFrame:
    """How long job support lasted in the pilot and in the trial, in months.

    Reads ``data/published/pilot.csv``: the pilot planned three months for everyone and
    added nine for its extended arm (Rødevand et al. 2017, Methods); the trial offered
    up to two years to its first participants and one year to later ones (Sveinsdottir
    et al. 2022, Methods).

    Returns
    -------
    pandas.DataFrame
        ``study, who, months``.
    """
    v = published.value
    planned, extra = v("pilot.support_months_planned"), v("pilot.support_months_extra")
    return pd.DataFrame(
        [
            {"study": "pilot", "who": "everyone (as planned)", "months": planned},
            {"study": "pilot", "who": "extended arm", "months": planned + extra},
            {
                "study": "trial",
                "who": "first participants (at most)",
                "months": 12 * v("pilot.context.trial_support_years_first"),
            },
            {
                "study": "trial",
                "who": "later participants (at most)",
                "months": 12 * v("pilot.context.trial_support_years_later"),
            },
        ]
    )


def theme_links(codebook: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Pilot codes and trial process items side by side, topic by topic (:data:`LINKS`).

    Returns
    -------
    pandas.DataFrame
        ``topic, source, item, share``: for pilot codes the count range out of eight
        (e.g. ``3-7 of 8``), for process items ``count/n (pct %)``.
    """
    book = codebook.set_index("code")
    proc = counts.set_index("key")
    rows = []
    for topic, codes, keys in LINKS:
        for c in codes:
            lo, hi = book.at[c, "count_low"], book.at[c, "count_high"]
            share = f"{lo} of {len(PARTICIPANTS)}" if lo == hi else f"{lo}-{hi} of {len(PARTICIPANTS)}"
            rows.append({"topic": topic, "source": "pilot interviews", "item": book.at[c, "summary"], "share": share})
        for k in keys:
            r = proc.loc[k]
            rows.append({"topic": topic, "source": "trial process measures (6 months)", "item": r["label"],
                         "share": f"{r['count']}/{r['n']} ({r['pct']:.0f}%)"})
    return pd.DataFrame(rows)

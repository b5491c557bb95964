"""The sources' claims and statements, and the numbers in them checked against the paper.

Two hand-made tables in ``data/sources/`` tie the report to the words of its sources
(column definitions in ``data/sources/README.md``):

- ``claims.csv``: each claim of the trial paper's Abstract and Discussion and the
  Norwegian summary's headline claims (Reme 2022), with the ledger keys that bear on it,
  the report page that checks it, a verdict (supported by the printed numbers, not
  checkable from what is printed, or contradicted) and the rule of the written rubric
  that gives it (:data:`RUBRIC_RULES`; :func:`load_claims` refuses a verdict its rule
  does not allow; :func:`verdict_counts`, :func:`rule_counts`, :func:`claims_markdown`);
- ``statements.csv``: text facts the report cites (conflict of interest, ethics,
  limitations, the Discussion's explanations, framing, pilot context; :func:`load_statements`,
  :func:`statements_markdown`).

A third, ``data/registry/ips_principles.csv``, sets the eight IPS principles as the
registry record, the trial paper and the pilot paper list them side by side
(:func:`load_principles`, :func:`principles_markdown`).

The numbers in the Abstract, Discussion and summary repeat numbers of the paper's
Results, often rounded; :data:`CROSS_CHECKS` pairs them and :func:`cross_check_values`
gives the paper's value under the claim's key, so that
``compare(..., check=True)`` marks each one ``consistent`` or ``inconsistent``.
Printed numbers with nothing to check them against are listed by :func:`printed_only_ledger`
(ledger rows with the printed number and no status).
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ipsrep.inputs.published import load_published
from ipsrep.methods.comparison import LEDGER_COLUMNS
from ipsrep.paths import DATA_DIR

__all__ = ["CLAIMS_CSV", "STATEMENTS_CSV", "VERDICTS", "RUBRIC_RULES", "CLAIM_PREFIXES", "PAGES", "KEY_PAGES",
           "CROSS_CHECKS", "load_claims", "load_statements", "verdict_counts", "rule_counts", "key_link",
           "claims_markdown", "statements_markdown", "cross_check_values", "printed_only_ledger",
           "PRINCIPLES_CSV", "load_principles", "principles_markdown"]

CLAIMS_CSV = DATA_DIR / "sources" / "claims.csv"
STATEMENTS_CSV = DATA_DIR / "sources" / "statements.csv"
PRINCIPLES_CSV = DATA_DIR / "registry" / "ips_principles.csv"

VERDICTS: dict[str, str] = {
    "supported_by_printed_numbers": "supported by the printed numbers",
    "not_checkable": "not checkable from what is printed",
    "contradicted": "contradicted by the printed numbers or the paper's own definitions",
}
"""Claim verdicts (the ``verdict`` column) and their meaning."""

_S, _N, _C = "supported_by_printed_numbers", "not_checkable", "contradicted"

RUBRIC_RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "printed_match": ((_S,), "the claim's numbers, direction or significance agree with what the trial paper "
                             "(or, for the pilot, the pilot paper) prints, or with our checks of those numbers; a "
                             "comparative word counts when its reference is named and printed"),
    "checkable_part": ((_S, _C), "a checkable fact joined to a hedged cause, a judgement or an external "
                                 "comparison: judged on the fact, and the reason names the part not checked"),
    "design_statement": ((_S, _N), "a statement of the design or conduct: supported when the paper's Methods "
                                   "print the same design, not checkable when nothing printed bears on it"),
    "definition_mismatch": ((_C,), "the claim attaches a printed number to a quantity the paper defines "
                                   "otherwise"),
    "weighed_against_discussion": ((_S, _N, _C), "a summary of the results, weighed against the paper's own "
                                                 "Results and Discussion"),
    "magnitude_word": ((_N,), "a word of degree (clear, far greater, solid, good) that the numbers cannot "
                              "settle, whatever their direction"),
    "translation_dependent": ((_N,), "the verdict turns on how a Norwegian word is translated; the reason "
                                     "gives both readings"),
    "summary_only": ((_N,), "numbers printed only in the Norwegian summary: their arithmetic can be checked, "
                            "but no printed number of the paper supports them"),
    "judgement": ((_N,), "a cause, explanation, judgement, plan or methodological assurance that no printed "
                         "number can show"),
    "external": ((_N,), "rests on literature or data outside the five sources"),
}
"""The written rubric (``data/sources/README.md``): rule of the ``rubric_rule`` column ->
(verdicts it allows, what it covers)."""

CLAIM_PREFIXES: dict[str, str] = {
    "A": "Abstract", "R": "Results", "I": "Introduction", "S": "Methods", "D": "Discussion",
    "M": "Methodological Considerations", "P": "Implications", "K": "Conclusions", "N": "Norwegian summary"}
"""The first letter of a ``claim_id`` and the part of the source it comes from."""

PAGES: tuple[str, ...] = ("00_trial", "01_rq1_employment", "02_rq2_productivity", "03_rq3_health", "05_pilot",
                          "06_qualitative", "07_audit", "08_claims")
"""Report pages a claim may name as the one that checks it."""

KEY_PAGES: dict[str, str] = {
    "flow": "00_trial",
    "t1": "00_trial",
    "attrition": "00_trial",
    "t2": "01_rq1_employment",
    "hist": "01_rq1_employment",
    "ss": "01_rq1_employment",
    "rq2": "02_rq2_productivity",
    "jobs": "02_rq2_productivity",
    "t3": "03_rq3_health",
    "t4": "03_rq3_health",
    "pilot": "05_pilot",
    "process": "06_qualitative",
    "audit": "07_audit",
    "summary": "08_claims",
    "abstract": "08_claims",
    "discussion": "08_claims",
    "background": "08_claims",
    "limits": "08_claims",
    "design": "08_claims",
}
"""The page whose ledger shows a key, by the key's first part."""

SOURCE_LABELS: dict[str, str] = {"trial": "trial paper", "summary": "Norwegian summary", "pilot": "pilot paper",
                                  "registry": "registry record"}
"""How a statement's ``source`` is named in the lists."""

_CLAIM_COLUMNS = ["claim_id", "source", "location", "claim", "ledger_keys", "published_keys", "page", "verdict",
                  "rubric_rule", "reason"]
_STATEMENT_COLUMNS = ["statement_id", "source", "location", "kind", "paraphrase", "related_keys", "phrase"]
_STATEMENT_KINDS = ("conflict_of_interest", "funding", "ethics", "design", "definition", "method", "fidelity", "flow",
                    "explanation", "limitation", "inconsistency", "framing", "context", "participant",
                    "not_reported")

CROSS_CHECKS: tuple[tuple[str, str], ...] = (
    ("abstract.ips_n", "flow.ips_n"),
    ("abstract.tau_n", "flow.tau_n"),
    ("abstract.ips_12m_exceeds_pct", "t2.12m.ips_pct"),
    ("discussion.tau_12m_pct", "t2.12m.tau_pct"),
    ("discussion.ips_24m_pct", "t2.24m.ips_pct"),
    ("discussion.hist_pct", "hist.hc_pct"),
    ("summary.recruitment_start_year", "design.recruitment_start_year"),
    ("summary.recruitment_end_year", "design.recruitment_end_year"),
    ("summary.target_total", "flow.target_total"),
    ("summary.analysed", "flow.analysed"),
    ("summary.ips_n", "flow.ips_n"),
    ("summary.tau_n", "flow.tau_n"),
    ("summary.employment_specialists", "design.employment_specialists"),
    ("summary.hours.ips_mean", "rq2.hours.ips_mean"),
    ("summary.hours.tau_mean", "rq2.hours.tau_mean"),
    ("summary.20h.ips_pct", "rq2.20h.ips_pct"),
    ("summary.20h.tau_pct", "rq2.20h.tau_pct"),
    ("summary.ips_12m_exceeds_pct", "t2.12m.ips_pct"),
    ("summary.ips_24m_pct", "t2.24m.ips_pct"),
    ("background.pilot_n", "pilot.n"),
    ("background.pilot_employed", "pilot.employed_12m"),
    ("background.pilot_dropouts", "pilot.dropouts"),
    ("background.pilot_out_of_work_years_min", "pilot.out_of_work_years_min"),
    ("background.pilot_out_of_work_years_max", "pilot.out_of_work_years_max"),
)
"""(claim key, paper key): a number restated in the Abstract, Discussion, Introduction or
Norwegian summary, and the number of the paper's Methods/Results (or the pilot paper)
it restates."""


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not Path(path).exists():
        raise ValueError(f"{path}: file not found")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: column '{missing[0]}' is missing; required: {', '.join(columns)}")
    return table[columns]


def _check(table: pd.DataFrame, path: Path, id_col: str, column: str, allowed) -> None:
    bad = ~table[column].isin(allowed)
    if bad.any():
        i = table.index[bad][0]
        raise ValueError(f"{path}: column '{column}', row {i + 2} ({table.at[i, id_col]}): "
                         f"{table.at[i, column]!r} is not allowed; allowed: {', '.join(allowed)}")


def _check_keys(table: pd.DataFrame, path: Path, id_col: str, column: str, known) -> None:
    for i, cell in table[column].items():
        for key in filter(None, cell.split(";")):
            if key not in known:
                raise ValueError(f"{path}: column '{column}', row {i + 2} ({table.at[i, id_col]}): key {key!r} "
                                 f"is not in data/published/ nor a ledger key of a known page")


def _known_keys() -> set[str]:
    return set(load_published().index)


def load_claims(path: str | Path = CLAIMS_CSV) -> pd.DataFrame:
    """The claims table, checked.

    Raises ``ValueError`` with one line naming the file, column, row (as in a
    spreadsheet, header = row 1), the claim and what is allowed, when an id repeats or
    does not start with a letter of :data:`CLAIM_PREFIXES`, a source, page, verdict or
    rubric rule is unknown, a verdict is one its rule does not allow
    (:data:`RUBRIC_RULES`), a summary-only claim is not the summary's, or a published key
    is not in ``data/published/``.
    """
    path = Path(path)
    table = _read(path, _CLAIM_COLUMNS)
    dup = table["claim_id"].duplicated()
    if dup.any():
        i = table.index[dup][0]
        raise ValueError(f"{path}: column 'claim_id', row {i + 2}: {table.at[i, 'claim_id']!r} repeats an earlier id")
    _check(table, path, "claim_id", "source", ("trial", "summary"))
    _check(table, path, "claim_id", "page", PAGES)
    _check(table, path, "claim_id", "verdict", tuple(VERDICTS))
    _check(table, path, "claim_id", "rubric_rule", tuple(RUBRIC_RULES))
    for i, c in table.iterrows():
        where = f"{path}: row {i + 2} ({c['claim_id']})"
        if c["claim_id"][:1] not in CLAIM_PREFIXES:
            raise ValueError(f"{path}: column 'claim_id', row {i + 2}: {c['claim_id']!r} must start with one of "
                             f"{', '.join(CLAIM_PREFIXES)}")
        allowed = RUBRIC_RULES[c["rubric_rule"]][0]
        if c["verdict"] not in allowed:
            raise ValueError(f"{where}: column 'verdict', {c['verdict']!r} is not allowed by rubric rule "
                             f"{c['rubric_rule']!r}; allowed: {', '.join(allowed)}")
        if c["rubric_rule"] == "summary_only" and c["source"] != "summary":
            raise ValueError(f"{where}: column 'rubric_rule', 'summary_only' is for the Norwegian summary's claims; "
                             f"source is {c['source']!r}")
    _check_keys(table, path, "claim_id", "published_keys", _known_keys())
    for i, cell in table["ledger_keys"].items():
        for key in filter(None, cell.split(";")):
            if key.split(".")[0] not in KEY_PAGES:
                raise ValueError(f"{path}: column 'ledger_keys', row {i + 2} ({table.at[i, 'claim_id']}): key {key!r} "
                                 f"has no page; allowed prefixes: {', '.join(KEY_PAGES)}")
    return table


def load_statements(path: str | Path = STATEMENTS_CSV) -> pd.DataFrame:
    """The statements table, checked (one-line errors as :func:`load_claims`)."""
    path = Path(path)
    table = _read(path, _STATEMENT_COLUMNS)
    dup = table["statement_id"].duplicated()
    if dup.any():
        i = table.index[dup][0]
        raise ValueError(f"{path}: column 'statement_id', row {i + 2}: {table.at[i, 'statement_id']!r} "
                         "repeats an earlier id")
    _check(table, path, "statement_id", "source", ("trial", "summary", "pilot", "registry"))
    _check(table, path, "statement_id", "kind", _STATEMENT_KINDS)
    known = _known_keys()
    for i, cell in table["related_keys"].items():
        for key in filter(None, cell.split(";")):
            if key not in known and key.split(".")[0] not in KEY_PAGES:
                raise ValueError(f"{path}: column 'related_keys', row {i + 2} ({table.at[i, 'statement_id']}): key "
                                 f"{key!r} is not in data/published/ nor a ledger key of a known page")
    return table


def verdict_counts(claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims per source and verdict (every verdict listed, zeros included).

    Returns a tidy frame: ``source`` (``trial``, ``summary``, ``all``), ``verdict``,
    ``claims``, ``meaning``.
    """
    claims = load_claims() if claims is None else claims
    rows = []
    for source in ("trial", "summary", "all"):
        mine = claims if source == "all" else claims[claims["source"] == source]
        for verdict, meaning in VERDICTS.items():
            rows.append({"source": source, "verdict": verdict, "claims": int((mine["verdict"] == verdict).sum()),
                         "meaning": meaning})
    return pd.DataFrame(rows)


def rule_counts(claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Claims per rubric rule and verdict: ``rubric_rule``, ``verdict``, ``claims``,
    ``meaning`` (the rule's, from :data:`RUBRIC_RULES`), rules in the rubric's order and
    only the verdicts each rule gave."""
    claims = load_claims() if claims is None else claims
    rows = []
    for rule, (_, meaning) in RUBRIC_RULES.items():
        mine = claims[claims["rubric_rule"] == rule]
        for verdict in VERDICTS:
            n = int((mine["verdict"] == verdict).sum())
            if n:
                rows.append({"rubric_rule": rule, "verdict": verdict, "claims": n, "meaning": meaning})
    return pd.DataFrame(rows, columns=["rubric_rule", "verdict", "claims", "meaning"])


def key_link(key: str) -> str:
    """A Markdown link from a ledger key to its row on the page that shows it.

    >>> key_link("t2.12m.p")
    '[`t2.12m.p`](01_rq1_employment.html#ledger-t2.12m.p)'
    """
    page = KEY_PAGES.get(key.split(".")[0])
    return f"[`{key}`]({page}.html#ledger-{key})" if page else f"`{key}`"


def _cell(text: str) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def claims_markdown(claims: pd.DataFrame, verdict: str) -> str:
    """The claims with one verdict as a Markdown list a reader can scan: for each claim
    its id and place in the source, the claim in our words, then why the verdict holds,
    the page that checks it and links to the ledger rows that bear on it (a list and not
    a table: the reasons are sentences and a claim may cite many ledger rows)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}; got {verdict!r}")
    mine = claims[claims["verdict"] == verdict]
    if mine.empty:
        return f"No claim is {VERDICTS[verdict]}."
    lines = []
    for _, c in mine.iterrows():
        keys = list(filter(None, c["ledger_keys"].split(";")))
        links = ", ".join(key_link(k) for k in keys)
        rows = f" Ledger row{'s' if len(keys) != 1 else ''}: {links}." if keys else ""
        lines.append(f"- **{c['claim_id']}** ({_cell(c['location'])}): {_cell(c['claim'])}  \n"
                     f"  *Why:* {_cell(c['reason'])} *Rule:* `{_cell(c['rubric_rule'])}`. "
                     f"*Checked on* [{c['page']}]({c['page']}.html).{rows}")
    return "\n".join(lines)


def statements_markdown(ids, statements: pd.DataFrame | None = None) -> str:
    """The statements `ids` as a Markdown list: id, source and place, our paraphrase and,
    for the Norwegian summary, its own short phrase in quotation marks.

    >>> statements_markdown(["T13"])
    '- **T13** (trial paper, Methods, Statistical Analyses): The statistician and the researcher who checked the analyses were blinded to allocation.'
    """  # noqa: E501  a doctest's expected output is one line
    statements = load_statements() if statements is None else statements
    table = statements.set_index("statement_id")
    unknown = [i for i in ids if i not in table.index]
    if unknown:
        raise ValueError(f"{STATEMENTS_CSV}: no statement {', '.join(unknown)}")
    lines = []
    for i in ids:
        s = table.loc[i]
        phrase = f' (its words: "{s["phrase"]}")' if s["phrase"] else ""
        lines.append(f"- **{i}** ({SOURCE_LABELS[s['source']]}, {s['location']}): {s['paraphrase']}{phrase}")
    return "\n".join(lines)


def cross_check_values(pairs=CROSS_CHECKS) -> tuple[dict[str, float], dict[str, str]]:
    """The paper's numbers under the keys of the claims that restate them.

    Returns
    -------
    tuple of dict
        ``values`` (claim key -> the paper's value of the paired key) and ``notes``
        (claim key -> which number it is checked against), ready for
        ``compare(values, notes=notes, check=True)``: a claim that restates its number
        correctly, to its own digits, is ``consistent``.
    """
    pub = load_published()
    values, notes = {}, {}
    for claim_key, paper_key in pairs:
        for k in (claim_key, paper_key):
            if k not in pub.index:
                raise ValueError(f"data/published: key {k!r} is missing; it is needed by the cross-check "
                                 f"{claim_key} against {paper_key}")
        values[claim_key] = float(pub.at[paper_key, "value"])
        notes[claim_key] = f"against {paper_key} = {pub.at[paper_key, 'printed']} ({pub.at[paper_key, 'source']})"
    return values, notes


def printed_only_ledger(keys, *, bundled: bool) -> pd.DataFrame:
    """Ledger rows for printed numbers that nothing else printed or computed can check.

    Each row has the printed number under ``published``, no reproduced value and no
    status (the scorecard counts them as printed only); on data other than the bundled
    reconstruction the published cell is left empty, as everywhere in the ledger.
    """
    pub = load_published()
    rows = []
    for key in keys:
        if key not in pub.index:
            raise ValueError(f"data/published: key {key!r} is missing")
        p = pub.loc[key]
        printed = p["printed"] if p["relation"] == "=" else f"{p['relation']}{p['printed']}"
        rows.append({"key": key, "source": p["source"], "quantity": p["quantity"],
                     "published": printed if bundled else "", "reproduced": math.nan, "status": "",
                     "note": "printed only: no other printed or computed number checks it"})
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


_PRINCIPLE_LISTS = (("paper", "trial paper"), ("registry", "registry record"), ("pilot", "pilot paper"))
_PRINCIPLE_COLUMNS = ["principle", "paper_no", "paper", "registry_no", "registry", "pilot_no", "pilot", "comparison"]


def load_principles(path: str | Path = PRINCIPLES_CSV) -> pd.DataFrame:
    """The IPS principles as the trial paper (Methods, Interventions), the registry record
    (detailed description) and the pilot paper (Methods, Intervention) list them, one row
    per principle, each source's number and our paraphrase beside it.

    Checked: every list numbers its principles 1 to 8, each number once, and a number
    has a paraphrase (and a paraphrase a number); one-line errors as :func:`load_claims`.
    """
    path = Path(path)
    table = _read(path, _PRINCIPLE_COLUMNS)
    for source, _ in _PRINCIPLE_LISTS:
        col = f"{source}_no"
        for i, c in table.iterrows():
            if bool(c[col]) != bool(c[source]):
                raise ValueError(f"{path}: column '{col}', row {i + 2} ({c['principle']}): a number needs a "
                                 f"paraphrase in '{source}' and a paraphrase a number")
        numbers = sorted(int(n) for n in table[col] if n) if table[col].str.fullmatch(r"\d*").all() else None
        if numbers != list(range(1, 9)):
            raise ValueError(f"{path}: column '{col}': the {source} list must number its principles 1 to 8, each "
                             f"once; got {', '.join(n for n in table[col] if n)}")
    return table


def principles_markdown(principles: pd.DataFrame | None = None) -> str:
    """The three lists of IPS principles as one Markdown table, each entry as
    "number. paraphrase" (a dash where a list lacks the principle), with our comparison."""
    principles = load_principles() if principles is None else principles
    head = "| " + " | ".join(label for _, label in _PRINCIPLE_LISTS) + " | comparison |"
    lines = [head, "|---|---|---|---|"]
    for _, c in principles.iterrows():
        cells = [f"{c[f'{s}_no']}. {_cell(c[s])}" if c[s] else "--" for s, _ in _PRINCIPLE_LISTS]
        lines.append("| " + " | ".join(cells) + f" | {_cell(c['comparison'])} |")
    return "\n".join(lines)

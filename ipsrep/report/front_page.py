"""The report's front page, a generated MyST page (:func:`index_markdown`): the "Key
findings" box (:func:`key_findings_html`: what the paper concluded, what this
replication finds, how far to trust each part, how to cite it), the research questions
answered from the ledger (:mod:`ipsrep.report.scorecard`), what the verdicts mean
(:func:`evidence_markdown`), the parameters a variant report was built with, the
scorecard and the pages.
"""
from __future__ import annotations

import ast
import contextlib
import html

import pandas as pd

from ipsrep import paths
from ipsrep.inputs.markup import MATHJAX_IGNORE, html_text
from ipsrep.report import scorecard
from ipsrep.report.myst_pages import FOLD_LEDGER_ROWS
from ipsrep.report.pages import Page, cell_source
from ipsrep.report.tables import format_cell
from ipsrep.synthetic.ensemble import UNSEARCHED_DIR, read_ensemble

__all__ = ["PAPER_CONCLUSIONS", "TITLE", "evidence_markdown", "index_markdown", "key_findings_html",
           "reproduction_markdown", "variant_parameters"]

TITLE = "IPS in Pain: replication report"

def _cell_literals(source: str) -> dict:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def variant_parameters(pages: list[Page]) -> list[tuple[str, object, object, list[str]]]:
    """Parameters papermill injected with a value other than the notebook's default:
    (name, value, default, page stems), ``data_path`` left out (the banner names the data)."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for page in pages:
        defaults, injected = {}, {}
        for cell in page.notebook["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "parameters" in tags:
                defaults.update(_cell_literals(cell_source(cell)))
            elif "injected-parameters" in tags:
                injected.update(_cell_literals(cell_source(cell)))
        for name, value in injected.items():
            if name == "data_path" or (name in defaults and defaults[name] == value):
                continue
            key = (name, repr(value), repr(defaults.get(name)))
            found.setdefault(key, []).append(page.stem)
    return [(name, ast.literal_eval(v), ast.literal_eval(d) if d != "None" else None, stems)
            for (name, v, d), stems in sorted(found.items())]


def _status_span(status: str) -> str:
    cls = "not-printed" if status == scorecard.NOT_PRINTED else status
    return f'<span class="ipsrep-status ipsrep-status-{cls}">{html.escape(status.replace("_", " "))}</span>'


def _bundled_ensemble(data, directory=None):
    """A committed ensemble (default the searched one, ``data/ensemble/``), for the bundled
    reconstruction only (None elsewhere or when the folder holds none): the front page says
    what decides each answer."""
    if not data.bundled:
        return None
    try:
        return read_ensemble() if directory is None else read_ensemble(directory)
    except FileNotFoundError:
        return None


def _evidence_tiles(kinds: pd.DataFrame) -> str:
    esc = html.escape
    items = []
    for _, k in kinds.iterrows():
        statuses = ", ".join(f"{n} {_status_span(st)}" for st, n in k["statuses"].items())
        items.append(f'<li class="ipsrep-evidence ipsrep-evidence-{esc(k["evidence"].replace(" ", "-"))}">'
                     f'<span class="count">{int(k["rows"])}</span><strong>{esc(k["heading"])}</strong> '
                     f'({statuses})<span class="meaning">{esc(k["meaning"])}</span></li>')
    return f'<ul class="ipsrep-tiles ipsrep-evidence-kinds">{"".join(items)}</ul>'


def evidence_markdown(ledger: pd.DataFrame, *, synthetic: bool) -> list[str]:
    """Front-page lines saying what the verdicts mean: the ledger's rows with a verdict
    split by the kind of evidence they give (:func:`ipsrep.report.scorecard.evidence_counts`)."""
    kinds = scorecard.evidence_counts(ledger, synthetic=synthetic)
    if not len(kinds):
        return []
    lead = ("**What the verdicts mean.** The participant data here are a synthetic reconstruction built from "
            "the paper's printed summaries, so a number reproduced from them says little about the paper. "
            "The verdicts are of three kinds; only the first tells you something about the paper:"
            if synthetic else "**What the verdicts mean.** The verdicts are of these kinds:")
    return [lead, "", _evidence_tiles(kinds), ""]


def reproduction_markdown(ledger: pd.DataFrame) -> list[str]:
    """Front-page section for participant data compared with the paper
    (``--compare-with-paper`` on a file other than the reconstruction): does the paper
    reproduce, the verdicts counted by status and kind, and every discrepant row linked
    to its row on its page, with its note."""
    esc = html.escape
    lines = ["## Does the paper reproduce from these data?", "", esc(scorecard.reproduction_verdict(ledger)), ""]
    lines += evidence_markdown(ledger, synthetic=False)
    bad = scorecard.discrepant_rows(ledger)
    if len(bad):
        body = "".join(
            f'<tr><td><a href="{esc(r["link"])}"><code>{esc(r["key"])}</code></a></td>'
            f'<td>{esc(str(r["quantity"]))}</td><td class="ipsrep-num">{esc(str(r["published"]))}</td>'
            f'<td class="ipsrep-num">{format_cell(r["reproduced"])}</td><td>{esc(str(r["note"] or ""))}</td></tr>'
            for _, r in bad.iterrows())
        opened = " open" if len(bad) <= FOLD_LEDGER_ROWS else ""
        lines += ["The discrepant numbers, each linked to its row on the page that computes it; the note says by "
                  "how much and, where one is found, which other computation gives the printed value:", "",
                  f'<details class="ipsrep-open-items"{opened}><summary>{_status_span("discrepant")} {len(bad)} '
                  f'number{"s" if len(bad) != 1 else ""}</summary>'
                  '<div class="ipsrep-scroll"><table class="dataframe ipsrep-discrepant"><thead><tr><th>Key</th>'
                  '<th>Quantity</th><th>Published</th><th>Ours</th><th>Note</th></tr></thead>'
                  f"<tbody>{body}</tbody></table></div></details>", ""]
    return lines


PAPER_CONCLUSIONS = ("Conclusions", "Abstract, Conclusions")
"""Locations in ``data/sources/claims.csv`` of the trial paper's own conclusions, shown
on the front page (the paper's Conclusions section first)."""


def _citation() -> dict:
    """How to cite the report: authors, version and licence from ``pyproject.toml`` (or
    the installed package's metadata), and the commit with its date when the package
    runs from a git checkout."""
    import subprocess
    import tomllib
    from importlib import metadata

    root = paths.PROJECT_ROOT
    info = {"authors": "The ipsrep contributors", "version": "", "licence": "", "commit": "", "date": ""}
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        names = [a.get("name", "") for a in project.get("authors", []) if a.get("name")]
        info.update(version=str(project.get("version", "")), licence=str(project.get("license", "")))
        if names:
            info["authors"] = ", ".join(names)
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        with contextlib.suppress(metadata.PackageNotFoundError):
            meta = metadata.metadata("ipsrep")
            # PackageMetadata is an email.message.Message at run time; its protocol lists no get()
            info.update(version=meta.get("Version", ""),  # type: ignore[attr-defined]
                        licence=meta.get("License-Expression") or meta.get("License") or "")  # type: ignore[attr-defined]
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %cs"], capture_output=True,
                              text=True, timeout=10)
        if done.returncode == 0 and done.stdout.strip():
            info["commit"], info["date"] = (done.stdout.split() + [""])[:2]
    return info


def key_findings_html(ledger: pd.DataFrame, counts: pd.DataFrame, *, bundled: bool) -> str:
    """The front page's "Key findings" box: what the paper concluded (its Conclusions, in
    our words, from ``data/sources/claims.csv``), what this replication finds, how far to
    trust each of the three kinds of result, and how to cite the report."""
    from ipsrep.analyses import claims as claims_module

    esc = html.escape
    n = dict(zip(counts["status"], counts["rows"].astype(int), strict=True))
    table = claims_module.load_claims()
    own = table[(table["source"] == "trial") & table["location"].isin(PAPER_CONCLUSIONS)]
    own = own.assign(order=own["location"].map(PAPER_CONCLUSIONS.index)).sort_values(["order", "claim_id"])
    concluded = "".join(f"<li>{esc(c)}</li>" for c in own["claim"].head(4))
    verdicts = table["verdict"].value_counts()
    consistent, inconsistent = n.get("consistent", 0), n.get("inconsistent", 0)
    reproduced, discrepant = n.get("reproduced", 0), n.get("discrepant", 0)
    approximate, contradictory = n.get("approximate", 0), n.get("source_inconsistent", 0)
    claims_line = (f"Of the sources' {len(table)} claims, {int(verdicts.get('supported_by_printed_numbers', 0))} are "
                   f"supported by the printed numbers, {int(verdicts.get('not_checkable', 0))} cannot be checked from "
                   f"what is printed and {int(verdicts.get('contradicted', 0))} are contradicted by them "
                   '(<a href="08_claims.html">the claims</a>).')
    if bundled:
        finds = [
            f"The paper's printed numbers mostly agree with each other: {consistent} checks are "
            f'<span class="ipsrep-status ipsrep-status-consistent">consistent</span> and {inconsistent} '
            f'<span class="ipsrep-status ipsrep-status-inconsistent">inconsistent</span>; in {contradictory} places '
            "the sources contradict themselves.",
            claims_line,
            f"On a synthetic data set rebuilt from the paper's summaries, {reproduced} printed numbers are "
            f'<span class="ipsrep-status ipsrep-status-reproduced">reproduced</span> by the analyses the paper '
            f"describes and {discrepant} are not; {approximate} are "
            '<span class="ipsrep-status ipsrep-status-approximate">approximate</span>.',
        ]
        trust = [
            ("Checks of printed numbers against each other", f"{consistent + inconsistent} rows",
             "Trust them as they stand: they use only the paper's own numbers, and would come out the same on "
             "the trial's real data."),
            ("Values matched because the reconstruction was built to match them", f"{reproduced + discrepant} rows",
             "Not evidence about the trial. The synthetic data were built or searched to fit the printed "
             "summaries, so a match shows that the methods as we read them can produce the printed numbers "
             "from one data set, not that the trial's data do."),
            ("Values the reconstruction cannot know", f"{approximate} rows",
             "Do not read them as findings: mixed-model estimates and other results depend on who answered at "
             "which visit, which the summaries do not fix. Only the holders of the trial's records can settle "
             "them, by running this report on the real file."),
        ]
    else:
        finds = ["Every value was computed from the participant-level file named in the banner; the comparison "
                 "with the printed numbers is made on the bundled reconstruction only.", claims_line]
        trust = [("Checks of printed numbers against each other", f"{consistent + inconsistent} rows",
                  "The same on any data: they use only the paper's own numbers."),
                 ("Values computed from your file", f"{len(ledger)} rows",
                  "As reliable as the file and the methods; read each page's notes on the choices made.")]
    cite = _citation()
    when = ", ".join(x for x in (f"commit {cite['commit']}" if cite["commit"] else "", cite["date"]) if x)
    citation = (f"{esc(cite['authors'])}. <em>{esc(TITLE)}</em>"
                + (f", version {esc(cite['version'])}" if cite["version"] else "")
                + (f" ({esc(when)})" if when else "") + "."
                + (f" Licence: {esc(cite['licence'])}." if cite["licence"] else "")
                + " Cite the trial itself as Sveinsdottir et al. (2022), doi:10.1093/pm/pnac032.")
    rows = "".join(f"<tr><th scope=\"row\">{esc(k)}<span class=\"ipsrep-kf-n\">{esc(m)}</span></th>"
                   f"<td>{esc(t)}</td></tr>" for k, m, t in trust)
    return ('<section class="ipsrep-key-findings" aria-labelledby="ipsrep-kf-title">'
            '<h2 id="ipsrep-kf-title">Key findings</h2>'
            f'<h3>What the paper concluded</h3><ul>{concluded}</ul>'
            f'<h3>What this replication finds</h3><ul>{"".join(f"<li>{x}</li>" for x in finds)}</ul>'
            '<h3>How far to trust each part</h3>'
            f'<table class="ipsrep-kf-trust"><tbody>{rows}</tbody></table>'
            f'<h3>How to cite this report</h3><p class="ipsrep-kf-cite">{citation}</p></section>')


def index_markdown(pages: list[Page], *, data, parameters: dict, alpha: float) -> str:
    """The front page as MyST Markdown: introduction and sources, the research questions
    answered from the ledger, a variant report's parameters, the scorecard and the pages."""
    esc = html.escape
    ledger = scorecard.ledger_by_page(pages)
    counts = scorecard.status_counts(ledger)
    ensemble = _bundled_ensemble(data)
    unsearched = _bundled_ensemble(data, UNSEARCHED_DIR)
    answers = scorecard.research_answers(ledger, alpha=alpha, ensemble=ensemble, unsearched=unsearched)
    stems = [p.stem for p in pages]
    lines = [f"# {TITLE}", "",
             "An executable re-analysis of a randomised trial of Individual Placement and Support ({term}`IPS`) "
             "for people with chronic pain {cite:p}`sveinsdottir2022`, of its pilot study {cite:p}`rodevand2017` "
             "and of its process findings {cite:p}`reme2022`. Each page is a notebook executed on the data named in "
             "the banner above; the ledger sets every published number beside the value computed here.", ""]
    lines += [key_findings_html(ledger, counts, bundled=data.bundled), ""]
    variant = variant_parameters(pages)
    if variant:
        lines += ["```{admonition} A variant report", ":class: warning", "",
                  "This report was built with parameters other than the notebooks' defaults "
                  "(`ipsrep build -p NAME VALUE`):", ""]
        items = "".join(  # values are user strings: inert HTML, out of MathJax's reach
            f"<li>{html_text(f'{name} = {value!r}', tag='code', classes='literal')} (default "
            f"{html_text(repr(default), tag='code', classes='literal')}) on "
            + ", ".join(f'<a href="{esc(s)}.html">{esc(s)}</a>' for s in where) + "</li>"
            for name, value, default, where in variant)
        lines.append(f'<ul class="ipsrep-variant {MATHJAX_IGNORE}">{items}</ul>')
        lines += ["", "Statuses in the ledger judge these values against the paper's numbers.", "```", ""]
    if data.with_paper and not data.bundled:
        lines += reproduction_markdown(ledger)
    lines += ["## Research questions", "",
              f"Answered from the values the notebooks computed on the data in use, read at $\\alpha = {alpha:g}$.", ""]
    if not answers:
        lines += ["No research question could be answered: the build produced none of the values they need.", ""]
    for a in answers:
        more = f' <a href="{esc(a.link)}">Worked out here</a>.' if a.link else ""
        caveat = f'<br><em>Note: {esc(a.caveat)}.</em>' if a.caveat else ""
        robust = (f'<br><span class="ipsrep-robustness">Across ensembles of reconstructions: '
                  f'{esc(a.robustness)} <a href="09_ensemble.html">What the reconstruction decides</a>.</span>'
                  if a.robustness else "")
        lines += [f'<dl class="ipsrep-answer"><dt>{esc(a.question)}</dt>'
                  f'<dd>{esc(a.answer or "not computed in this build")}{more}{caveat}{robust}</dd></dl>', ""]
    lines += ["## Scorecard", ""]
    if data.bundled:
        lines += evidence_markdown(ledger, synthetic=True)
    if data.with_paper:
        if not data.bundled:
            counts = counts[counts["status"] != "approximate"]
        checked = int(counts.loc[counts["status"] != scorecard.NOT_PRINTED, "rows"].sum())
        extra = int(counts.loc[counts["status"] == scorecard.NOT_PRINTED, "rows"].iloc[0])
        lines += [f"The notebooks set {checked} published numbers beside the values they compute and compute "
                  f"{extra} further values the papers do not print; every row is in "
                  '<a href="ledger.csv" download>ledger.csv</a>. Each status is counted once, by its word:', ""]
        tiles = "".join(
            f'<li><span class="count">{int(r["rows"])}</span>{_status_span(r["status"])}'
            f'<span class="meaning">{esc(r["meaning"])}</span></li>' for _, r in counts.iterrows())
        lines += [f'<ul class="ipsrep-tiles">{tiles}</ul>', ""]
        open_items = scorecard.open_items(ledger)
        if len(open_items):
            lines += ["Numbers not reproduced, most serious first; each links to its row on the page that "
                      "discusses it:", ""]
            parts = []
            for status in scorecard.OPEN_STATUSES:
                rows = open_items[open_items["status"] == status]
                if not len(rows):
                    continue
                body = "".join(
                    f'<tr><td><a href="{esc(r["link"])}"><code>{esc(r["key"])}</code></a></td>'
                    f'<td>{esc(str(r["quantity"]))}</td><td class="ipsrep-num">{esc(str(r["published"]))}</td>'
                    f'<td class="ipsrep-num">{format_cell(r["reproduced"])}</td></tr>'
                    for _, r in rows.iterrows())
                parts.append(
                    f'<details class="ipsrep-open-items"><summary>{_status_span(status)} {len(rows)} '
                    f'number{"s" if len(rows) != 1 else ""}: {esc(scorecard.STATUS_TEXT[status])}</summary>'
                    '<div class="ipsrep-scroll"><table class="dataframe"><thead><tr><th>Key</th><th>Quantity</th>'
                    f'<th>Published</th><th>Ours</th></tr></thead><tbody>{body}</tbody></table></div></details>')
            lines += ["".join(parts), ""]
    else:
        lines += [f"{len(ledger)} values computed from this data set, under the same keys as for the bundled "
                  'reconstruction (<a href="ledger.csv" download>ledger.csv</a>). To set each beside the '
                  "paper's printed number with a verdict, build with `ipsrep build --data FILE "
                  "--compare-with-paper`.", ""]
    by_page = scorecard.counts_by_page(ledger, pages)
    lines += ["## Pages", "",
              "Each page with the ledger rows it shows; the left-hand menu and the search box (top left) "
              "reach every page.", "",
              "```{list-table}", ":header-rows: 1", "",
              "* - Page", "  - Ledger rows", "  - Reproduced", "  - Consistent (checks of printed numbers)",
              "  - Not reproduced, inconsistent or approximate"]
    for _, r in by_page.iterrows():
        open_n = int(sum(r[s] for s in scorecard.OPEN_STATUSES))
        consistent = int(r["consistent"]) if "consistent" in r.index else 0
        lines += [f"* - {{doc}}`{r['page']}`", f"  - {int(r['rows'])}", f"  - {int(r['reproduced'])}",
                  f"  - {consistent}", f"  - {open_n}"]
    lines += ["```", ""]
    further = []
    # named by a short link, not by their titles again: the table above lists every page once
    if any(s.endswith("_claims") for s in stems):
        further.append(f"{{doc}}`The claims page <{next(s for s in stems if s.endswith('_claims'))}>` takes the "
                       "sources' statements one by one and says which the numbers support.")
    if any(s.endswith("_ensemble") for s in stems):
        further.append(f"{{doc}}`The ensemble page <{next(s for s in stems if s.endswith('_ensemble'))}>` shows "
                       "which results the printed numbers decide, which the reconstruction was built to match, "
                       "and what the printed summaries alone allow for the paper's Table 4.")
    if further:
        lines += [" ".join(further), ""]
    lines += ["Terms are explained in the {doc}`glossary`; the sources and methods are listed under "
              "{doc}`references`. Code is folded on every page: open a cell, or use *Show all code* at the "
              "top of a page.", "",
              "```{toctree}", ":maxdepth: 1", ":caption: Pages", ":hidden:", "",
              *stems, "glossary", "references", "```", ""]
    return "\n".join(lines)



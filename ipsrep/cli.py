"""Command-line entry point: ``ipsrep validate | reconstruct | ensemble | compare | release | build | pdf``.

:func:`main` parses the arguments; each command is a ``*_command`` function here that
calls the library function of the module responsible for the job (which returns its
result and prints nothing), prints what the user should see, and turns expected
failures into one line on stderr and an exit status, never a traceback.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from ipsrep import paths
from ipsrep.inputs.terminal import terminal_safe


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipsrep", description="IPS in Pain replication report")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a participant-level CSV against the data contract")
    p.add_argument("file", help="CSV file, one row per participant (see data/README.md), or an SPSS .sav / "
                                "Stata .dta file read through a mapping file")
    p.add_argument("--mapping", default=None,
                   help="mapping of a .sav/.dta file's variables and codes to the contract (default: "
                        "FILE's name with .mapping.csv)")
    p.add_argument("--mapping-template", action="store_true",
                   help="write a mapping template for a .sav/.dta FILE (FILE's name with .mapping.csv) and stop")

    p = sub.add_parser("reconstruct", help="write the synthetic participant-level data set")
    p.add_argument("--out", default=None, help="output CSV (default: data/reconstructed/ips_in_pain.csv)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the committed one)")

    p = sub.add_parser("ensemble", help="reconstruct and analyse many seeds on Dask (data/ensemble/)")
    p.add_argument("--members", type=int, required=True, help="number of reconstructions (seeds S, S+1, ...)")
    p.add_argument("--first-seed", type=int, default=None, help="seed S of member 0 (default: the committed one)")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster of worker processes)")
    p.add_argument("--workers", type=int, default=None, help="worker processes of the local cluster (default: cores)")
    p.add_argument("--out", default=None, help="output folder (default: data/ensemble/)")
    p.add_argument("--work", default=None, help="folder of per-member files (default: under .cache/)")
    p.add_argument("--linkage", choices=("searched", "unsearched"), default="searched",
                   help="searched: visits linked by the Table 4 search, as the committed reconstruction "
                        "(data/ensemble/); unsearched: rank linkage on a drawn within-person r, Tables 1-3 only "
                        "(data/ensemble_unsearched/)")

    p = sub.add_parser("compare", help="list the ledger values that differ between two builds")
    p.add_argument("a", help="ledger.csv of one build (e.g. reports/ledger.csv)")
    p.add_argument("b", help="ledger.csv of another build (e.g. variant/ledger.csv)")

    p = sub.add_parser("release", help="the disclosure-checked part of a report that may leave a secure environment")
    p.add_argument("report", help="report folder written by `ipsrep build --out`")
    p.add_argument("--out", required=True, help="new folder for the release (ledger, figures, SDC log)")
    p.add_argument("--data", default=None,
                   help="participant file the report was built from (default: the bundled reconstruction)")
    p.add_argument("--mapping", default=None, help="mapping file of a .sav or .dta data file (see data/README.md)")
    p.add_argument("--rules", default=None,
                   help="disclosure control thresholds, TOML (default: ipsrep/release/sdc_rules.toml, ACRO's)")
    p.add_argument("--review", default=None,
                   help="folder for the log with the numbers behind each decision, for the output checker; "
                        "not part of the release (default: OUT.review beside OUT)")

    p = sub.add_parser("build", help="execute the notebooks into the HTML report")
    p.add_argument("--data", default=None, help="participant-level CSV (default: the bundled reconstruction), "
                                                 "or a .sav/.dta file with --mapping")
    p.add_argument("--mapping", default=None,
                   help="mapping of a .sav/.dta --data file to the contract (default: its name with .mapping.csv)")
    p.add_argument("--out", default=None, help="report folder (default: reports/)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores)")
    p.add_argument("--show-code", action="store_true", help="render with code cells visible")
    p.add_argument("--compare-with-paper", action=argparse.BooleanOptionalAction, default=None,
                   help="set every value beside the paper's printed number with a verdict (reproduced or "
                        "discrepant by the printed digits); default: on for the bundled reconstruction, "
                        "off for other files")
    p.add_argument("--no-cache", action="store_true",
                   help="execute every notebook even when its inputs are unchanged since the last build")
    p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="notebook parameter NAME set to VALUE (read as a Python literal when it is one, "
                        "else as text); given to each notebook that declares it; repeat for more")

    p = sub.add_parser("pdf", help="print the built report (its executed notebooks) as one PDF with Chromium")
    p.add_argument("report", nargs="?", default="reports", help="report folder (default: reports/)")
    p.add_argument("--out", default="report.pdf", help="the PDF (default: report.pdf)")
    return parser


def parse_parameters(pairs: list[list[str]]) -> dict[str, object]:
    """``-p NAME VALUE`` pairs as a dict, each VALUE read as papermill's ``-p`` reads it.

    Numbers, ``True``/``False``/``None``, quoted strings, lists and dicts are Python
    literals; anything else is kept as text. A NAME that is not a Python identifier is
    an error (the notebooks' parameters are variables).

    >>> parse_parameters([["alpha", "0.01"], ["interval_method", "wald"], ["correction", "True"]])
    {'alpha': 0.01, 'interval_method': 'wald', 'correction': True}
    >>> parse_parameters([["levels", "[0.8, 0.9]"], ["label", "'0.5'"]])
    {'levels': [0.8, 0.9], 'label': '0.5'}
    """
    import ast

    out: dict[str, object] = {}
    for name, text in pairs:
        if not name.isidentifier():
            raise ValueError(f"-p {name} {text}: {name!r} is not a parameter name (letters, digits, _)")
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[name] = text
    return out


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            from ipsrep.inputs.foreign import is_foreign

            if args.mapping_template or args.mapping or is_foreign(args.file):
                return validate_foreign_command(args.file, args.mapping, template=args.mapping_template)
            return validate_command(args.file)
        if args.command == "reconstruct":
            return reconstruct_command(out=args.out, seed=args.seed)
        if args.command == "ensemble":
            return ensemble_command(members=args.members, first_seed=args.first_seed, scheduler=args.scheduler,
                                    out=args.out, work=args.work, workers=args.workers, linkage=args.linkage)
        if args.command == "compare":
            return compare_command(args.a, args.b)
        if args.command == "release":
            return release_command(args.report, args.out, data=args.data, rules=args.rules, mapping=args.mapping,
                                   review=args.review)
        if args.command == "pdf":
            return pdf_command(args.report, args.out)
        if args.command == "build":
            try:
                parameters = parse_parameters(args.parameter)
            except ValueError as err:
                print(terminal_safe(f"ipsrep build: {err}"), file=sys.stderr)
                return 2
            data = args.data
            if data is not None and (args.mapping or Path(data).suffix.lower() in (".sav", ".zsav", ".dta")):
                from ipsrep.inputs.foreign import MappingError, build_input

                try:
                    data = str(build_input(data, args.mapping, paths.PROJECT_ROOT / ".cache" / "ipsrep-foreign"))
                except MappingError as err:
                    print(terminal_safe(str(err)), file=sys.stderr)
                    return 1
            return build_command(data=data, out=args.out, jobs=args.jobs, show_code=args.show_code,
                                 parameters=parameters, cache=not args.no_cache,
                                 compare_with_paper=args.compare_with_paper)
    except KeyboardInterrupt:
        print("ipsrep: interrupted", file=sys.stderr)
        return 130
    return 2


# --------------------------------------------------------------------------------------
# The commands: each calls one library function, prints, and returns the exit status
# --------------------------------------------------------------------------------------
def _say(text: str, stream=None) -> None:
    """Print `text` (file names, keys and messages carry the user's strings) made safe for
    the terminal, to stdout or `stream`."""
    print(terminal_safe(text), file=stream or sys.stdout)


def build_command(
    data: str | os.PathLike | None = None,
    out: str | os.PathLike | None = None,
    jobs: int | None = None,
    show_code: bool = False,
    notebooks_dir: str | os.PathLike | None = None,
    *,
    parameters: dict | None = None,
    cache: bool = True,
    cache_dir: str | os.PathLike | None = None,
    compare_with_paper: bool | None = None,
) -> int:
    """``ipsrep build`` (:func:`ipsrep.report.build.build_report`, same arguments); return
    the exit status (0 built, 1 failed, 2 bad arguments, 130 interrupted).

    Messages go to stderr: one line per notebook as it starts and ends, then either a
    summary of what was written or one message saying what failed.
    """
    from ipsrep.report.build import build_report
    from ipsrep.report.failures import BuildError, Interrupted, UsageError, one_line, say, shown

    try:
        built = build_report(data, out, jobs, show_code, notebooks_dir, parameters=parameters, cache=cache,
                             cache_dir=cache_dir, compare_with_paper=compare_with_paper)
    except Interrupted as err:
        say(f"ipsrep build: {err}")
        return 130
    except KeyboardInterrupt:
        say("ipsrep build: interrupted; the previous report is unchanged.")
        return 130
    except BuildError as err:
        say(f"ipsrep build: {err}")
        return 2 if isinstance(err, UsageError) else 1
    except Exception as exc:  # a failure of the pipeline itself: still one message, no traceback
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            where = shown(exc.filename) if exc.filename else "the report"
            say(f"ipsrep build: no space left on the device writing {where}; free some space and build "
                "again. The report folder is unchanged.")
            return 1
        say(f"ipsrep build: internal error ({type(exc).__name__}: {one_line(str(exc))}); "
            "the report folder is unchanged. This is a bug in ipsrep; please report it.")
        return 1
    say(f"ipsrep build: {'unchanged' if built.outcome == 'unchanged' else 'wrote'} {shown(built.out)} "
        f"({built.pages} pages, {built.executed} executed, {built.pages - built.executed} from cache, "
        f"ledger.csv with {built.ledger_rows} rows) in {built.seconds:.1f} s")
    return 0


def compare_command(a: str, b: str) -> int:
    """``ipsrep compare A/ledger.csv B/ledger.csv``: print every ledger key whose value or
    status differs between two builds (:func:`ipsrep.report.ledger.compare_ledgers`), then
    a one-line summary; 0 when both files were read, 2 (one line on stderr) when one
    cannot be."""
    from ipsrep.report.ledger import compare_ledgers, read_ledger_file, reproduced_text

    tables = []
    for path in (a, b):
        try:
            tables.append(read_ledger_file(path))
        except ValueError as err:
            _say(f"ipsrep compare: {err}", sys.stderr)
            return 2
    diff = compare_ledgers(*tables)

    def shown(value, status) -> str:
        text = reproduced_text(value) or "-"
        return f"{text} ({status})" if status else text

    for _, r in diff.iterrows():
        if r["change"] in ("only in A", "only in B"):
            side = ("reproduced_a", "status_a") if r["change"] == "only in A" else ("reproduced_b", "status_b")
            _say(f"{r['key']}: {r['change']}: {shown(r[side[0]], r[side[1]])}  [{r['quantity']}]")
        else:
            _say(f"{r['key']}: {shown(r['reproduced_a'], r['status_a'])} -> "
                 f"{shown(r['reproduced_b'], r['status_b'])}  [{r['quantity']}]")
    keys = len(set(tables[0]["key"]) | set(tables[1]["key"]))
    _say(f"{len(diff)} of {keys} ledger keys differ between {a} and {b}")
    return 0


def release_command(report_dir: str, out: str, *, data: str | None = None, rules: str | None = None,
                    mapping: str | None = None, review: str | None = None) -> int:
    """``ipsrep release`` (:func:`ipsrep.release.release.release_report`): 0 and the
    counts on stdout, or 1 and one line on stderr."""
    from ipsrep.release.release import ReleaseError, release_report

    try:
        c = release_report(report_dir, out, data=data, rules=rules, mapping=mapping, review=review)
    except (ReleaseError, ValueError) as exc:
        _say(f"ipsrep release: {exc}", sys.stderr)
        return 1
    _say(f"{out}: {c['checked']} outputs checked, {c['passed']} passed, {c['suppressed']} "
         f"suppressed or withheld, {c['not_copied']} not copied; see {out}/sdc_summary.md (the "
         f"numbers behind each decision, for the output checker only: "
         f"{review or Path(out).with_name(Path(out).name + '.review')})")
    return 0


def reconstruct_command(out: str | None = None, seed: int | None = None, budget: int | None = None) -> int:
    """``ipsrep reconstruct``: write the reconstruction (default
    ``data/reconstructed/ips_in_pain.csv``) whole or not at all; 0, 1 when it cannot be
    built or written, 2 for an ``--out`` it may not write."""
    import io

    from ipsrep.atomic import write_atomic
    from ipsrep.synthetic.reconstruct import reconstruct_target, reconstruct_with_search, reconstruction_fits, write_csv

    try:
        target = reconstruct_target(out)
    except ValueError as exc:
        _say(f"ipsrep reconstruct: {exc}", sys.stderr)
        return 2
    try:
        table, search = reconstruct_with_search(seed=seed, budget=budget)
    except ValueError as exc:
        _say(f"ipsrep reconstruct: {exc}", sys.stderr)
        return 1
    text = io.StringIO()
    write_csv(table, text)
    try:
        write_atomic(target, text.getvalue())
    except OSError as exc:
        _say(f"ipsrep reconstruct: cannot write {target}: {exc.strerror or exc}", sys.stderr)
        return 1
    fits = reconstruction_fits(seed)
    missed = fits[~fits["hit"]]
    _say(f"wrote {target} ({len(table)} synthetic participants); "
         f"{len(fits) - len(missed)} of {len(fits)} printed comparisons reproduced")
    for _, row in missed.iterrows():
        _say(f"  not reproduced: {row['measure']} {row['visit']}", sys.stderr)
    _say(f"linkage search: {int(search['steps'].sum())} steps, {int(search['accepted'].sum())} moves, "
         f"{search['cpu_seconds'].sum():.1f} s of processor time; "
         f"{int(search['done'].sum())} of {len(search)} measures stopped well inside the Table 4 targets")
    return 0


def ensemble_command(members: int, first_seed: int | None = None, scheduler: str | None = None,
                     out: str | None = None, work: str | None = None, workers: int | None = None,
                     linkage: str = "searched") -> int:
    """``ipsrep ensemble`` (:func:`ipsrep.synthetic.ensemble_run.run_ensemble`); exit
    status 0 when all the members wanted were computed, 1 when fewer were (too many seeds
    failed), 2 on bad arguments or when no scheduler can be reached."""
    from ipsrep.synthetic import ensemble as ens
    from ipsrep.synthetic import ensemble_summary
    from ipsrep.synthetic.ensemble_run import run_ensemble

    try:
        summary = run_ensemble(members, first_seed=first_seed, scheduler=scheduler, out=out, work=work,
                               workers=workers, linkage=linkage)
    except ValueError as err:
        _say(f"ipsrep ensemble: {err}", sys.stderr)
        return 2
    except OSError as err:
        where = f"scheduler {scheduler}" if scheduler else "the local cluster"
        _say(f"ipsrep ensemble: cannot use {where}: {getattr(err, 'strerror', None) or err}", sys.stderr)
        return 2
    if len(summary.members) < (members or 0):
        return 1
    found = ens.read_ensemble(summary.out)
    check = ensemble_summary.check_printed(found.results, found.keys)
    bad = check[~check["passes"]]
    kinds = ensemble_summary.kind_counts(found.keys)
    left_out = ensemble_summary.misses(found.metadata)
    _say("ipsrep ensemble: keys by kind: "
         + ", ".join(f"{k} {n}" for k, n in zip(kinds["kind"], kinds["keys"], strict=True))
         + f"; {len(check) - len(bad)} of {len(check)} printed keys are the same in every member"
         + (f" (differing: {', '.join(bad['key'])})" if len(bad) else "")
         + ("; seeds left out: " + ", ".join(f"{n} ({miss})" for miss, n in left_out["miss"].value_counts().items())
            if len(left_out) else ""), sys.stderr)
    return 0


def pdf_command(report_dir: str = "reports", out: str = "report.pdf") -> int:
    """``ipsrep pdf`` (``make pdf``): the whole report as one PDF
    (:func:`ipsrep.report.pdf.print_pdf`). Returns 0 and one line on stdout, or 1 and one
    line on stderr."""
    from ipsrep.report.pdf import PdfError, print_pdf

    try:
        printed = print_pdf(report_dir, out)
    except PdfError as err:
        _say(f"ipsrep pdf: {err}", sys.stderr)
        return 1
    _say(f"ipsrep pdf: wrote {printed.path} ({printed.size // 1024} KiB, {printed.pages} pages of the report, "
         f"data: {printed.data_label})")
    return 0


# ipsrep validate (moved from ipsrep.inputs.contract and ipsrep.inputs.foreign, issue 24)
# --------------------------------------------------------------------------------------
def validate_command(path: str | Path) -> int:
    """``ipsrep validate FILE``: 0 and an OK line on stdout when the file keeps the
    contract; 1 and every violation plus a summary line on stderr when it does not."""
    from ipsrep.inputs.measures import GROUPS
    from ipsrep.inputs.parsing import parse_trial_file
    from ipsrep.inputs.terminal import terminal_safe
    from ipsrep.inputs.violations import summary_line

    try:
        parsed = parse_trial_file(path)
    except Exception as exc:  # a failure of ipsrep itself, still reported without a traceback
        print(terminal_safe(f"{path}: could not be checked ({type(exc).__name__}: {exc}); this is a "
                            "bug in ipsrep, please report it"), file=sys.stderr)
        return 2
    if parsed.violations:
        for violation in parsed.violations:
            print(violation.line(), file=sys.stderr)
        if len(parsed.violations) > 1 or parsed.violations[0].row is not None or parsed.violations[0].column:
            print(summary_line(parsed.violations), file=sys.stderr)  # a file that cannot be read: its one line
        return 1
    assert parsed.table is not None  # a parse without violations has its table
    counts = parsed.table["group"].value_counts()
    arms = ", ".join(f"{g} {int(counts.get(g, 0))}" for g in GROUPS)
    print(terminal_safe(f"OK: {path}: {len(parsed.table)} participants ({arms})"))
    return 0


def validate_foreign_command(data: str, mapping: str | None = None, *, template: bool = False) -> int:
    """``ipsrep validate trial.sav [--mapping M]`` and ``ipsrep validate --mapping-template trial.sav``."""
    import io

    import pandas as pd

    from ipsrep.inputs.foreign import MappingError, check_foreign, default_mapping, write_mapping_template
    from ipsrep.inputs.measures import GROUPS
    from ipsrep.inputs.terminal import terminal_safe

    if template:
        try:
            out = write_mapping_template(data)
        except MappingError as exc:
            print(str(exc), file=sys.stderr)
            return 1
        print(terminal_safe(f"wrote {out}: fill in their_variable for each contract column and contract_value "
                            f"for each code, then run `ipsrep validate {data}`"))
        return 0
    problems, mapped = check_foreign(data, mapping)
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        print(terminal_safe(f"{data}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
                            "(see data/README.md)"), file=sys.stderr)
        return 1
    assert mapped is not None  # check_foreign returns the mapped CSV when it finds no problem
    table = pd.read_csv(io.BytesIO(mapped), dtype=str, keep_default_na=False)
    counts = table["group"].value_counts()
    arms = ", ".join(f"{g} {int(counts.get(g, 0))}" for g in GROUPS)
    used = Path(mapping) if mapping is not None else default_mapping(data)
    print(terminal_safe(f"OK: {data} (mapping {used}): {len(table)} participants ({arms})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

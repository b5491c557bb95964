"""Command-line entry point: ``ipsrep validate | reconstruct | ensemble | compare | release | build``.

Each subcommand lives in the module responsible for it; this file only parses
arguments and turns expected failures into a message and an exit status, never a
traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ipsrep import paths


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
            from ipsrep.synthetic.reconstruct import reconstruct_command

            return reconstruct_command(out=args.out, seed=args.seed)
        if args.command == "ensemble":
            from ipsrep.synthetic.ensemble_run import ensemble_command

            return ensemble_command(members=args.members, first_seed=args.first_seed, scheduler=args.scheduler,
                                    out=args.out, work=args.work, workers=args.workers, linkage=args.linkage)
        if args.command == "compare":
            from ipsrep.report.ledger import compare_command

            return compare_command(args.a, args.b)
        if args.command == "release":
            from ipsrep.release.release import release_command

            return release_command(args.report, args.out, data=args.data, rules=args.rules, mapping=args.mapping,
                                   review=args.review)
        if args.command == "build":
            from ipsrep.report.build import build_command

            try:
                parameters = parse_parameters(args.parameter)
            except ValueError as err:
                from ipsrep.inputs.contract import terminal_safe

                print(terminal_safe(f"ipsrep build: {err}"), file=sys.stderr)
                return 2
            data = args.data
            if data is not None and (args.mapping or Path(data).suffix.lower() in (".sav", ".zsav", ".dta")):
                from ipsrep.inputs.foreign import MappingError, build_input

                try:
                    data = str(build_input(data, args.mapping, paths.PROJECT_ROOT / ".cache" / "ipsrep-foreign"))
                except MappingError as err:
                    from ipsrep.inputs.contract import terminal_safe

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

"""Command-line entry point: ``ipsrep validate | reconstruct | build``.

Each subcommand lives in the module responsible for it; this file only parses
arguments and turns expected failures into a message and an exit status, never a
traceback.
"""
from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ipsrep", description="IPS in Pain replication report")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a participant-level CSV against the data contract")
    p.add_argument("file", help="CSV file, one row per participant (see data/README.md)")

    p = sub.add_parser("reconstruct", help="write the synthetic participant-level data set")
    p.add_argument("--out", default=None, help="output CSV (default: data/reconstructed/ips_in_pain.csv)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the committed one)")

    p = sub.add_parser("build", help="execute the notebooks into the HTML report")
    p.add_argument("--data", default=None, help="participant-level CSV (default: the bundled reconstruction)")
    p.add_argument("--out", default=None, help="report folder (default: reports/)")
    p.add_argument("--jobs", type=int, default=None, help="notebooks executed at once (default: cores)")
    p.add_argument("--show-code", action="store_true", help="render with code cells visible")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            from .contract import validate_command

            return validate_command(args.file)
        if args.command == "reconstruct":
            from .reconstruct import reconstruct_command

            return reconstruct_command(out=args.out, seed=args.seed)
        if args.command == "build":
            from .build import build_command

            return build_command(data=args.data, out=args.out, jobs=args.jobs, show_code=args.show_code)
    except KeyboardInterrupt:
        print("ipsrep: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())

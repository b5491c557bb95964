"""A breach of the data contract (:class:`Violation`), the error that lists them
(:class:`ContractError`) and their table."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from ipsrep.inputs.fields import POSITION
from ipsrep.inputs.terminal import terminal_safe

__all__ = ["ContractError", "Violation", "summary_line", "violations_table"]


@dataclass(frozen=True)
class Violation:
    """One breach of the data contract.

    ``row`` is the line number in the file (header = line 1, first participant = line
    2), None for a problem of the whole file or of a whole column; ``column`` and
    ``participant_id`` are None when they do not apply.
    """

    file: str
    column: str | None
    row: int | None
    participant_id: str | None
    message: str

    def line(self) -> str:
        """The violation as one readable line.

        Examples
        --------
        >>> Violation("data.csv", "age", 7, "P07", "17 is outside 18-65").line()
        "data.csv: column 'age', line 7 (participant P07): 17 is outside 18-65"
        >>> Violation("data.csv", None, None, None, "no such file").line()
        'data.csv: no such file'
        """
        where = []
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.row is not None:
            who = f" (participant {self.participant_id})" if self.participant_id else ""
            where.append(f"line {self.row}{who}")
        place = f"{', '.join(where)}: " if where else ""
        return terminal_safe(f"{self.file}: {place}{self.message}")

    def sort_key(self) -> tuple:
        """Where the violation is listed: by line, then by the contract's column order."""
        return (self.row or 0, POSITION.get(self.column or "", -1))


def summary_line(violations: list[Violation]) -> str:
    """One line counting the violations of a file."""
    n = len(violations)
    return terminal_safe(f"{violations[0].file}: {n} violation{'s' if n != 1 else ''} of the data "
                         "contract (see data/README.md)")


class ContractError(Exception):
    """A file breaks the data contract; ``violations`` lists every breach."""

    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join([summary_line(self.violations), *(v.line() for v in self.violations)])


def violations_table(violations: list[Violation]) -> pd.DataFrame:
    """Violations as a table: ``file, column, row, participant_id, message``."""
    return pd.DataFrame([asdict(v) for v in violations],
                        columns=["file", "column", "row", "participant_id", "message"])

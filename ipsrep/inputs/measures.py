"""The trial's instruments and visits: names, scales and the grid each score lives on.

One place for what the data contract, the reconstruction and the notebooks need to know
about a measure. Ranges and steps follow the instruments as the trial paper describes
them (Sveinsdottir et al. 2022, Methods, Outcomes): ODI 0-100 as twice the sum of ten
0-5 items; EQ-VAS whole numbers 0-100; HSCL-25 the mean of 25 items scored 1-4, with
its anxiety (10 items) and depression (15 items) subscales; BPI numeric rating scales
0-10.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

GROUPS: tuple[str, str] = ("IPS", "TAU")
VISITS: tuple[str, ...] = ("0m", "6m", "12m")
FOLLOW_UPS: tuple[str, ...] = ("6m", "12m", "24m")


@dataclass(frozen=True)
class Measure:
    """A repeated health outcome: column stem, label, legal range and grid step."""

    name: str
    label: str
    low: float
    high: float
    step: Fraction

    def column(self, visit: str) -> str:
        """Contract column holding this measure at `visit` (e.g. ``odi_6m``)."""
        return f"{self.name}_{visit}"

    @property
    def scale(self) -> str:
        return f"{self.low:g}-{self.high:g}"


MEASURES: tuple[Measure, ...] = (
    Measure("odi", "Pain-related disability (ODI)", 0, 100, Fraction(2)),
    Measure("eqvas", "Health-related QoL (EQ-VAS)", 0, 100, Fraction(1)),
    Measure("hscl", "Psychological distress (HSCL-25)", 1, 4, Fraction(1, 25)),
    Measure("anxiety", "Anxiety (HSCL-25 subscale)", 1, 4, Fraction(1, 10)),
    Measure("depression", "Depression (HSCL-25 subscale)", 1, 4, Fraction(1, 15)),
    Measure("bpi_current", "Pain intensity, current (BPI)", 0, 10, Fraction(1)),
    Measure("bpi_worst", "Pain intensity, worst (BPI)", 0, 10, Fraction(1)),
    Measure("bpi_average", "Pain intensity, average (BPI)", 0, 10, Fraction(1)),
    Measure("bpi_least", "Pain intensity, least (BPI)", 0, 10, Fraction(1)),
)
MEASURE_BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}

HSCL_CUTOFF = 1.75
"""HSCL-25 item mean at or above which distress counts as clinically relevant."""


def measure(name: str) -> Measure:
    """Look up a measure by its column stem, with a message listing the known ones."""
    try:
        return MEASURE_BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown measure {name!r}; known: {', '.join(MEASURE_BY_NAME)}") from None


def outcome_columns() -> list[str]:
    """Every repeated-measure column of the contract, measure by measure, visit by visit."""
    return [m.column(v) for m in MEASURES for v in VISITS]

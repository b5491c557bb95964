"""The pilot study of IPS for chronic pain: its eight participants, employment and interviews.

Source: Rødevand L, Ljosaa TM, Granan LP, Knutzen T, Jacobsen HB, Reme SE. BMC
Musculoskeletal Disorders 2017;18:550 (the pilot of IPS at the Oslo pain clinic).

The paper describes its participants in aggregate (its Tables 1-2 are not in our source),
so ``data/pilot/participants.csv`` holds a reconstruction that honours every aggregate
statement, and ``data/pilot/provenance.csv`` says which cells rest on the text (see
``data/pilot/README.md``). This module reads and checks both, summarises them into the
numbers the paper prints (for the ledger), sets the 12-month employment rate with an
exact interval beside the rates the paper and the trial compare it with, and asks
whether the printed interview lengths are possible for eight whole-minute interviews.
The figures drawn from these tables are in :mod:`ipsrep.plots.pilot`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ipsrep import paths
from ipsrep.inputs import published
from ipsrep.inputs.datafiles import read_checked_csv, read_local_csv
from ipsrep.methods import granularity
from ipsrep.methods.proportions import clopper_pearson_interval

PILOT_DIR = paths.DATA_DIR / "pilot"
PARTICIPANTS_CSV = PILOT_DIR / "participants.csv"
PROVENANCE_CSV = PILOT_DIR / "provenance.csv"

PAIN_CONDITIONS_CSV = PILOT_DIR / "pain_conditions.csv"
"""The pain conditions the paper lists (Results, clinical characteristics), one a line."""

ARMS: tuple[str, str] = ("3 months", "extended")
"""The job-support arms: the planned period only, or the planned period plus the extension."""
REGISTRATION_MONTHS: tuple[int, ...] = (3, 6, 12)
"""Months at which the pilot registered employment (Methods, instruments)."""
LIMITED_SUPPORT: tuple[str, str] = ("holiday abroad", "postponed for surgery")
BASES: tuple[str, ...] = ("stated", "bounded", "inferred", "conflicting", "reconstructed")


# --------------------------------------------------------------------------------------
# Reading and checking
# --------------------------------------------------------------------------------------
def pain_conditions(path: str | Path = PAIN_CONDITIONS_CSV) -> list[str]:
    """The pain conditions named in the pilot paper (``data/pilot/pain_conditions.csv``)."""
    return read_local_csv(path, dtype=str)["pain_condition"].str.strip().tolist()


def participants_schema() -> pa.DataFrameSchema:
    """The checks on ``data/pilot/participants.csv`` (columns as in data/pilot/README.md)."""
    return pa.DataFrameSchema(
        {
            "participant": pa.Column(str, pa.Check.str_matches(r"^P[1-8]$"), unique=True),
            "sex": pa.Column(str, pa.Check.isin(["female", "male"])),
            "age": pa.Column(int, pa.Check.in_range(18, 67), coerce=True),
            "pain_condition": pa.Column(str, pa.Check.isin(pain_conditions()), unique=True),
            "pain_years": pa.Column(int, pa.Check.ge(0), coerce=True),
            "out_of_work_years": pa.Column(int, pa.Check.ge(0), coerce=True),
            "dropped_out": pa.Column(int, pa.Check.isin([0, 1]), coerce=True),
            "follow_up": pa.Column(str, pa.Check.isin(ARMS)),
            "ips_months": pa.Column(float, pa.Check.in_range(0, 12), coerce=True),
            "employed_from_month": pa.Column("Int64", pa.Check.isin(REGISTRATION_MONTHS), nullable=True, coerce=True),
            "limited_support": pa.Column(str, pa.Check.isin(LIMITED_SUPPORT), nullable=True),
        },
        strict=True,
        name="pilot participants",
    )


def load_participants(path: str | Path = PARTICIPANTS_CSV) -> pd.DataFrame:
    """The eight pilot participants, one row each, checked (see data/pilot/README.md)."""
    return read_checked_csv(path, participants_schema(), "participant").reset_index(drop=True)


def provenance_schema() -> pa.DataFrameSchema:
    """The checks on ``data/pilot/provenance.csv``."""
    return pa.DataFrameSchema(
        {
            "participant": pa.Column(str, pa.Check.str_matches(r"^P[1-8]$")),
            "column": pa.Column(str, pa.Check.isin(list(participants_schema().columns)[1:])),
            "basis": pa.Column(str, pa.Check.isin(BASES[:-1])),
            "note": pa.Column(str),
        },
        unique=["participant", "column"],
        strict=True,
        name="pilot provenance",
    )


def cell_basis(participants: pd.DataFrame, path: str | Path = PROVENANCE_CSV) -> pd.DataFrame:
    """What each cell of the participant table rests on.

    Parameters
    ----------
    participants : pandas.DataFrame
        From :func:`load_participants`.
    path : str or Path
        ``data/pilot/provenance.csv``: the cells that rest on the text.

    Returns
    -------
    pandas.DataFrame
        One row per participant and column: ``participant, column, basis, note``, with
        ``basis`` one of :data:`BASES` (``reconstructed`` for every cell not listed).
    """
    listed = read_checked_csv(path, provenance_schema(), "participant")
    columns = [c for c in participants.columns if c != "participant"]
    grid = pd.MultiIndex.from_product([participants["participant"], columns], names=["participant", "column"])
    out = listed.set_index(["participant", "column"]).reindex(grid).reset_index()
    out["basis"] = out["basis"].fillna("reconstructed")
    out["note"] = out["note"].fillna("")
    return out


def basis_counts(basis: pd.DataFrame) -> pd.DataFrame:
    """Cells per column and basis: a column per basis, a row per participant-table column."""
    table = pd.crosstab(basis["column"], basis["basis"]).reindex(columns=list(BASES), fill_value=0)
    order = list(dict.fromkeys(basis["column"]))
    return table.reindex(order).rename_axis(columns=None).reset_index()


# --------------------------------------------------------------------------------------
# The printed aggregates
# --------------------------------------------------------------------------------------
def employment_by_month(participants: pd.DataFrame, months=(0, *REGISTRATION_MONTHS)) -> pd.DataFrame:
    """Participants registered as employed by each month (cumulative, all eight counted).

    The paper's rate counts every participant, the drop-out included, in the
    denominator (Results, employment status).

    Returns
    -------
    pandas.DataFrame
        ``month, employed, n, pct``.
    """
    start = participants["employed_from_month"]
    n = len(participants)
    rows = [{"month": m, "employed": int((start <= m).sum()), "n": n} for m in months]
    out = pd.DataFrame(rows)
    out["pct"] = 100 * out["employed"] / out["n"]
    return out


def summary_values(participants: pd.DataFrame) -> dict[str, float]:
    """The pilot's printed aggregates recomputed from the participant table, by ledger key.

    Keys follow ``data/published/pilot.csv``: size and sex, age range, pain and
    work-absence ranges, drop-outs, the extended arm and who in it found work, the
    limited-support reasons and employment at 3, 6 and 12 months (count and percent).
    """
    p = participants
    employed = employment_by_month(p).set_index("month")
    extended = p["follow_up"] == "extended"
    return {
        "pilot.n": len(p),
        "pilot.women": int((p["sex"] == "female").sum()),
        "pilot.men": int((p["sex"] == "male").sum()),
        "pilot.age_min": p["age"].min(),
        "pilot.age_max": p["age"].max(),
        "pilot.pain_years_min": p["pain_years"].min(),
        "pilot.pain_years_max": p["pain_years"].max(),
        "pilot.out_of_work_years_min": p["out_of_work_years"].min(),
        "pilot.out_of_work_years_max": p["out_of_work_years"].max(),
        "pilot.dropouts": int(p["dropped_out"].sum()),
        "pilot.extended_followup_methods": int(extended.sum()),
        "pilot.extended_followup_discussion": int(extended.sum()),
        "pilot.extended_employed": int((extended & p["employed_from_month"].notna()).sum()),
        "pilot.holiday_abroad": int((p["limited_support"] == "holiday abroad").sum()),
        "pilot.postponed_for_surgery": int((p["limited_support"] == "postponed for surgery").sum()),
        **{f"pilot.employed_{m}m": int(employed.at[m, "employed"]) for m in REGISTRATION_MONTHS},
        "pilot.employed_12m_pct": float(employed.at[12, "pct"]),
    }


CONTEXT_KEYS: tuple[str, ...] = (
    "pilot.background.prevalence_pct_min", "pilot.background.prevalence_pct_max",
    "pilot.background.back_pain_sick_leave_beur", "pilot.background.back_pain_welfare_beur",
    "pilot.insurance.sick_pay_pct", "pilot.insurance.sick_pay_weeks_max", "pilot.insurance.long_term_pct",
)
"""Published keys of the pilot's context figures (Background; Methods, study context):
prevalence, costs of back pain and the benefits its participants lived on. Printed once,
checked by nothing else."""


def characteristics(participants: pd.DataFrame) -> pd.DataFrame:
    """Table-1-style description of the reconstruction (aggregates only).

    Returns
    -------
    pandas.DataFrame
        ``characteristic, value``: counts by sex, age range and how many are in their
        thirties (the paper says only "the majority", so the row gives the counts that
        word allows and marks ours as a choice), pain and work-absence ranges,
        drop-outs and arm sizes.
    """
    p = participants

    def rng(column: str) -> str:
        return f"{p[column].min()}-{p[column].max()}"

    # "the majority" in their thirties: more than half, and at most everyone but the
    # youngest and the oldest when those lie outside the thirties
    thirties_low = len(p) // 2 + 1
    thirties_high = len(p) - sum(not 30 <= a <= 39 for a in (p["age"].min(), p["age"].max()))

    rows = [
        ("participants", f"{len(p)}"),
        ("women / men", f"{(p['sex'] == 'female').sum()} / {(p['sex'] == 'male').sum()}"),
        ("age, range (years)", rng("age")),
        (f"in their thirties (paper: the majority; {thirties_low}-{thirties_high} of {len(p)} fit)",
         f"{p['age'].between(30, 39).sum()} of {len(p)} (our choice)"),
        ("years with pain, range", rng("pain_years")),
        ("years out of competitive work, range", rng("out_of_work_years")),
        ("distinct pain conditions", f"{p['pain_condition'].nunique()}"),
        ("dropped out early", f"{p['dropped_out'].sum()}"),
        ("arm: 3 months / extended", " / ".join(str((p["follow_up"] == f).sum()) for f in ARMS)),
    ]
    return pd.DataFrame(rows, columns=["characteristic", "value"])


def extended_followup_statements(participants: pd.DataFrame) -> pd.DataFrame:
    """The paper's two counts of participants with extended job support, beside the table's.

    The Methods (intervention) give four participants nine further months of job
    support; the Discussion speaks of three with an extended intervention, two of whom
    found work (at 6 and at 12 months). The reconstruction follows the Methods.

    Returns
    -------
    pandas.DataFrame
        ``key, source, statement, printed, in_table``.
    """
    ours = summary_values(participants)
    pub = published.load_published()
    keys = ["pilot.extended_followup_methods", "pilot.extended_followup_discussion", "pilot.extended_employed"]
    return pd.DataFrame(
        {
            "key": keys,
            "source": [pub.at[k, "source"] for k in keys],
            "statement": [pub.at[k, "quantity"] for k in keys],
            "printed": [int(pub.at[k, "value"]) for k in keys],
            "in_table": [ours[k] for k in keys],
        }
    )


# --------------------------------------------------------------------------------------
# Employment rate beside its comparators
# --------------------------------------------------------------------------------------
def rate_row(label: str, count: int, n: int, level: float, source: str) -> dict:
    """One estimate: count/n as a percentage with its Clopper-Pearson interval.

    The interval is :func:`ipsrep.methods.proportions.clopper_pearson_interval` at `level` (Clopper
    and Pearson, Biometrika 1934;26:404-13), on the 0-1 scale (``ci_low``, ``ci_high``); the
    row has the columns of :func:`rate_comparison`.
    """
    low, high = clopper_pearson_interval(count, n, level)
    return {"label": label, "kind": "estimate", "count": count, "n": n, "pct": 100 * count / n,
            "ci_low": low, "ci_high": high, "level": level, "source": source}


def published_rate(prefix: str) -> tuple[int, int]:
    """Count and denominator of a published ``<prefix>_count`` / ``<prefix>_pct`` pair.

    The denominator is not printed, so it is recovered as the only n for which the
    count prints as the percentage (:func:`ipsrep.methods.granularity.denominators_for`).
    """
    count = int(published.value(f"{prefix}_count"))
    pct_key = f"{prefix}_pct"
    decimals = int(published.load_published().at[pct_key, "decimals"])
    ns = granularity.denominators_for(count, published.value(pct_key), decimals)
    if len(ns) != 1:
        raise ValueError(f"{prefix}: {count} and {published.value(pct_key)}% fit {len(ns)} denominators {ns}")
    return count, ns[0]


def rate_comparison(participants: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The pilot's 12-month employment rate beside the rates it is compared with.

    Rows: the pilot (employed by 12 months over all eight) and the trial's IPS and TAU
    arms at 12 months (Sveinsdottir et al. 2022, Table 2; counts and percentages from
    ``data/published``), each with a ``1 - alpha`` Clopper-Pearson interval; then the
    two ranges of earlier studies that the pilot's Discussion cites (regular
    return-to-work programmes and IPS, both for people with mental disorders).

    Returns
    -------
    pandas.DataFrame
        ``label, kind (estimate | range), count, n, pct, ci_low, ci_high, level, source``;
        ``pct`` in percent (0-100), ``ci_low``/``ci_high`` on the 0-1 scale; ranges carry
        only ``ci_low`` and ``ci_high`` (the printed range, 0-1 scale, not an interval).

    References
    ----------
    Clopper CJ, Pearson ES. Biometrika 1934;26:404-13 (via
    :func:`ipsrep.methods.proportions.clopper_pearson_interval`).
    """
    level = 1 - alpha
    employed = employment_by_month(participants).set_index("month").loc[12]
    trial_src = "Sveinsdottir et al. 2022, Table 2"
    rows = [rate_row("Pilot, IPS (12 months)", int(employed["employed"]), int(employed["n"]), level,
                     "Rødevand et al. 2017, Results")]
    for group in ("ips", "tau"):
        count, n = published_rate(f"t2.12m.{group}")
        rows.append(rate_row(f"Trial, {group.upper()} arm (12 months)", count, n, level, trial_src))
    for stem, label in (("rtw_programmes", "Regular return-to-work, mental disorders"),
                        ("ips_smi", "IPS, mental disorders")):
        rows.append({"label": f"{label} (earlier studies)", "kind": "range", "count": np.nan, "n": np.nan,
                     "pct": np.nan, "ci_low": published.value(f"pilot.{stem}_pct_min") / 100,
                     "ci_high": published.value(f"pilot.{stem}_pct_max") / 100, "level": np.nan,
                     "source": "Rødevand et al. 2017, Discussion"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Interview lengths
# --------------------------------------------------------------------------------------
def interview_length_check(n: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Can eight whole-minute interviews have the printed range, mean and SD?

    Reads minimum, maximum, mean and SD from ``data/published/pilot.csv`` (Methods:
    13-33 minutes, mean 22, SD 9, all printed as whole numbers) and applies GRIM (Brown
    and Heathers 2017), GRIMMER (Anaya 2016) and a complete enumeration of the samples
    of `n` whole minutes that contain both extremes and round to both statistics
    (:mod:`ipsrep.methods.granularity`).

    Parameters
    ----------
    n : int, optional
        Number of interviews; default the number of participants (all eight,
        including the drop-out, were interviewed).

    Returns
    -------
    checks : pandas.DataFrame
        ``check, consistent, detail``: one row per test.
    samples : pandas.DataFrame
        Every sample that fits (``x1..xn, total, mean, sd``), from
        :func:`ipsrep.methods.granularity.possible_samples`.
    """
    n = int(published.value("pilot.n")) if n is None else n
    pub = published.load_published()
    printed = {s: pub.loc[f"pilot.interview_minutes_{s}"] for s in ("mean", "sd", "min", "max")}
    mean, dm = printed["mean"]["value"], int(printed["mean"]["decimals"])
    sd, ds = printed["sd"]["value"], int(printed["sd"]["decimals"])
    low, high = printed["min"]["value"], printed["max"]["value"]
    totals = granularity.grim_totals(mean, n, dm)
    samples = granularity.possible_samples(mean, sd, n, dm, ds, low, high)
    checks = pd.DataFrame(
        [
            (
                "GRIM: mean",
                bool(totals.size),
                f"totals of {totals.min()}-{totals.max()} minutes give the mean" if totals.size else "no total fits",
            ),
            (
                "GRIMMER: mean and SD",
                granularity.grimmer_consistent(mean, sd, n, dm, ds),
                "a whole sum of squares of the right parity exists",
            ),
            (
                "samples within the printed range",
                not samples.empty,
                f"{len(samples)} distinct samples of {n} whole minutes, containing both extremes",
            ),
        ],
        columns=["check", "consistent", "detail"],
    )
    return checks, samples


def interview_sample_summary(samples: pd.DataFrame) -> pd.DataFrame:
    """Where the fitting samples put each ordered interview length.

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = shortest), ``min, median, max`` minutes over all fitting samples.
    """
    cols = [c for c in samples.columns if c.startswith("x")]
    stats = samples[cols].agg(["min", "median", "max"]).T
    return stats.reset_index(names="rank").assign(rank=lambda d: d["rank"].str[1:].astype(int))


def interview_ledger_values(samples: pd.DataFrame) -> dict[str, float]:
    """Ledger values for the interview statistics: the median over the fitting samples.

    NaN when no sample fits, which the ledger then marks ``inconsistent`` (a check of printed
    numbers against each other: ``compare(..., check=True)``).
    """
    if samples.empty:
        return {"pilot.interview_minutes_mean": np.nan, "pilot.interview_minutes_sd": np.nan}
    return {"pilot.interview_minutes_mean": float(samples["mean"].median()),
            "pilot.interview_minutes_sd": float(samples["sd"].median())}

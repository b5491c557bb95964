"""Larger contract-valid trial files, made by resampling the bundled reconstruction.

The report must run unchanged on a trial far larger than the 58 participants of the
bundled file (issue 6: a 5,000-participant build in the benchmark and in the tests).
Such a file is made here by drawing participants, with replacement and within each arm,
from the bundled synthetic reconstruction and giving every drawn row a new
identifier. Each row is a row of the bundled file, so every per-row rule of the data
contract (ranges, the cumulative employment rule, missing cells) holds by construction;
the arms keep the bundled file's allocation ratio (38:20) up to rounding.

The result is a stress test, not a plausible trial: it repeats 58 response patterns,
so within-person and between-outcome structure is the reconstruction's, and every
test on it is far more "significant" than the real trial could be.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ipsrep import paths
from ipsrep.inputs.contract import MIN_PER_ARM

DEFAULT_SEED = 20220606
"""Seed of the default resample (any fixed number; it makes the file reproducible)."""


def _bundled_rows(source: str | os.PathLike | None) -> pd.DataFrame:
    """The source file's rows as text, exactly as written (no type conversion)."""
    path = paths.resolve(source) if source is not None else paths.RECONSTRUCTED_CSV
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def arm_sizes(n: int, source: pd.DataFrame) -> dict[str, int]:
    """Participants per arm for a resample of `n`, in the source file's allocation ratio.

    Largest-remainder rounding of ``n * share``; every arm gets at least
    :data:`ipsrep.inputs.contract.MIN_PER_ARM` participants (the contract's minimum).

    >>> src = pd.DataFrame({"group": ["IPS"] * 38 + ["TAU"] * 20})
    >>> arm_sizes(5000, src)
    {'IPS': 3276, 'TAU': 1724}
    >>> arm_sizes(4, src)
    {'IPS': 2, 'TAU': 2}
    """
    if n < 2 * MIN_PER_ARM:
        raise ValueError(f"a resampled trial needs at least {2 * MIN_PER_ARM} participants "
                         f"({MIN_PER_ARM} per arm), not {n}")
    counts = source["group"].value_counts().sort_index()
    exact = n * counts / counts.sum()
    # np.floor of a Series is a Series (numpy's stubs say ndarray)
    sizes = np.floor(exact).astype(int).clip(lower=MIN_PER_ARM)  # type: ignore[call-overload]
    remainder = (exact - np.floor(exact)).sort_values(ascending=False, kind="stable")
    for group in remainder.index:
        if sizes.sum() >= n:
            break
        sizes[group] += 1
    while sizes.sum() > n:  # only when the minimum lifted a tiny arm
        sizes[sizes.idxmax()] -= 1
    return {g: int(sizes[g]) for g in counts.index}


def resampled_trial(n: int = 5000, *, seed: int = DEFAULT_SEED,
                    source: str | os.PathLike | None = None, id_prefix: str = "rs") -> pd.DataFrame:
    """A trial of `n` participants drawn with replacement, per arm, from `source`.

    Parameters
    ----------
    n : int
        Participants in the new file (at least 2).
    seed : int
        Seed of numpy's default generator; the same seed gives the same file.
    source : path, optional
        Contract-valid participant file to draw from; default the bundled synthetic
        reconstruction ``data/reconstructed/ips_in_pain.csv``.
    id_prefix : str
        Prefix of the new participant ids (``rs00001``, ``rs00002``, ...).

    Returns
    -------
    pandas.DataFrame
        The source's columns, all as text exactly as written in the source (so empty
        cells stay empty), rows ordered IPS first, ``participant_id`` replaced.
    """
    rows = _bundled_rows(source)
    rng = np.random.default_rng(seed)
    parts = []
    for group, size in arm_sizes(n, rows).items():
        pool = rows[rows["group"] == group]
        parts.append(pool.iloc[rng.integers(0, len(pool), size=size)])
    out = pd.concat(parts, ignore_index=True)
    width = max(5, len(str(n)))
    out["participant_id"] = [f"{id_prefix}{i:0{width}d}" for i in range(1, n + 1)]
    return out


def write_resampled_trial(path: str | os.PathLike, n: int = 5000, *, seed: int = DEFAULT_SEED,
                          source: str | os.PathLike | None = None) -> Path:
    """Write :func:`resampled_trial` to `path` as a contract CSV; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    resampled_trial(n, seed=seed, source=source).to_csv(path, index=False, lineterminator="\n")
    return path

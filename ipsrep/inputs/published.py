"""The published numbers, as transcribed into ``data/published/``.

Each CSV there holds one row per printed number: ``key`` (dotted, as in the report's
ledger), ``printed`` (the text as printed), ``value`` (the same as a number),
``decimals`` (digits printed after the point), ``relation`` (``=``, or ``<`` for a bound
such as "P < 0.001"), ``source`` (where it is printed) and ``quantity`` (what it is).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ipsrep.paths import PUBLISHED_DIR

COLUMNS = ["key", "printed", "value", "decimals", "relation", "source", "quantity"]


@lru_cache(maxsize=4)
def _load(directory: str) -> pd.DataFrame:
    frames = [pd.read_csv(f, dtype={"printed": str}) for f in sorted(Path(directory).glob("*.csv"))]
    table = pd.concat(frames, ignore_index=True)[COLUMNS]
    duplicated = table.loc[table["key"].duplicated(), "key"].tolist()
    if duplicated:
        raise ValueError(f"{directory}: keys printed twice: {', '.join(duplicated)}")
    return table.set_index("key", drop=False)


def load_published(directory: str | Path = PUBLISHED_DIR) -> pd.DataFrame:
    """All published numbers, indexed by key (a copy, safe to modify)."""
    return _load(str(directory)).copy()


def value(key: str) -> float:
    """The published number under `key`."""
    return float(_load(str(PUBLISHED_DIR)).at[key, "value"])


def values(prefix: str) -> dict[str, float]:
    """Published numbers whose key starts with `prefix`, keyed by the rest of the key.

    >>> values("t2.12m.")["ips_count"]
    19.0
    """
    table = _load(str(PUBLISHED_DIR))
    hit = table[table["key"].str.startswith(prefix)]
    return {k[len(prefix):]: float(v) for k, v in zip(hit["key"], hit["value"], strict=True)}

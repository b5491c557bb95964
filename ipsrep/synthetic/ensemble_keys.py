"""What fixes each key of an ensemble member: its kind (printed, targeted, free) and the reason.

:func:`key_kind` classifies one ledger key (:data:`KINDS`), :func:`key_catalogue` lists
every key of a member with its printed counterpart and kind (the ``keys.csv`` of an
ensemble, :data:`KEY_COLUMNS`), :func:`is_p_value` marks p-values.
"""
from __future__ import annotations

import pandas as pd

from ipsrep.synthetic.ensemble_member import LINKAGES

__all__ = [
    "KEY_COLUMNS",
    "KINDS",
    "PRINTED_FAMILIES",
    "FREE_HOURS_KEYS",
    "TABLE4_SEARCH",
    "LEVENE_REDRAW",
    "FIXED_STATUSES",
    "is_p_value",
    "key_kind",
    "key_catalogue",
]

KEY_COLUMNS = ["key", "quantity", "published", "decimals", "relation", "status", "kind", "fixed_by", "p_value"]
"""Columns of ``keys.csv``: what each key is, its kind (:data:`KINDS`) and what fixes it."""

KINDS = {
    "printed": "the printed summaries determine it: the same in every member by construction of the marginal samples",
    "targeted": "a search or redraw of the reconstruction aims at it: held in every member by construction, "
                "not a finding",
    "free": "neither: what the printed summaries leave open, decided by the draw",
}
"""What fixes an ensemble key, by kind (:func:`key_kind`)."""

PRINTED_FAMILIES = ("t1", "t2", "t3", "flow", "rq2")
"""Ledger families whose values are per-group, per-visit counts, means, SDs or tests computed
from them (Table 1, Table 2, Table 3, the flow, hours and the 20-hour comparison)."""

FREE_HOURS_KEYS = ("rq2.hours.mannwhitney_prob", "rq2.hours.mannwhitney_p", "rq2.hours.permutation_p",
                   "rq2.hours.bootstrap_lo", "rq2.hours.bootstrap_hi")
"""Hours results that depend on how the hours spread among those who worked, which the
printed mean, SD and maximum do not fix and nothing in the reconstruction aims at."""

TABLE4_SEARCH = ("the Table 4 linkage search aims at it: estimate within {est:g} printed SE of its target "
                 "({inc:g} SE for the self-contradicting row), SE within {se:.0%} of the printed SE, "
                 "|z| at least {margin:g} on the printed side of 1.96")
LEVENE_REDRAW = ("the marginal samples are redrawn until Levene's test agrees at .05 with the t-test variant "
                 "the paper printed: its side of .05 is fixed, its value is not")
FIXED_STATUSES = ("approximate", "source_inconsistent")
"""Ledger statuses an analysis assigns by key, not by comparing the member's value."""


def is_p_value(key: str) -> bool:
    """Whether a ledger key holds a p-value (last part ``p``, ``p_*`` or ``*_p``).

    >>> [is_p_value(k) for k in ("t4.odi.group.p", "rq2.hours.p_welch", "t3.odi.6m.levene_p", "t2.12m.or")]
    [True, True, True, False]
    """
    last = key.rsplit(".", 1)[-1]
    return last == "p" or last.startswith("p_") or last.endswith("_p")


def key_kind(key: str, *, published: str = "", linkage: str = "searched") -> tuple[str, str]:
    """What fixes an ensemble key: its kind (:data:`KINDS`) and the reason, in words.

    Parameters
    ----------
    key : str
        A ledger key of :func:`member_ledger`.
    published : str
        The printed value ("" when the paper prints none).
    linkage : str
        The ensemble's linkage (:data:`LINKAGES`): Table 4 is ``targeted`` in the
        searched ensemble and ``free`` in the unsearched one.

    Rules, in order: Table 4 (``t4.*``: estimate, SE, z and p of every term, the
    intercept included, are what the linkage search aims at); Levene's p (``*levene_p``:
    the marginal samples are redrawn until its side of .05 agrees with the printed test
    variant); the hours sensitivity analyses (:data:`FREE_HOURS_KEYS`: free); then every
    other key of :data:`PRINTED_FAMILIES` is ``printed``, and anything else ``free``.

    >>> key_kind("t4.odi.interaction.estimate")[0], key_kind("t4.odi.interaction.p", linkage="unsearched")[0]
    ('targeted', 'free')
    >>> key_kind("t1.age.ips_mean", published="42.63")[0], key_kind("t3.odi.6m.levene_p")[0]
    ('printed', 'targeted')
    """
    from ipsrep.synthetic.linkage import ESTIMATE_TOLERANCE, INCONSISTENT_TOLERANCE, P_MARGIN, SE_TOLERANCE

    if linkage not in LINKAGES:
        raise ValueError(f"linkage must be one of {', '.join(LINKAGES)}, got {linkage!r}")
    family, last = key.split(".", 1)[0], key.rsplit(".", 1)[-1]
    if family == "t4":
        if linkage == "searched" and key.split(".")[2] == "intercept":
            return "free", ("aimed at by the Table 4 linkage search but not enforced: members that miss an "
                            "intercept target are kept (see ENFORCED_TERMS)")
        if linkage == "searched":
            return "targeted", TABLE4_SEARCH.format(est=ESTIMATE_TOLERANCE, inc=INCONSISTENT_TOLERANCE,
                                                    se=SE_TOLERANCE, margin=P_MARGIN)
        return "free", ("visits linked by rank on a latent score with a drawn within-person correlation; "
                        "nothing aims at Table 4")
    if last == "levene_p":
        return "targeted", LEVENE_REDRAW
    if key in FREE_HOURS_KEYS:
        return "free", "how the hours spread among those who worked, beyond the printed mean, SD and maximum"
    if family in PRINTED_FAMILIES:
        if published:
            return "printed", "a printed number: every marginal sample reproduces it"
        return "printed", "computed from printed counts, means, SDs or p-values only"
    return "free", "not among the families the printed summaries fix"


def key_catalogue(member: pd.DataFrame, linkage: str = "searched") -> pd.DataFrame:
    """What each key of a member is, and what fixes it.

    Parameters
    ----------
    member : DataFrame
        Output of :func:`member_results` or :func:`unsearched_member_results` (any
        member: the keys and their printed counterparts are the same in all).
    linkage : str
        The ensemble's linkage (:data:`LINKAGES`).

    Returns
    -------
    DataFrame
        Columns :data:`KEY_COLUMNS`. ``kind`` and ``fixed_by`` are :func:`key_kind`'s;
        ``decimals`` and ``relation`` are the printed value's (from ``data/published/``,
        -1 and "" without one); ``status`` is kept only where the analysis sets it
        whatever the data (:data:`FIXED_STATUSES`), so that the catalogue is the same for
        every member; ``p_value`` marks p-values (:func:`is_p_value`).
    """
    from ipsrep.inputs.published import load_published

    pub = load_published()
    keys = member["key"].tolist()
    published = [str(pub.at[k, "printed"]) if k in pub.index else "" for k in keys]
    decimals = [int(pub.at[k, "decimals"]) if k in pub.index else -1 for k in keys]
    relation = [str(pub.at[k, "relation"]) if k in pub.index else "" for k in keys]
    status = [s if s in FIXED_STATUSES else "" for s in member["status"].fillna("").astype(str)]
    kinds = [key_kind(k, published=p, linkage=linkage) for k, p in zip(keys, published, strict=True)]
    return pd.DataFrame({"key": keys, "quantity": member["quantity"].fillna("").astype(str).tolist(),
                         "published": published, "decimals": decimals, "relation": relation,
                         "status": status, "kind": [k for k, _ in kinds], "fixed_by": [r for _, r in kinds],
                         "p_value": [is_p_value(k) for k in keys]})[KEY_COLUMNS]

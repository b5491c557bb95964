"""GRIM / GRIMMER / enumeration checks against hand computation and brute force.

The brute-force references enumerate every multiset with itertools and compute means and
SDs with the standard library's ``statistics`` module, independently of the numpy code
under test.
"""
from __future__ import annotations

import statistics
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal
from itertools import combinations_with_replacement

import pytest

from ipsrep.methods.granularity import (
    consistent_sample_sizes,
    denominators_for,
    grim_consistent,
    grim_totals,
    grimmer_consistent,
    possible_samples,
)
from ipsrep.methods.rounding import rounding_interval


def prints_as(value: float, printed: float, decimals: int) -> bool:
    """Reference rounding with exact decimal arithmetic; a tie prints either way (the
    module's documented convention), i.e. as under half up or under half down."""
    q = Decimal(1).scaleb(-decimals)
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    target = Decimal(repr(printed)).quantize(q)
    return exact.quantize(q, ROUND_HALF_UP) == target or exact.quantize(q, ROUND_HALF_DOWN) == target


def brute(n, lo, hi, mean, dm, sd=None, ds=None):
    """All multisets of n whole numbers in [lo, hi] printing as mean (and sd)."""
    hits = []
    for xs in combinations_with_replacement(range(lo, hi + 1), n):
        from fractions import Fraction

        m = Fraction(sum(xs), n)
        if not prints_as(float(m), mean, dm):
            continue
        if sd is not None and not prints_as(statistics.stdev(xs), sd, ds):
            continue
        hits.append(xs)
    return hits


# ---- GRIM ----------------------------------------------------------------------------

def test_grim_classic_inconsistent_mean():
    # Brown & Heathers' kind of example, by hand: 28 * 5.19 = 145.32; 145/28 = 5.1786 -> 5.18,
    # 146/28 = 5.2143 -> 5.21, so no whole-number total prints as 5.19.
    assert not grim_consistent(5.19, 28, 2)
    assert grim_consistent(5.18, 28, 2)
    assert grim_totals(5.18, 28, 2).tolist() == [145]


def test_grim_percentage_step_100():
    # 3 of 8 is 37.5 %, a tie that prints as 38 under half-up and half-even alike.
    assert grim_consistent(38, 8, 0, step=100)
    assert grim_totals(38, 8, 0, step=100).tolist() == [3]
    # 1 of 8 = 12.5, 2 of 8 = 25: no count of 8 people prints as 20 %.
    assert not grim_consistent(20, 8, 0, step=100)


def test_grim_fractional_step():
    # Half-point data (step 0.5), n = 3: possible means are multiples of 1/6.
    # 1.17 -> 3.5/3 = 1.1667 prints as 1.17; 1.20 is not a multiple of 1/6 to 2 places.
    assert grim_consistent(1.17, 3, 2, step=0.5)
    assert not grim_consistent(1.20, 3, 2, step=0.5)


@pytest.mark.parametrize("mean", [1.5, 1.6, 1.7, 2.33, 2.34, 3.25])
def test_grim_matches_brute_force(mean):
    dm = len(repr(mean).split(".")[1])
    # over values 0..5 every total 0..20 is reachable, so brute force decides GRIM exactly
    assert grim_consistent(mean, 4, dm) == bool(brute(4, 0, 5, mean, dm))


def test_rounding_interval():
    assert rounding_interval(22, 0) == (21.5, 22.5)
    assert rounding_interval(0.336, 3) == (0.3355, 0.3365)


# ---- GRIMMER -------------------------------------------------------------------------

def test_grimmer_hand_examples():
    # {1, 2, 3}: mean 2, SD 1 -> consistent.
    assert grimmer_consistent(2.0, 1.0, 3, 2, 2)
    # n = 3, total 6: SD 1.50 needs 2 * 1.5^2 + 36/3 = 16.5 as the sum of squares, and the
    # rounding interval [1.495, 1.505] maps to [16.47, 16.53] -> no whole number.
    assert not grimmer_consistent(2.0, 1.5, 3, 2, 2)


def test_grimmer_parity():
    # n = 2, total 3: pairs (0,3) and (1,2) give SD 2.1213 and 0.7071. SD 1.41 would need
    # a sum of squares of 1*1.41^2 + 4.5 = 6.49..6.50; Q = 6.5 exactly is not whole, and
    # SD 1.58 -> Q in [1.575^2 + 4.5, 1.585^2 + 4.5] = [6.98, 7.01] contains 7, which is
    # odd like the total 3: passes (although no whole pair has it: GRIMMER is necessary,
    # not sufficient); SD 1.22 -> Q in [5.98, 6.00] contains only 6 (even
    # against an odd total): fails on parity alone.
    assert not grimmer_consistent(1.5, 1.41, 2, 1, 2)
    assert grimmer_consistent(1.5, 1.58, 2, 1, 2)
    assert not grimmer_consistent(1.5, 1.22, 2, 1, 2)


@pytest.mark.parametrize("mean,sd", [(2.5, 1.3), (2.5, 1.29), (2.25, 0.96), (2.25, 1.5), (3.0, 0.82), (1.75, 1.71)])
def test_grimmer_never_rejects_a_possible_sample(mean, sd):
    # Necessary condition: whenever brute force finds a sample, GRIMMER must pass.
    found = brute(4, 0, 5, mean, 2, sd, 2)
    if found:
        assert grimmer_consistent(mean, sd, 4, 2, 2)


def test_grimmer_agrees_with_brute_force_on_a_grid():
    # For n = 3 on 0..9 (wide enough that range limits do not bind for these values),
    # GRIMMER and exhaustive search agree on every (mean, SD) pair below.
    for mean in (2.33, 3.0, 3.67, 4.33):
        for sd in (0.58, 1.0, 1.15, 1.2, 1.53, 2.08, 2.1, 2.52):
            assert grimmer_consistent(mean, sd, 3, 2, 2) == bool(brute(3, 0, 9, mean, 2, sd, 2)), (mean, sd)


# ---- sample sizes ---------------------------------------------------------------------

def test_consistent_sample_sizes_hand():
    # 50 % and 33 % together: n = 6 (3 and 2 people) and n = 12 (6 and 4), by hand.
    out = consistent_sample_sizes([50, 33], 0, range(1, 13), step=100)
    assert out["n"].tolist() == [6, 12]
    assert out.loc[0, "totals"] == (3, 2)


def test_consistent_sample_sizes_against_direct_count():
    pcts = [89, 79, 57, 29]
    got = consistent_sample_sizes(pcts, 0, range(1, 60), step=100)["n"].tolist()
    want = [n for n in range(1, 60)
            if all(any(prints_as(100 * k / n, p, 0) for k in range(n + 1)) for p in pcts)]
    assert got == want


def test_denominators_for():
    # 11 / 34 = 32.35 % -> 32.4; 11/33 = 33.3, 11/35 = 31.4
    assert denominators_for(11, 32.4, 1) == [34]
    assert denominators_for(3, 38, 0) == [8]
    with pytest.raises(ValueError, match="does not determine"):
        denominators_for(0, 0, 0)


# ---- enumeration ----------------------------------------------------------------------

def test_possible_samples_matches_brute_force_with_extremes():
    got = possible_samples(4.2, 2.2, 5, 1, 1, 1, 7)
    want = [xs for xs in brute(5, 1, 7, 4.2, 1, 2.2, 1) if xs[0] == 1 and xs[-1] == 7]
    assert [tuple(r) for r in got[[f"x{i}" for i in range(1, 6)]].values.tolist()] == want
    assert len(want) > 0


def test_possible_samples_without_extremes():
    got = possible_samples(3.0, 1.0, 3, 0, 0, 0, 6, extremes_observed=False)
    want = brute(3, 0, 6, 3.0, 0, 1.0, 0)
    assert [tuple(r) for r in got[["x1", "x2", "x3"]].values.tolist()] == want


def test_possible_samples_refuses_huge_enumerations():
    with pytest.raises(ValueError, match="max_candidates"):
        possible_samples(50, 10, 30, 0, 0, 0, 100, max_candidates=1000)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be"):
        grim_consistent(2.0, 0, 1)
    with pytest.raises(ValueError, match="step"):
        grim_consistent(2.0, 3, 1, step=0)
    with pytest.raises(ValueError, match="decimals"):
        grim_consistent(2.0, 3, -1)

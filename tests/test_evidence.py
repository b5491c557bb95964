"""The strength-of-evidence page (ipsrep.methods.bayes, ipsrep.methods.fragility,
ipsrep.analyses.evidence) against independent computations: numerical integration in base R
(through Rscript), scipy for the normal approximation and Wilson intervals, and brute-force
enumeration with scipy's 2x2 tests for the fragility index and the tipping-point grid."""
from __future__ import annotations

import itertools
import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps
from statsmodels.stats.contingency_tables import Table2x2

from ipsrep.analyses import employment, evidence
from ipsrep.methods import bayes, fragility, stats
from ipsrep.synthetic.resample import write_resampled_trial

PLANNED_OR = 0.61 * 0.77 / (0.39 * 0.23)  # the design's 61% against 23%, as an odds ratio
PLANNED_RD = 0.38
SCEPTICAL_SD = math.log(PLANNED_OR) / sps.norm.ppf(0.95)
TABLES = {"6m": (11, 34, 6, 19), "12m": (19, 36, 7, 18), "24m": (22, 37, 7, 17)}


# ----------------------------------------------------------------- R, base integrate()
_R_SCRIPT = r"""
args <- as.numeric(commandArgs(trailingOnly = TRUE))
a <- args[1]; n1 <- args[2]; b <- args[3]; n2 <- args[4]
por <- args[5]; prd <- args[6]; sdp <- args[7]
q <- function(f, lo, hi) integrate(f, lo, hi, rel.tol = 1e-10, abs.tol = 1e-12, subdivisions = 2000L)$value
# neutral: independent Jeffreys Beta(1/2, 1/2) priors, posterior Beta per arm
A1 <- a + .5; B1 <- n1 - a + .5; A2 <- b + .5; B2 <- n2 - b + .5
f2 <- function(x) dbeta(x, A2, B2)
p_gt <- q(function(x) f2(x) * pbeta(x, A1, B1, lower.tail = FALSE), 0, 1)
g <- function(x, r) r * x / (1 - x + r * x)
p_or <- q(function(x) f2(x) * pbeta(g(x, por), A1, B1, lower.tail = FALSE), 0, 1)
p_rd <- q(function(x) f2(x) * pbeta(pmin(x + prd, 1), A1, B1, lower.tail = FALSE), 0, 1 - prd)
# normal prior N(m, sdp^2) on log OR, Jeffreys prior on the control rate, exact binomial likelihood
# (scaled by its maximum, at p1 = a/n1, so that the integrands are of order 1)
lmax <- (a / n1)^a * (1 - a / n1)^(n1 - a)
loglik <- function(u) a * plogis(u, log.p = TRUE) + (n1 - a) * plogis(-u, log.p = TRUE) - log(lmax)
logw <- function(t) A2 * plogis(t, log.p = TRUE) + B2 * plogis(-t, log.p = TRUE) - lbeta(A2, B2)
# the control rate on the logit scale, t = qlogis(p2): Beta(A2, B2) density times the Jacobian
inner <- function(psi, m) sapply(psi, function(s) q(function(t) exp(logw(t) + loglik(t + s)), -Inf, Inf) *
  dnorm(s, m, sdp))
post <- function(m, cut) { z <- q(function(s) inner(s, m), -12, 12); q(function(s) inner(s, m), cut, 12) / z }
rd_post <- function(m, d) {
  z <- q(function(s) inner(s, m), -12, 12)
  num <- q(function(x) sapply(x, function(xx) {
    if (xx + d >= 1) return(0)
    cut <- qlogis(xx + d) - qlogis(xx)
    dbeta(xx, A2, B2) * q(function(s) {
      p1 <- plogis(qlogis(xx) + s); p1^a * (1 - p1)^(n1 - a) / lmax * dnorm(s, m, sdp)
    }, cut, 12)
  }), 0, 1)
  num / z
}
out <- c(neutral_p_or1 = p_gt, neutral_p_planned = p_or, neutral_p_rd_planned = p_rd,
         sceptical_p_or1 = post(0, 0), sceptical_p_planned = post(0, log(por)),
         enthusiastic_p_or1 = post(log(por), 0), enthusiastic_p_planned = post(log(por), log(por)),
         sceptical_p_rd_planned = rd_post(0, prd))
writeLines(sprintf("%s,%.15g", names(out), out))
"""


def _r_integrals(a, n1, b, n2) -> dict[str, float]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not found (install r-base-core)")
    done = subprocess.run([rscript, "-e", _R_SCRIPT, *map(str, (a, n1, b, n2, PLANNED_OR, PLANNED_RD, SCEPTICAL_SD))],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return {k: float(v) for k, v in (line.split(",") for line in done.stdout.split())}


@pytest.fixture(scope="module")
def r_12m():
    return _r_integrals(*TABLES["12m"])


def test_beta_binomial_posterior_agrees_with_r_integration(r_12m):
    post = bayes.beta_binomial_posterior(*TABLES["12m"])
    assert post.prob_or_above(1.0) == pytest.approx(r_12m["neutral_p_or1"], abs=2e-5)
    assert post.prob_or_above(PLANNED_OR) == pytest.approx(r_12m["neutral_p_planned"], abs=2e-5)
    assert post.prob_rd_above(PLANNED_RD) == pytest.approx(r_12m["neutral_p_rd_planned"], abs=2e-5)
    assert round(r_12m["neutral_p_or1"], 3) == 0.832


def test_normal_prior_posterior_agrees_with_r_integration(r_12m):
    for prior, mean in (("sceptical", 0.0), ("enthusiastic", math.log(PLANNED_OR))):
        post = bayes.log_or_prior_posterior(*TABLES["12m"], mean=mean, sd=SCEPTICAL_SD)
        assert post.prob_or_above(1.0) == pytest.approx(r_12m[f"{prior}_p_or1"], abs=2e-5)
        assert post.prob_or_above(PLANNED_OR) == pytest.approx(r_12m[f"{prior}_p_planned"], abs=2e-5)
    sceptic = bayes.log_or_prior_posterior(*TABLES["12m"], mean=0.0, sd=SCEPTICAL_SD)
    assert sceptic.prob_rd_above(PLANNED_RD) == pytest.approx(r_12m["sceptical_p_rd_planned"], abs=2e-5)
    assert (round(r_12m["sceptical_p_or1"], 3), round(r_12m["enthusiastic_p_or1"], 3)) == (0.797, 0.951)


def test_posterior_probability_of_benefit_is_the_same_on_both_scales():
    post = bayes.beta_binomial_posterior(*TABLES["24m"])
    assert post.prob_rd_above(0.0) == pytest.approx(post.prob_or_above(1.0), abs=1e-9)
    assert post.prob_or_above(post.or_quantile(0.3)) == pytest.approx(0.7, abs=1e-6)
    assert 1 - post.prob_rd_above(post.rd_quantile(0.9)) == pytest.approx(0.9, abs=1e-8)


def test_beta_posterior_against_scipy_quadrature_for_each_follow_up():
    from scipy import integrate

    for a, n1, b, n2 in TABLES.values():
        for s, f in ((0.5, 0.5), (1.0, 1.0)):
            def density(x, a=a, n1=n1, b=b, n2=n2, s=s, f=f):
                return sps.beta.pdf(x, b + s, n2 - b + f) * sps.beta.sf(x, a + s, n1 - a + f)

            want = integrate.quad(density, 0, 1, epsabs=1e-13)[0]
            got = bayes.beta_binomial_posterior(a, n1, b, n2, prior=(s, f)).prob_or_above(1.0)
            assert got == pytest.approx(want, abs=2e-5)


# --------------------------------------------------------------- normal approximation
def test_normal_approximation_against_scipy_and_statsmodels():
    a, n1, b, n2 = TABLES["12m"]
    t = Table2x2(np.array([[a, n1 - a], [b, n2 - b]]))
    est, se = float(t.log_oddsratio), float(t.log_oddsratio_se)
    flat = bayes.normal_approximation(a, n1, b, n2)
    assert (flat.mean, flat.sd) == pytest.approx((est, se), rel=1e-12)
    assert flat.prob_or_above(1.0) == pytest.approx(sps.norm.cdf(est / se), rel=1e-12)
    # the flat-prior probability of benefit is one minus half the two-sided Wald p
    assert flat.prob_or_above(1.0) == pytest.approx(1 - sps.norm.sf(abs(est / se)), rel=1e-12)
    sceptic = bayes.normal_approximation(a, n1, b, n2, mean=0.0, sd=SCEPTICAL_SD)
    w_data, w_prior = 1 / se**2, 1 / SCEPTICAL_SD**2
    m, s = est * w_data / (w_data + w_prior), (w_data + w_prior) ** -0.5
    assert sceptic.prob_or_above(PLANNED_OR) == pytest.approx(sps.norm.sf(math.log(PLANNED_OR), m, s), rel=1e-10)
    assert sceptic.or_quantile(0.975) == pytest.approx(math.exp(m + sps.norm.ppf(0.975) * s), rel=1e-10)


def test_prior_settings_have_the_stated_tail_probabilities():
    p = bayes.prior_settings(PLANNED_OR, tail=0.05).set_index("prior")
    assert p.at["sceptical", "p_above_planned"] == pytest.approx(0.05, abs=1e-12)
    assert sps.norm.cdf(0, p.at["enthusiastic", "mean"], p.at["enthusiastic", "sd"]) == pytest.approx(0.05, abs=1e-12)
    assert p.at["sceptical", "sd"] == pytest.approx(1.0065, abs=1e-4)
    with pytest.raises(ValueError, match="planned_or"):
        bayes.prior_settings(0.8)
    with pytest.raises(ValueError, match="neutral"):
        bayes.prior_settings(5.0, neutral="flat")


# ------------------------------------------------------------------------ fragility
def _brute_force_fragility(a, n1, b, n2, alpha=0.05):
    """Every table with the same group sizes, tested one by one with scipy, as the paper's rule."""
    def p_rule(i, j):
        table = np.array([[i, n1 - i], [j, n2 - j]])
        expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
        if expected.min() < 5:
            return sps.fisher_exact(table).pvalue
        return sps.chi2_contingency(table, correction=False)[1]

    significant = p_rule(a, b) < alpha
    best = {"either arm": math.inf, "group 1 only": math.inf, "group 2 only": math.inf}
    for i, j in itertools.product(range(n1 + 1), range(n2 + 1)):
        if (p_rule(i, j) < alpha) != significant:
            d = abs(i - a) + abs(j - b)
            best["either arm"] = min(best["either arm"], d)
            if j == b:
                best["group 1 only"] = min(best["group 1 only"], d)
            if i == a:
                best["group 2 only"] = min(best["group 2 only"], d)
    return best


@pytest.mark.parametrize("counts", [*TABLES.values(), (12, 20, 3, 20), (5, 10, 0, 9)])
def test_fragility_index_matches_brute_force_enumeration(counts):
    got = fragility.fragility_index(*counts).set_index("search")["index"].to_dict()
    want = _brute_force_fragility(*counts)
    assert {k: (v if math.isfinite(v) else None) for k, v in want.items()} == \
           {k: (int(v) if math.isfinite(v) else None) for k, v in got.items()}


def test_reverse_fragility_index_of_the_primary_outcome():
    fi = fragility.fragility_index(*TABLES["12m"]).set_index("search")
    row = fi.loc["either arm"]
    assert (row["direction"], int(row["index"]), int(row["a_new"]), int(row["b_new"])) == ("reverse", 3, 19, 4)
    assert row["quotient"] == pytest.approx(3 / 54)
    assert row["p_new"] == pytest.approx(stats.two_by_two(19, 36, 4, 18).loc[0, "p"])
    assert row["p_new"] < 0.05 <= row["p_observed"]
    # a significant table gets the forward index (Walsh et al.)
    forward = fragility.fragility_index(12, 20, 3, 20).set_index("search").loc["either arm"]
    assert forward["direction"] == "forward" and forward["p_new"] >= 0.05


def test_rule_p_values_equal_two_by_two_on_every_table():
    n1, n2 = 36, 18
    aa, bb = np.meshgrid(np.arange(n1 + 1), np.arange(n2 + 1), indexing="ij")
    got = fragility.rule_p_values(aa, n1, bb, n2)
    want = np.array([[stats.two_by_two(int(i), n1, int(j), n2).loc[0, "p"] for j in range(n2 + 1)]
                     for i in range(n1 + 1)])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)


def test_tipping_grid_equals_two_by_two_for_every_completion():
    grid = fragility.tipping_grid(19, 36, 7, 18, 2, 3)
    assert len(grid) == 12
    for _, r in grid.iterrows():
        t = stats.two_by_two(int(r["a_full"]), 38, int(r["b_full"]), 21).iloc[0]
        assert r["p"] == pytest.approx(t["p"], rel=1e-10)
        assert r["odds_ratio"] == pytest.approx(t["odds_ratio"], rel=1e-10)
    with pytest.raises(ValueError, match="m1"):
        fragility.tipping_grid(19, 36, 7, 18, -1, 2)


# ----------------------------------------------------------- the page's analyses
def _trial():
    return pd.read_csv("data/reconstructed/ips_in_pain.csv")


def test_tipping_point_on_the_bundled_file():
    trial = _trial()
    missing = evidence.missing_outcomes(trial, "12m").set_index("group")
    assert missing["missing"].to_dict() == {"IPS": 2, "TAU": 2}
    grid = evidence.tipping_point(trial, "12m")
    summary = evidence.tipping_summary(grid).set_index("case")
    assert len(grid) == 9 and not grid["significant"].any()
    best = summary.loc["best case for IPS"]
    assert (best["x1"], best["x2"]) == (2, 0)
    assert best["p"] == pytest.approx(stats.two_by_two(21, 38, 7, 20).loc[0, "p"])
    assert round(best["p"], 3) == 0.142


def _newcombe(a, n1, b, n2, level=0.95):
    """Newcombe's hybrid score interval from Wilson intervals (Newcombe 1998, method 10), by hand."""
    z = sps.norm.ppf(1 - (1 - level) / 2)

    def wilson(x, n):
        p = x / n
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
        return centre - half, centre + half

    (l1, u1), (l2, u2) = wilson(a, n1), wilson(b, n2)
    p1, p2 = a / n1, b / n2
    return p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def test_interval_reading_against_hand_computed_newcombe_interval():
    table2 = employment.employment_table(_trial())
    row = table2.set_index("follow_up").loc["12m"]
    reading = evidence.interval_reading(row, planned=evidence.planned_effect(), important_rd=0.10).set_index("effect")
    low, high = _newcombe(19, 36, 7, 18)
    assert (reading["rd_low"].iloc[0], reading["rd_high"].iloc[0]) == pytest.approx((low, high), abs=1e-12)
    assert reading.at["planned", "odds_ratio"] == pytest.approx(PLANNED_OR)
    assert bool(reading.at["planned", "or_inside"]) and not bool(reading.at["planned", "rd_inside"])
    p2 = 7 / 18
    odds = lambda p: p / (1 - p)  # noqa: E731
    assert reading.at["smaller but important", "odds_ratio"] == pytest.approx(odds(p2 + 0.1) / odds(p2))
    assert (reading["verdict"].iloc[1:] == "compatible").all()


def test_needed_sample_size_reaches_the_power_by_the_normal_formula():
    row = pd.Series({"a": 19, "n1": 36, "b": 7, "n2": 18})
    sizes = evidence.needed_sample_size(row, powers=(0.8, 0.9))
    p1, p2 = 19 / 36, 7 / 18
    za = sps.norm.ppf(0.975)

    def power(n):  # two-proportion z test, pooled variance under H0, both tails (Fleiss)
        pbar = (p1 + p2) / 2
        s0, s1 = math.sqrt(2 * pbar * (1 - pbar) / n), math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / n)
        d = abs(p1 - p2)
        return sps.norm.cdf((d - za * s0) / s1) + sps.norm.cdf((-d - za * s0) / s1)

    for _, s in sizes.iterrows():
        n = int(s["n_per_group"])
        assert power(n) >= s["power"] - 1e-4 and power(n - 2) < s["power"]
    assert sizes["n_per_group"].tolist() == [201, 269]


def test_advocacy_and_scepticism_limits_by_construction():
    z = sps.norm.ppf(0.975)

    def posterior_bounds(lo, hi, prior_mean, prior_sd):
        est, se = (math.log(lo) + math.log(hi)) / 2, (math.log(hi) - math.log(lo)) / (2 * z)
        w1, w0 = 1 / se**2, 1 / prior_sd**2
        m, s = (est * w1 + prior_mean * w0) / (w1 + w0), (w1 + w0) ** -0.5
        return m - z * s, m + z * s

    row = stats.two_by_two(*TABLES["12m"]).iloc[0]
    adl = bayes.advocacy_limit(row["ci_low"], row["ci_high"])
    low, _ = posterior_bounds(row["ci_low"], row["ci_high"], math.log(adl) / 2, math.log(adl) / (2 * z))
    assert low == pytest.approx(0.0, abs=1e-12)
    assert round(adl, 1) == 19.3
    cred = evidence.credibility(row)
    assert cred["kind"] == "advocacy" and cred["limit"] == pytest.approx(adl)
    sl = bayes.scepticism_limit(1.2, 3.0)
    low, _ = posterior_bounds(1.2, 3.0, 0.0, math.log(sl) / z)
    assert low == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="non-significant"):
        bayes.advocacy_limit(1.2, 3.0)


def test_the_page_runs_on_a_resampled_trial(tmp_path):
    trial = pd.read_csv(write_resampled_trial(tmp_path / "resampled.csv", 400, seed=7))
    table2 = employment.employment_table(trial)
    planned = evidence.planned_effect()
    post = evidence.bayesian_reanalysis(table2, planned=planned)
    exact = post[post["method"] == "exact"]
    assert exact["p_or_above_1"].between(0, 1).all() and len(post) == 18
    # with a few hundred participants the exact and approximate posteriors agree closely
    normal = post[post["method"] == "normal"]
    np.testing.assert_allclose(exact["p_or_above_1"].to_numpy(), normal["p_or_above_1"].to_numpy(), atol=0.01)
    frag = evidence.fragility_table(table2)
    assert frag["index"].notna().all()
    grid = evidence.tipping_point(trial, "12m")
    missing = evidence.missing_outcomes(trial, "12m").set_index("group")["missing"]
    assert len(grid) == (missing["IPS"] + 1) * (missing["TAU"] + 1)
    ledger = evidence.bayes_ledger(post, bundled=False)
    assert ledger["key"].str.startswith("evidence.").all() and (ledger["status"] == "").all()


def test_planned_effect_comes_from_the_published_design():
    planned = evidence.planned_effect()
    assert (planned["p_ips"], planned["p_tau"]) == pytest.approx((0.61, 0.23))
    assert planned["odds_ratio"] == pytest.approx(PLANNED_OR)
    custom = evidence.planned_effect(2.5)
    assert custom["odds_ratio"] == pytest.approx(2.5) and custom["p_tau"] == pytest.approx(0.23)
    with pytest.raises(ValueError, match="planned_or"):
        evidence.planned_effect(0.5)

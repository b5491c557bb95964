"""The random-intercept mixed model (ipsrep.methods.lmm) against lme4, statsmodels and algebra.

lme4 runs through ``Rscript`` (tests/lme4_peer.py), one R process per data set fitting
every model by ML and REML. Four data sets: (a) the bundled reconstruction in long
format, several measures and time codings; (b) a 312-participant trial resampled from
it; (c) simulated data with about 45% of visits missing (clusters of 1, 2 and 3
observations); (d) simulated data whose random-intercept variance is estimated at zero
(lme4's singular fit). Estimates, standard errors, log-likelihoods, sigma^2 and theta
must agree within 1e-6 relative (an estimate is compared relative to the larger of its
size and its standard error, so that a coefficient near zero is not held to an absolute
1e-6 x 0). Satterthwaite degrees of freedom and p-values are compared with lmerTest's on
the same fits, and on an eight-cluster data set (a p below .001 relative to .001). Without
R the lme4 tests skip, unless the environment variable CI is set: then they fail.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipsrep.methods.lmm import FewClustersWarning, RandomInterceptModel, mixedlm

ROOT = Path(__file__).resolve().parents[1]
TOL = 1e-6

_spec = importlib.util.spec_from_file_location("lme4_peer", Path(__file__).with_name("lme4_peer.py"))
lme4_peer = sys.modules.setdefault("lme4_peer", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(lme4_peer)


def _long_format(trial, measures):
    from ipsrep.analyses.health import long_format

    return long_format(trial, measures)


# ---------------------------------------------------------------------------- data sets
def bundled_trial() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "reconstructed" / "ips_in_pain.csv")


BUNDLED_MEASURES = ["odi", "bpi_worst", "anxiety", "eqvas", "hscl"]


def bundled_long() -> pd.DataFrame:
    return _long_format(bundled_trial(), BUNDLED_MEASURES)


def resampled_long(n: int = 312, seed: int = 11) -> pd.DataFrame:
    """Participants drawn with replacement from the bundled reconstruction, renumbered."""
    trial = bundled_trial()
    rng = np.random.default_rng(seed)
    draw = trial.iloc[rng.integers(0, len(trial), n)].copy()
    draw["participant_id"] = [f"r{i:04d}" for i in range(n)]
    return _long_format(draw.reset_index(drop=True), ["odi", "hscl"])


def simulated(n: int, *, seed: int, p_missing: float, tau: float, within: float = 0.0) -> pd.DataFrame:
    """Two arms, three visits; ``within`` < 0 makes a person's errors negatively correlated."""
    rng = np.random.default_rng(seed)
    pid = np.repeat(np.arange(n), 3)
    visit = np.tile([0, 1, 2], n)
    arm = np.repeat(rng.integers(0, 2, n), 3)
    z = rng.normal(0.0, 1.0, (n, 3))
    e = (z + within * z.mean(axis=1, keepdims=True)).ravel()
    y = 20.0 - 2.0 * visit + 1.5 * arm - 1.0 * arm * visit + np.repeat(rng.normal(0.0, tau, n), 3) + 3.0 * e
    data = pd.DataFrame(
        {"pid": [f"p{i}" for i in pid], "arm": np.where(arm == 1, "ips", "tau"), "visit": visit, "y": y}
    )
    return data.loc[rng.random(len(data)) >= p_missing].reset_index(drop=True)


# Python (patsy) formula -> R formula; coefficients come in the same order in both.
BUNDLED_FORMULAS = {
    "value ~ group * visit_index": "value ~ group * visit_index",
    "value ~ group * C(visit_index)": "value ~ group * factor(visit_index)",
    "value ~ group + months": "value ~ group + months",
}
SIM_FORMULAS = {
    "y ~ arm * visit": "y ~ arm * visit",
    "y ~ arm * C(visit)": "y ~ arm * factor(visit)",
}


def _rel(ours, theirs, scale=None) -> float:
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    denom = np.abs(theirs) if scale is None else np.maximum(np.abs(theirs), np.asarray(scale, float))
    return float(np.max(np.abs(ours - theirs) / denom))


def _compare(fits, label, data, formula, *, groups, expect_boundary=None):
    """Assert agreement of ML and REML fits with lme4 (and lmerTest's Satterthwaite df and p
    where it ran); return the worst relative differences."""
    worst = {}
    model = mixedlm(formula, data, groups=groups)
    for reml in (False, True):
        ref = fits[(label, reml)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FewClustersWarning)
            ours = model.fit(reml=reml)
        assert ours.nobs == ref.nobs
        assert ours.converged
        diffs = {
            "estimate": _rel(ours.params, ref.fixef, ref.se),
            "se": _rel(ours.bse, ref.se),
            "loglik": _rel(ours.llf, ref.loglik),
            "sigma2": _rel(ours.scale, ref.sigma2),
        }
        if ours.boundary:
            diffs["theta"] = abs(ref.theta)
        else:
            diffs["theta"] = _rel(ours.theta, ref.theta)
        if ref.df is not None:
            satt = model.fit(reml=reml, inference="satterthwaite")
            diffs["df"] = _rel(satt.df, ref.df)
            # a p below .001 is compared relative to .001: where |t| is large, a 1e-8 difference in
            # the standard error (lme4's optimiser stops that far from the optimum) moves p by more
            diffs["p_satterthwaite"] = _rel(satt.pvalues, ref.p_satterthwaite, 1e-3)
        elif os.environ.get("CI"):
            pytest.fail(f"CI is set but lmerTest did not run: {lme4_peer.lmertest_missing_reason()}")
        for what, d in diffs.items():
            assert d < TOL, f"{label} {'REML' if reml else 'ML'} {what}: relative difference {d:.2e} from lme4"
        assert ours.boundary == (ref.theta == 0.0)
        if expect_boundary is not None:
            assert ours.boundary is expect_boundary and ref.singular is expect_boundary
        worst[reml] = diffs
    return worst


def _jobs(data: str, formulas: dict, group: str, where_column: str = "", values=("",)):
    return [
        lme4_peer.Job(f"{data}|{v}|{py}", data, r, group, where_column, v)
        for v in values
        for py, r in formulas.items()
    ]


@pytest.fixture(scope="module")
def cases():
    """The four data sets, and what lme4 reports on them (one Rscript process)."""
    reason = lme4_peer.missing_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but lme4 cannot run: {reason}")
        pytest.skip(reason)
    data = {
        "bundled": bundled_long(),
        "resampled": resampled_long(),
        "missing": simulated(400, seed=3, p_missing=0.45, tau=2.0),
        "zero": simulated(150, seed=5, p_missing=0.1, tau=0.0, within=-0.6),
        "few": simulated(8, seed=21, p_missing=0.0, tau=2.0),
    }
    jobs = [
        *_jobs("bundled", BUNDLED_FORMULAS, "participant_id", "measure", BUNDLED_MEASURES),
        *_jobs("resampled", BUNDLED_FORMULAS, "participant_id", "measure", ["odi", "hscl"]),
        *_jobs("missing", SIM_FORMULAS, "pid"),
        *_jobs("zero", SIM_FORMULAS, "pid"),
        *_jobs("few", SIM_FORMULAS, "pid"),
    ]
    return data, lme4_peer.fit_lme4(data, jobs)


# ---------------------------------------------------------------------------- lme4
def test_bundled_reconstruction_matches_lme4(cases):
    data, fits = cases
    long = data["bundled"]
    for measure in BUNDLED_MEASURES:
        one = long.loc[long["measure"] == measure]
        for py in BUNDLED_FORMULAS:
            _compare(fits, f"bundled|{measure}|{py}", one, py, groups="participant_id")


def test_resampled_trial_matches_lme4(cases):
    data, fits = cases
    long = data["resampled"]
    assert long["participant_id"].nunique() == 312
    for measure in ("odi", "hscl"):
        for py in BUNDLED_FORMULAS:
            _compare(
                fits, f"resampled|{measure}|{py}", long.loc[long["measure"] == measure], py, groups="participant_id"
            )


def test_many_missing_visits_match_lme4(cases):
    data, fits = cases
    sizes = data["missing"].groupby("pid").size().value_counts()
    assert set(sizes.index) == {1, 2, 3} and sizes.min() > 50
    for py in SIM_FORMULAS:
        _compare(fits, f"missing||{py}", data["missing"], py, groups="pid", expect_boundary=False)


def test_zero_variance_matches_lme4_singular_fit(cases):
    data, fits = cases
    for py in SIM_FORMULAS:
        _compare(fits, f"zero||{py}", data["zero"], py, groups="pid", expect_boundary=True)


def test_few_clusters_match_lmertest_satterthwaite(cases):
    """Eight clusters: Satterthwaite's t (lmerTest) and the Wald z part ways; ours follows lmerTest."""
    data, fits = cases
    few = data["few"]
    assert few["pid"].nunique() == 8
    for py in SIM_FORMULAS:
        worst = _compare(fits, f"few||{py}", few, py, groups="pid")
        assert all("df" in w for w in worst.values())
    with pytest.warns(FewClustersWarning, match="8 clusters"):
        wald = mixedlm("y ~ arm * visit", few, groups="pid").fit(reml=False)
    satt = mixedlm("y ~ arm * visit", few, groups="pid").fit(reml=False, inference="satterthwaite")
    assert (satt.df < 30).all() and (satt.pvalues > wald.pvalues).all()
    np.testing.assert_allclose(satt.tvalues, wald.tvalues)
    ci_w, ci_s = wald.conf_int(), satt.conf_int()
    assert ((ci_s["ci_high"] - ci_s["ci_low"]) > (ci_w["ci_high"] - ci_w["ci_low"])).all()
    assert list(satt.table().columns) == ["term", "estimate", "se", "t", "df", "p", "ci_low", "ci_high"]


# ---------------------------------------------------------------------------- statsmodels
def _statsmodels_fit(formula, data, groups, reml):
    import statsmodels.formula.api as smf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return smf.mixedlm(formula, data, groups=data[groups]).fit(reml=reml, method=["bfgs"])


@pytest.mark.parametrize("reml", [False, True])
@pytest.mark.parametrize("case", ["odi", "bpi_worst", "missing"])
def test_statsmodels_estimates_and_joint_standard_errors(case, reml):
    if case == "missing":
        data, formula, groups = simulated(400, seed=3, p_missing=0.45, tau=2.0), "y ~ arm * visit", "pid"
    else:
        long = bundled_long()
        data, formula, groups = long.loc[long["measure"] == case], "value ~ group * visit_index", "participant_id"
    sm = _statsmodels_fit(formula, data, groups, reml)
    model = mixedlm(formula, data, groups=groups)
    ours, joint = model.fit(reml=reml), model.fit(reml=reml, se="joint")
    names = list(ours.params.index)
    sm_fe, sm_se = sm.fe_params[names], sm.bse[names]
    assert _rel(ours.params, sm_fe, sm_se) < 1e-4
    assert _rel(joint.bse, sm_se) < 1e-3
    assert abs(ours.llf - sm.llf) < 1e-6 * abs(sm.llf)
    assert _rel(ours.group_var, sm.cov_re.iloc[0, 0]) < 1e-3
    # with missing visits the joint-information SEs are not lme4's
    assert _rel(joint.bse, ours.bse) > 1e-5


# ---------------------------------------------------------------------------- algebra
def test_joint_and_lme4_standard_errors_coincide_with_complete_balanced_data():
    data = simulated(200, seed=7, p_missing=0.0, tau=1.5)
    model = mixedlm("y ~ arm * visit", data, groups="pid")
    for reml in (False, True):
        a, b = model.fit(reml=reml), model.fit(reml=reml, se="joint")
        assert not a.boundary
        np.testing.assert_allclose(b.bse, a.bse, rtol=1e-9)


def test_boundary_fit_is_least_squares():
    data = simulated(150, seed=5, p_missing=0.1, tau=0.0, within=-0.6)
    fit = mixedlm("y ~ arm * visit", data, groups="pid").fit(reml=False)
    assert fit.boundary and fit.theta == 0.0 and fit.group_var == 0.0
    X = np.column_stack(
        [np.ones(len(data)), data["arm"] == "tau", data["visit"], (data["arm"] == "tau") * data["visit"]]
    ).astype(float)
    beta, rss, *_ = np.linalg.lstsq(X, data["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)
    sigma2 = rss[0] / len(data)
    assert fit.scale == pytest.approx(sigma2, rel=1e-12)
    np.testing.assert_allclose(fit.cov_params().to_numpy(), sigma2 * np.linalg.inv(X.T @ X), rtol=1e-9)
    n = len(data)
    assert fit.llf == pytest.approx(-0.5 * n * (1 + np.log(2 * np.pi * sigma2)), rel=1e-12)
    joint = mixedlm("y ~ arm * visit", data, groups="pid").fit(reml=False, se="joint")
    np.testing.assert_allclose(joint.bse, fit.bse, rtol=1e-14)


def test_optimum_is_a_stationary_minimum_of_lme4_objective():
    data = simulated(300, seed=9, p_missing=0.3, tau=2.0)
    model = mixedlm("y ~ arm * visit", data, groups="pid")
    for reml in (False, True):
        fit = model.fit(reml=reml)
        dev = model.objective(fit.theta, reml=reml)
        assert fit.llf == pytest.approx(-dev / 2, rel=1e-15)
        for step in (1e-3, 1e-5):
            assert model.objective(fit.theta * (1 + step), reml) > dev
            assert model.objective(fit.theta * (1 - step), reml) > dev
        assert abs(model._slope(fit.theta, reml)) < 1e-8 * model.nobs


def test_from_arrays_equals_formula_and_drops_missing_rows():
    data = simulated(120, seed=2, p_missing=0.2, tau=1.0)
    data.loc[3, "y"] = np.nan
    data.loc[8, "visit"] = np.nan
    by_formula = mixedlm("y ~ visit", data, groups="pid")
    assert by_formula.n_dropped == 2 and by_formula.nobs == len(data) - 2
    X = pd.DataFrame({"Intercept": 1.0, "visit": data["visit"]})
    by_arrays = RandomInterceptModel.from_arrays(data["y"], X, data["pid"])
    assert by_arrays.n_dropped == 2
    a, b = by_formula.fit(reml=False), by_arrays.fit(reml=False)
    pd.testing.assert_series_equal(a.params, b.params, rtol=1e-13)
    pd.testing.assert_series_equal(a.bse, b.bse, rtol=1e-13)
    assert a.llf == pytest.approx(b.llf, rel=1e-14)
    # a missing label of a categorical covariate drops its row too; levels keep patsy's names
    with_arm = data.assign(arm=data["arm"].astype(object).where(data.index != 10, None))
    model = mixedlm("y ~ arm * visit", with_arm, groups="pid")
    assert model.n_dropped == 3 and model.exog_names == ["Intercept", "arm[T.tau]", "visit", "arm[T.tau]:visit"]
    # labels' order and type do not matter
    codes = pd.factorize(data["pid"])[0]
    permuted = np.random.default_rng(0).permutation(codes.max() + 1)
    relabelled = RandomInterceptModel.from_arrays(data["y"], X, 10_000 - permuted[codes]).fit(reml=False)
    assert relabelled.llf == pytest.approx(a.llf, rel=1e-12)


def test_results_are_consistent_pandas_objects():
    data = simulated(100, seed=4, p_missing=0.2, tau=1.0)
    fit = mixedlm("y ~ arm * visit", data, groups="pid").fit(reml=False)
    names = ["Intercept", "arm[T.tau]", "visit", "arm[T.tau]:visit"]
    for series in (fit.params, fit.bse, fit.tvalues, fit.pvalues):
        assert list(series.index) == names
    np.testing.assert_allclose(fit.tvalues, fit.params / fit.bse)
    ci = fit.conf_int(0.05)
    assert list(ci.columns) == ["ci_low", "ci_high"]
    np.testing.assert_allclose((ci["ci_high"] - ci["ci_low"]) / (2 * fit.bse), 1.959963984540054)
    from scipy.stats import norm

    np.testing.assert_allclose(fit.pvalues, 2 * norm.sf(np.abs(fit.tvalues)))
    assert fit.group_var == pytest.approx(fit.theta**2 * fit.scale)
    assert fit.cov_re.iloc[0, 0] == fit.group_var
    np.testing.assert_allclose(np.sqrt(np.diag(fit.cov_params())), fit.bse)
    assert fit.method == "ML" and fit.ngroups == data["pid"].nunique()
    assert list(fit.table()["term"]) == names


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: mixedlm("y ~ visit", d, groups="person"), "no column 'person'"),
        (lambda d: mixedlm("y ~ nothing", d, groups="pid"), "cannot build the design"),
        (lambda d: mixedlm("y ~ visit + I(2 * visit)", d, groups="pid"), "linear combination"),
        (lambda d: mixedlm("y ~ visit", d, groups="pid").fit(se="robust"), "se must be one of"),
        (
            lambda d: mixedlm("y ~ visit", d.assign(y=np.where(d.index == 5, np.inf, d["y"])), groups="pid"),
            "infinite at row 5",
        ),
        (lambda d: mixedlm("y ~ visit", d.assign(pid="p0"), groups="pid"), "1 cluster.*at least two"),
        (
            lambda d: mixedlm("y ~ visit", d.assign(pid=[f"q{i}" for i in range(len(d))]), groups="pid"),
            "single observation",
        ),
        (
            lambda d: mixedlm("y ~ arm * visit + (1 | pid)", d.assign(pid=np.repeat(np.arange(30), 3)), groups="pid"),
            "holds '\\|'",
        ),
        (lambda d: mixedlm("y ~ visit", d, groups="pid").fit(inference="kenward-roger"), "inference must be one of"),
        (lambda d: mixedlm("y ~ visit", d, groups="pid").fit(se="joint", inference="satterthwaite"), "se='lme4'"),
    ],
)
def test_bad_input_gets_one_line_message(call, message):
    data = simulated(30, seed=1, p_missing=0.0, tau=1.0)
    with pytest.raises(ValueError, match=message) as info:
        call(data)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("reml", ["no", 0, None, "False"])
def test_reml_must_be_a_bool(reml):
    model = mixedlm("y ~ visit", simulated(30, seed=1, p_missing=0.0, tau=1.0), groups="pid")
    with pytest.raises(TypeError, match="reml must be True or False"):
        model.fit(reml=reml)


def test_optimum_beyond_the_search_range_warns():
    """Clusters that differ by far more than the residual noise put theta past the grid: not converged, and said."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    rng = np.random.default_rng(2)
    pid = np.repeat(np.arange(40), 2)
    data = pd.DataFrame({"pid": pid, "y": 1e6 * np.repeat(rng.normal(size=40), 2) + 1e-6 * rng.normal(size=80)})
    with pytest.warns(ConvergenceWarning, match="optimum was not found"):
        fit = mixedlm("y ~ 1", data, groups="pid").fit(reml=False)
    assert not fit.converged

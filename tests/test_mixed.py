"""Tests of ipsrep.analyses.mixed (Table 4 mixed models) against OLS, closed forms, direct
engine fits and statsmodels."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from ipsrep.analyses import health, mixed, mixed_printed, mixed_ranking
from ipsrep.inputs.measures import MEASURES
from ipsrep.synthetic import calibration


def simulated_long(*, ips_n=24, tau_n=14, missing=0.0, seed=3, person_sd=8.0, noise_sd=6.0,
                   means=None) -> pd.DataFrame:
    """One measure (named odi) of a two-arm trial at visits 0/1/2, long format.

    `means[group]` gives the three visit means; a person effect N(0, person_sd^2) makes
    the within-person correlation person_sd^2 / (person_sd^2 + noise_sd^2). With
    `missing` > 0 that share of follow-up scores is dropped at random.
    """
    rng = np.random.default_rng(seed)
    means = means or {"IPS": (38.6, 36.1, 39.2), "TAU": (45.7, 41.0, 37.8)}
    rows = []
    for group, n in (("IPS", ips_n), ("TAU", tau_n)):
        for i in range(n):
            u = rng.normal(0, person_sd)
            for k in range(3):
                if k > 0 and rng.random() < missing:
                    continue
                rows.append({"participant_id": f"{group}{i:02d}", "group": group, "measure": "odi",
                             "visit": ("0m", "6m", "12m")[k], "visit_index": k, "months": 6 * k,
                             "value": means[group][k] + u + rng.normal(0, noise_sd)})
    return pd.DataFrame(rows)


def as_trial(long: pd.DataFrame) -> pd.DataFrame:
    """Wide participant table (contract columns for odi; other measures left empty)."""
    wide = long.pivot(index=["participant_id", "group"], columns="visit", values="value").reset_index()
    wide.columns.name = None
    trial = wide.rename(columns={v: f"odi_{v}" for v in ("0m", "6m", "12m")})
    for m in MEASURES:
        for v in ("0m", "6m", "12m"):
            if m.column(v) not in trial:
                trial[m.column(v)] = np.nan
    return trial


def terms(fit: pd.DataFrame, col: str = "estimate") -> pd.Series:
    return fit.set_index("term")[col]


def test_spec_rejects_unknown_coding():
    with pytest.raises(ValueError, match=r"Spec.time='weeks'; allowed: visit, months, centred"):
        mixed.Spec(time="weeks")


def test_candidate_specs_cover_every_combination():
    specs = mixed.candidate_specs()
    assert len(specs) == 3 * 3 * 2 * 2 * 3 == len(set(specs))
    assert mixed.ADOPTED in specs


def test_balanced_complete_fixed_effects_equal_ols_on_cell_means():
    # With every participant observed at every visit, GLS with a random intercept gives
    # the OLS estimates; OLS with a saturated group x visit-slope design is the line
    # through each group's three cell means.
    long = simulated_long()
    fit = terms(mixed.fit_spec(long, mixed.Spec(interaction="product")))
    cells = long.groupby(["group", "visit_index"])["value"].mean()
    slope = {g: np.polyfit([0, 1, 2], cells[g].to_numpy(), 1) for g in ("IPS", "TAU")}
    assert fit["time"] == pytest.approx(slope["TAU"][0], rel=1e-6)
    assert fit["intercept"] == pytest.approx(slope["TAU"][1], rel=1e-6)
    assert fit["interaction"] == pytest.approx(slope["IPS"][0] - slope["TAU"][0], rel=1e-6)
    assert fit["group"] == pytest.approx(slope["IPS"][1] - slope["TAU"][1], rel=1e-6)


def test_balanced_complete_slope_se_matches_closed_form():
    # Var(TAU slope) = sigma_e^2 / (n_TAU * sum_k (k - 1)^2) for complete balanced data:
    # the person effect cancels from a within-person contrast.
    long = simulated_long(seed=11)
    canon = mixed.fit_canonical(long)
    sigma2 = float(canon.full.scale)
    fit = terms(mixed.fit_spec(long, mixed.Spec(interaction="product"), canonical=canon), "se")
    assert fit["time"] == pytest.approx(np.sqrt(sigma2 / (14 * 2)), rel=1e-4)
    assert fit["interaction"] == pytest.approx(np.sqrt(sigma2 / 2 * (1 / 24 + 1 / 14)), rel=1e-4)


def test_separate_main_effects_equal_additive_ols_when_balanced():
    long = simulated_long(seed=5)
    fit = terms(mixed.fit_spec(long, mixed.Spec(interaction="separate")))
    X = np.column_stack([np.ones(len(long)), (long["group"] == "IPS").astype(float), long["visit_index"]])
    beta, *_ = np.linalg.lstsq(X, long["value"].to_numpy(), rcond=None)
    assert [fit["intercept"], fit["group"], fit["time"]] == pytest.approx(beta.tolist(), rel=1e-6)


@pytest.mark.parametrize(
    "spec, coding",
    [
        (mixed.Spec(time="centred", group="effect", interaction="product"),
         {"g": lambda d: np.where(d.group == "IPS", 1.0, -1.0), "t": lambda d: d.visit_index - 1.0}),
        (mixed.Spec(time="months", group="tau1", interaction="product"),
         {"g": lambda d: np.where(d.group == "TAU", 1.0, 0.0), "t": lambda d: 6.0 * d.visit_index}),
    ],
)
def test_recoded_coefficients_equal_a_direct_fit(spec, coding):
    # The recoded coefficients equal a direct fit of the spec's own coding with the
    # lme4-equivalent engine, and statsmodels' estimates (its joint-information SEs are
    # the engine's se="joint").
    from ipsrep.methods.lmm import mixedlm

    long = simulated_long(missing=0.25, seed=21)
    data = long.assign(g=coding["g"](long), t=coding["t"](long))
    direct = mixedlm("value ~ g * t", data, groups="participant_id").fit(reml=False)
    joint = mixedlm("value ~ g * t", data, groups="participant_id").fit(reml=False, se="joint")
    sm = smf.mixedlm("value ~ g * t", data, groups=data["participant_id"]).fit(reml=False, method="bfgs")
    fit = mixed.fit_spec(long, spec).set_index("term")
    names = {"group": "g", "time": "t", "interaction": "g:t", "intercept": "Intercept"}
    for term, name in names.items():
        assert fit.at[term, "estimate"] == pytest.approx(direct.params[name], rel=1e-9, abs=1e-9)
        assert fit.at[term, "se"] == pytest.approx(direct.bse[name], rel=1e-9)
        assert fit.at[term, "p"] == pytest.approx(direct.pvalues[name], rel=1e-7, abs=1e-12)
        assert fit.at[term, "estimate"] == pytest.approx(sm.fe_params[name], rel=1e-4, abs=1e-6)
        assert joint.bse[name] == pytest.approx(sm.bse_fe[name], rel=1e-3)
    # with missing visits the two kinds of SE differ
    assert not np.allclose(direct.bse.to_numpy(), joint.bse.to_numpy(), rtol=1e-4)


@pytest.mark.parametrize("spec", [mixed.Spec(time="centred", group="effect", interaction="product"),
                                  mixed.Spec(time="months", group="tau1", interaction="centred_product")])
def test_satterthwaite_df_of_recoded_coefficients_equal_a_direct_fit(spec):
    # A recoded coefficient is a contrast of the canonical fit; its Satterthwaite df
    # (lmerTest's contest1D) equals the df of a direct fit in the spec's own coding.
    from ipsrep.methods.lmm import RandomInterceptModel

    long = simulated_long(missing=0.25, seed=21, ips_n=8, tau_n=6)
    y, X, clusters, _ = mixed.design(long, spec, with_interaction=True)
    direct = RandomInterceptModel.from_arrays(y, X, clusters).fit(reml=False, inference="satterthwaite")
    fit = mixed.fit_spec(long, spec, inference="satterthwaite").set_index("term")
    wald = mixed.fit_spec(long, spec).set_index("term")
    for term in ("group", "time", "interaction", "intercept"):
        assert fit.at[term, "df"] == pytest.approx(direct.df[term], rel=1e-8)
        assert fit.at[term, "p"] == pytest.approx(direct.pvalues[term], rel=1e-8)
        assert fit.at[term, "df"] < 40 and fit.at[term, "p"] > wald.at[term, "p"]
        assert np.isinf(wald.at[term, "df"])


def test_satterthwaite_needs_a_random_intercept_model():
    with pytest.raises(ValueError, match="random intercept only"):
        mixed.fit_spec(simulated_long(seed=2), mixed.Spec(random="slope"), inference="satterthwaite")


def test_random_slope_candidates_still_fit():
    # the engine has no random slope: those candidates go through statsmodels
    long = simulated_long(missing=0.2, seed=7)
    fit = mixed.fit_spec(long, mixed.Spec(random="slope", interaction="product")).set_index("term")
    data = long.assign(g=(long["group"] == "IPS").astype(float), t=long["visit_index"].astype(float))
    sm = smf.mixedlm("value ~ g * t", data, groups=data["participant_id"], re_formula="~t").fit(
        reml=False, method="bfgs"
    )
    assert fit.at["interaction", "estimate"] == pytest.approx(sm.fe_params["g:t"], rel=1e-3)


def test_centred_product_main_effects_are_averages():
    # With the interaction built from centred codes, the time coefficient is the slope
    # averaged over participants' groups (balanced, complete data: OLS algebra).
    long = simulated_long(seed=8)
    fit = terms(mixed.fit_spec(long, mixed.Spec(interaction="centred_product")))
    cells = long.groupby(["group", "visit_index"])["value"].mean()
    slopes = {g: np.polyfit([0, 1, 2], cells[g].to_numpy(), 1)[0] for g in ("IPS", "TAU")}
    share = 24 / 38
    assert fit["time"] == pytest.approx(share * slopes["IPS"] + (1 - share) * slopes["TAU"], rel=1e-6)


def test_baseline_covariate_design_uses_follow_ups_and_centres_baseline():
    long = simulated_long(missing=0.2, seed=2)
    y, X, clusters, Z = mixed.design(long, mixed.Spec(baseline="covariate", random="slope"))
    assert len(y) == int((long["visit_index"] > 0).sum())
    base = long[long.visit_index == 0].set_index("participant_id")["value"].loc[np.unique(clusters)]
    assert X["baseline"].to_numpy() == pytest.approx((base - base.mean()).loc[clusters].to_numpy())
    assert Z.shape == (len(y), 2)


def test_missing_follow_ups_still_use_the_baseline_of_every_participant():
    long = simulated_long(missing=0.4, seed=4)
    fit = mixed.fit_spec(long)
    assert fit["n_participants"].iloc[0] == 38
    assert fit["n_obs"].iloc[0] == len(long)


def test_table4_on_a_participant_table():
    long = simulated_long(missing=0.2, seed=6)
    table = mixed.table4(as_trial(long), measures=["odi"])
    assert list(table["term"]) == list(mixed.TERMS) and (table["measure"] == "odi").all()
    direct = mixed.fit_spec(health.long_format(as_trial(long), ["odi"]))
    assert table["estimate"].to_numpy() == pytest.approx(direct["estimate"].to_numpy())


def test_published_table4_reads_the_printed_numbers():
    pub = mixed_printed.published_table4().set_index(["measure", "term"])
    assert len(pub) == 36
    assert pub.loc[("odi", "group"), ["estimate", "se", "z", "p"]].tolist() == [-3.53, 3.82, -0.92, 0.356]
    assert pub.loc[("bpi_least", "intercept"), "estimate"] == 3.89


def test_distance_to_published_in_printed_se_units():
    fitted = pd.DataFrame({"measure": ["odi", "odi"], "term": ["group", "interaction"],
                           "estimate": [0.29, 4.05 - 2 * 2.17], "se": [3.82, 1.085]})
    d = mixed_printed.distance_to_published(fitted).set_index("term")
    assert d.at["group", "distance"] == pytest.approx((0.29 + 3.53) / 3.82)
    assert bool(d.at["group", "within_1se"]) is True and bool(d.at["group", "same_sign"]) is False
    assert d.at["interaction", "distance"] == pytest.approx(-2.0)
    assert bool(d.at["interaction", "within_1se"]) is False
    assert d.at["interaction", "se_ratio"] == pytest.approx(0.5)


def test_rank_specs_puts_the_generating_coding_first():
    # Visit means built so that, under visit numbering with TAU as reference and main
    # effects from the model without interaction, the printed ODI coefficients come out
    # (TAU intercept 42.78, group -3.53, common slope -1.13, interaction 4.05), with
    # person and noise SDs that give SEs near the printed ones. Other codings of the same
    # data must rank below it.
    s_tau = -1.13 - 38 / 58 * 4.05
    s_ips = s_tau + 4.05
    a_tau = 42.78 - 1.13 - s_tau
    a_ips = -3.53 + a_tau + s_tau - s_ips
    means = {"IPS": tuple(a_ips + s_ips * k for k in range(3)), "TAU": tuple(a_tau + s_tau * k for k in range(3))}
    long = simulated_long(ips_n=38, tau_n=20, seed=1, person_sd=12.0, noise_sd=11.5, means=means)
    specs = [mixed.Spec(time=t, group=g, interaction="separate")
             for t, g in (("months", "ips1"), ("visit", "tau1"), ("visit", "effect"), ("visit", "ips1"))]
    specs.append(mixed.Spec(interaction="product"))
    ranking = mixed_ranking.rank_specs(as_trial(long), specs, measures=["odi"])
    assert ranking.loc[0, "label"] == mixed.Spec(interaction="separate").label
    assert list(ranking["rank"]) == [1, 2, 3, 4, 5]
    assert ranking["rms_distance"].is_monotonic_increasing
    assert (ranking["n_coefficients"] == 4).all()
    assert ranking.loc[0, "n_within_1se"] == 4


def test_calibration_recovers_more_correlation_as_r_grows():
    def reconstruct(seed=None, within_person_r=None):
        r = within_person_r["odi"]
        long = simulated_long(ips_n=38, tau_n=20, seed=9, person_sd=10 * np.sqrt(r),
                              noise_sd=10 * np.sqrt(1 - r), missing=0.2)
        return as_trial(long)

    calib = calibration.calibrate_within_person_r(reconstruct, grid=(0.1, 0.5, 0.8), measures=["odi"])
    icc = calib[calib.term == "group"].set_index("r")["icc"]
    assert icc.is_monotonic_increasing and icc.loc[0.8] > 0.6
    se = calib.pivot(index="r", columns="term", values="se")
    assert se["group"].is_monotonic_increasing  # between-person contrast: more r, larger SE
    assert se["time"].is_monotonic_decreasing  # within-person contrast: more r, smaller SE
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        calibration.calibrate_within_person_r(reconstruct, grid=(1.0,), measures=["odi"])


def test_choose_within_person_r_minimises_log_se_ratio():
    rows = []
    for r, factor in ((0.3, 0.5), (0.6, 1.1), (0.9, 1.6)):
        for term in mixed.TERMS:
            rows.append({"r": r, "measure": "odi", "term": term, "se": factor, "printed_se": 1.0,
                         "distance": 0.5 if r == 0.6 else 2.0})
    best = calibration.choose_within_person_r(pd.DataFrame(rows)).iloc[0]
    assert best["r"] == 0.6
    assert best["se_mismatch"] == pytest.approx(4 * np.log(1.1) ** 2)
    assert best["n_within_1se"] == 4


def test_table4_ledger_values_keys():
    fitted = pd.DataFrame(
        {"measure": ["odi"], "term": ["time"], "estimate": [1.0], "se": [0.5], "z": [2.0], "p": [0.05]}
    )
    assert mixed.table4_ledger_values(fitted) == {"t4.odi.time.estimate": 1.0, "t4.odi.time.se": 0.5,
                                                 "t4.odi.time.z": 2.0, "t4.odi.time.p": 0.05}


def test_published_consistency_flags_only_the_worst_pain_interaction():
    check = mixed_printed.published_consistency().set_index(["measure", "term"])
    flagged = check.index[~check["consistent"]].tolist()
    assert flagged == [("bpi_worst", "interaction")]
    row = check.loc[("bpi_worst", "interaction")]
    # 0.06 / 0.24 at the rounding extremes: 0.055 / 0.245 and 0.065 / 0.235
    assert row["z_low"] == pytest.approx(0.055 / 0.245) and row["z_high"] == pytest.approx(0.065 / 0.235)
    assert row["z_implied_estimate"] == pytest.approx(1.60 * 0.24)
    assert bool(check.loc[("odi", "interaction"), "consistent"]) is True


def test_table4_ledger_statuses():
    fitted = mixed_printed.published_table4()
    rows = mixed.table4_ledger(fitted, bundled=True).set_index("key")
    assert len(rows) == 144
    assert rows.at["t4.odi.group.estimate", "status"] == "approximate"
    assert rows.at["t4.bpi_worst.interaction.estimate", "status"] == "source_inconsistent"
    assert rows.at["t4.bpi_worst.interaction.se", "status"] == "approximate"
    assert "0.38" in rows.at["t4.bpi_worst.interaction.z", "note"]
    other = mixed.table4_ledger(fitted, bundled=False)
    assert (other["status"] == "").all() and (other["published"] == "").all()


def test_ranking_text_names_the_best_and_the_adopted_rank_and_flags_a_stale_ranking():
    rows = []
    for k, (spec, d) in enumerate(((mixed.Spec(random="slope", interaction="separate"), 0.30),
                                   (mixed.ADOPTED, 0.31), (mixed.Spec(baseline="covariate"), 0.70))):
        rows.append({"rank": k + 1, "label": spec.label, **asdict(spec), "rms_distance": d,
                     "data_sha256": "abc", "linkage": "rank linkage"})
    ranking = pd.DataFrame(rows)
    text = mixed_ranking.ranking_markdown(ranking, data_sha256="abc")
    assert (
        "Closest candidate: **" + mixed.Spec(random="slope", interaction="separate").words + "** (distance 0.300)"
        in text
    )
    assert "time=" not in text and "random intercept and time slope per participant" in text
    assert "is ranked **2** of 3" in text and "covariate reaches 0.700, against 0.300" in text
    assert text.startswith("Computed on the reconstruction with its rank linkage")
    assert "another version of the data" in mixed_ranking.ranking_markdown(ranking, data_sha256="xyz")
    fresh = mixed_ranking.ranking_markdown(ranking.drop(columns=["data_sha256", "linkage"]), recomputed=True)
    assert fresh.startswith("Closest candidate")

"""Research question 3, adjusted: the linear mixed models of the trial paper's Table 4.

The paper describes its model in one line (fixed effects for the time points and the
group, random effects for the clusters, i.e. participants; maximum likelihood; adjusted
for baseline and missing data: Sveinsdottir et al. 2022, Statistical Analyses and the
note under Table 4) and prints four coefficients per outcome: group, time,
group-by-time interaction and intercept. The coding behind them is not stated, so this
module fits candidate specifications (:class:`Spec`), measures how far each lands from
the printed coefficients in units of the printed standard error (:func:`rank_specs`),
and fits the adopted one (:data:`ADOPTED`, :func:`table4`).

Random-intercept models (the adopted specification and every candidate with
``random="intercept"``) are fitted by maximum likelihood with the project's exact
engine :mod:`ipsrep.methods.lmm` (standard errors sigma^2 (X' V^-1 X)^-1 as lme4 and
nlme report them; estimates, SEs and log-likelihood equal to lme4's ``lmer(...,
REML = FALSE)``). That engine fits a random intercept only, so the candidates with a
random time slope as well (``random="slope"``, used only in the specification ranking)
are still fitted with ``statsmodels`` ``MixedLM`` (``reml=False``), whose standard
errors come from the joint information of fixed effects and variance parameters and
can differ from lme4's by up to about 1% when visits are missing. All models use the
long table of observed scores (:func:`ipsrep.analyses.health.long_format`): a
participant with a score missing at a visit still contributes the visits answered,
which is what makes the analysis valid when missingness depends only on observed
scores (missing at random; Rabe-Hesketh and Skrondal 2008, the paper's reference 28).

A synthetic reconstruction fixes only the marginal distributions, so the standard
errors and interactions depend on how the reconstruction links a person's visits
(:mod:`ipsrep.synthetic.linkage` searches that linkage to fit the printed table;
:mod:`ipsrep.synthetic.calibration` sets its starting point). :func:`write_ranking`
stores the ranking of the candidates so the notebook need not refit it.
"""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as student_t

from ipsrep.analyses.health import long_format
from ipsrep.analyses.mixed_printed import published_consistency, published_table4
from ipsrep.inputs.measures import GROUPS
from ipsrep.methods import portable
from ipsrep.methods.lmm import RandomInterceptModel

__all__ = [
    "TERMS",
    "Spec",
    "ADOPTED",
    "candidate_specs",
    "design",
    "CanonicalFit",
    "fit_canonical",
    "fit_spec",
    "table4",
    "table4_ledger_values",
    "table4_display",
    "table4_ledger",
]

TERMS: tuple[str, ...] = ("group", "time", "interaction", "intercept")
"""The four coefficients Table 4 prints per outcome, in its order."""

TIME_CODINGS = ("visit", "months", "centred")
GROUP_CODINGS = ("ips1", "tau1", "effect")
BASELINE_HANDLING = ("outcome", "covariate")
RANDOM_EFFECTS = ("intercept", "slope")
INTERACTIONS = ("product", "centred_product", "separate")

"""Stored fits of the adopted model over a grid of within-person correlations."""
"""Stored ranking of the candidate specifications on the bundled reconstruction."""


@dataclass(frozen=True)
class Spec:
    """One way of reading the paper's model description.

    Attributes
    ----------
    time : {"visit", "months", "centred"}
        Time as the visit number 0/1/2, as months 0/6/12, or as the visit number centred
        on the middle visit (-1/0/1, so the intercept and group refer to 6 months).
    group : {"ips1", "tau1", "effect"}
        Group as 0/1 with IPS = 1 (TAU the reference), 0/1 with TAU = 1, or effect-coded
        IPS = +1, TAU = -1.
    baseline : {"outcome", "covariate"}
        Baseline as the first outcome visit, or as a covariate (centred on its mean over
        the participants analysed) with only the 6- and 12-month scores as outcomes.
    random : {"intercept", "slope"}
        Random intercept per participant, or random intercept and time slope with an
        unstructured covariance.
    interaction : {"product", "centred_product", "separate"}
        The group-by-time term as the product of the two codes; as the product of the
        codes centred on their means over the observations (main effects then read as
        averages over the other factor); or ``separate``: group, time and intercept from
        the model without interaction and the interaction from the model with it, as a
        table assembled from two nested models would show them.
    """

    time: str = "visit"
    group: str = "ips1"
    baseline: str = "outcome"
    random: str = "intercept"
    interaction: str = "product"

    def __post_init__(self):
        for field, allowed in (
            ("time", TIME_CODINGS), ("group", GROUP_CODINGS), ("baseline", BASELINE_HANDLING),
            ("random", RANDOM_EFFECTS), ("interaction", INTERACTIONS),
        ):
            if getattr(self, field) not in allowed:
                raise ValueError(f"Spec.{field}={getattr(self, field)!r}; allowed: {', '.join(allowed)}")

    @property
    def label(self) -> str:
        """Short name, e.g. ``time=visit group=ips1 baseline=outcome re=intercept int=product``."""
        return (f"time={self.time} group={self.group} baseline={self.baseline} "
                f"re={self.random} int={self.interaction}")

    @property
    def words(self) -> str:
        """The specification in words, for prose and captions.

        >>> Spec(interaction="separate").words.split(", ")[-2:]
        ['a random intercept per participant', 'main effects from the model without the interaction']
        """
        return ", ".join((_TIME_WORDS[self.time], _GROUP_WORDS[self.group], _BASELINE_WORDS[self.baseline],
                          _RANDOM_WORDS[self.random], _INTERACTION_WORDS[self.interaction]))


_TIME_WORDS = {"visit": "time as the visit number (0, 1, 2)", "months": "time in months (0, 6, 12)",
               "centred": "time centred on 6 months (-1, 0, 1)"}
_GROUP_WORDS = {"ips1": "IPS = 1 and TAU = 0", "tau1": "TAU = 1 and IPS = 0", "effect": "IPS = +1 and TAU = -1"}
_BASELINE_WORDS = {"outcome": "baseline as the first outcome visit", "covariate": "baseline as a covariate"}
_RANDOM_WORDS = {"intercept": "a random intercept per participant",
                 "slope": "a random intercept and time slope per participant"}
_INTERACTION_WORDS = {"product": "the interaction as the product of the codes",
                      "centred_product": "the interaction as the product of the centred codes",
                      "separate": "main effects from the model without the interaction"}


ADOPTED = Spec(time="visit", group="ips1", baseline="outcome", random="intercept", interaction="separate")
"""The specification adopted for Table 4: visit 0/1/2, IPS = 1, baseline as an outcome
visit, random intercept, main effects from the model without interaction.

It ranks first or second of the 108 candidates (:func:`rank_specs`) on the bundled
reconstruction before its linkage search (the search then tunes the linkage to this
specification); the candidate with a random time slope as well is as close, and we keep
the random intercept that the paper's note describes. Why this coding makes the
printed numbers coherent is set out in notebook 03."""


def candidate_specs(
    *,
    time: Iterable[str] = TIME_CODINGS,
    group: Iterable[str] = GROUP_CODINGS,
    baseline: Iterable[str] = BASELINE_HANDLING,
    random: Iterable[str] = RANDOM_EFFECTS,
    interaction: Iterable[str] = INTERACTIONS,
) -> list[Spec]:
    """Every combination of the given codings (by default all 108 candidates)."""
    return [Spec(*combo) for combo in itertools.product(time, group, baseline, random, interaction)]


def _time_code(visit_index: np.ndarray, coding: str) -> np.ndarray:
    if coding == "visit":
        return visit_index.astype(float)
    if coding == "months":
        return 6.0 * visit_index
    return visit_index - 1.0


def _group_code(group: np.ndarray, coding: str) -> np.ndarray:
    ips = (group == "IPS").astype(float)
    if coding == "ips1":
        return ips
    if coding == "tau1":
        return 1.0 - ips
    return 2.0 * ips - 1.0


def design(
    long: pd.DataFrame, spec: Spec, *, with_interaction: bool = True
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, np.ndarray]:
    """Response, fixed-effects design, clusters and random-effects design for one measure.

    Parameters
    ----------
    long : DataFrame
        One measure in the form of :func:`ipsrep.analyses.health.long_format`.
    spec : Spec
        The coding to build.
    with_interaction : bool
        Include the group-by-time column.

    Returns
    -------
    y : ndarray
    X : DataFrame
        Columns ``intercept, group, time`` [``interaction``] [``baseline``].
    clusters : ndarray
        Participant id per row.
    Z : ndarray
        Random-effects design (a column of ones, plus time for a random slope).
    """
    data = long
    if spec.baseline == "covariate":
        base = long.loc[long["visit_index"] == 0].set_index("participant_id")["value"]
        data = long.loc[(long["visit_index"] > 0) & long["participant_id"].isin(base.index)].copy()
        data["baseline"] = data["participant_id"].map(base - base.loc[data["participant_id"].unique()].mean())
    g = _group_code(data["group"].to_numpy(), spec.group)
    t = _time_code(data["visit_index"].to_numpy(), spec.time)
    X = pd.DataFrame({"intercept": 1.0, "group": g, "time": t}, index=data.index)
    if with_interaction:
        if spec.interaction == "centred_product":
            X["interaction"] = (g - g.mean()) * (t - t.mean())
        else:
            X["interaction"] = g * t
    if spec.baseline == "covariate":
        X["baseline"] = data["baseline"].to_numpy()
    Z = np.ones((len(data), 1)) if spec.random == "intercept" else np.column_stack([np.ones(len(data)), t])
    return data["value"].to_numpy(dtype=float), X, data["participant_id"].to_numpy(), Z


_OPTIMISERS = ("bfgs", "lbfgs", "powell")
"""statsmodels optimisers tried in turn for random-slope models; L-BFGS sometimes stops
where the Hessian is singular."""


INFERENCE = ("wald", "satterthwaite")
"""How Table 4's p-values are computed: Wald z (the paper's Stata output) or Satterthwaite's t (lmerTest)."""


def _fit(y, X: pd.DataFrame, clusters, Z, inference: str = "wald"):
    """Maximum-likelihood fit; returns (results, converged).

    A random intercept alone (``Z`` one column) is fitted with
    :class:`ipsrep.methods.lmm.RandomInterceptModel` (exact ML, lme4's standard errors),
    with Wald z or Satterthwaite t inference. A random intercept and slope is fitted
    with statsmodels ``MixedLM``, since the project's engine handles random intercepts
    only; its standard errors are the joint kind (see the module docstring) and its
    inference Wald z only.
    """
    if inference not in INFERENCE:
        raise ValueError(f"inference must be one of {', '.join(INFERENCE)}, got {inference!r}")
    if Z.shape[1] == 1:
        result = RandomInterceptModel.from_arrays(y, X, clusters).fit(reml=False, inference=inference)
        return result, bool(result.converged)
    if inference != "wald":
        raise ValueError(
            "Satterthwaite degrees of freedom are available for a random intercept only (random_effects='intercept')"
        )

    from statsmodels.regression.mixed_linear_model import MixedLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    model = MixedLM(y, X, groups=clusters, exog_re=Z)
    failures = []
    for method in _OPTIMISERS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", UserWarning)
            try:
                result = model.fit(reml=False, method=method)
            except (np.linalg.LinAlgError, ValueError) as exc:  # singular Hessian at the optimum
                failures.append(f"{method}: {exc}")
                continue
        warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        converged = bool(getattr(result, "converged", True)) and not warned
        if converged or method == _OPTIMISERS[-1]:
            return result, converged
    raise RuntimeError("mixed model could not be fitted: " + "; ".join(failures))


CANONICAL = {"time": "visit", "group": "ips1", "interaction": "product"}
"""Coding every model is fitted in; other codings are derived from it (see :func:`fit_spec`)."""


@dataclass
class CanonicalFit:
    """ML fits of one measure in the canonical coding, with and without interaction."""

    baseline: str
    random: str
    # the exact engine's RandomInterceptResults or statsmodels' MixedLMResults (random
    # slope): both give params, bse, cov_re, scale and llf, and share no base class
    full: Any
    main: Any
    converged: bool


def fit_canonical(long: pd.DataFrame, *, baseline: str = "outcome", random: str = "intercept",
                  inference: str = "wald") -> CanonicalFit:
    """Fit the canonical coding (visit 0/1/2, IPS = 1) with and without the interaction.

    Two maximum-likelihood fits on one measure's long table (:func:`_fit`: the exact
    engine for a random intercept, statsmodels for a random slope as well), with Wald
    z or Satterthwaite t inference (``inference``).
    """
    canon = Spec(baseline=baseline, random=random, **CANONICAL)
    full, ok_full = _fit(*design(long, canon, with_interaction=True), inference=inference)
    main, ok_main = _fit(*design(long, canon, with_interaction=False), inference=inference)
    return CanonicalFit(baseline=baseline, random=random, full=full, main=main, converged=ok_full and ok_main)


def _recoded(result, X_canonical: pd.DataFrame, X_spec: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame, pd.Series]:
    """Fixed effects, their covariance and degrees of freedom in the spec's coding, from a canonical fit.

    The spec's columns span the same space as the canonical ones (affine recoding of
    group and time, centred or plain products), so X_spec = X_canonical M for a square
    M, found by least squares on the design itself (normal equations summed and solved in
    a fixed order, :mod:`ipsrep.methods.portable`); then beta_spec = M^-1 beta and
    Cov_spec = M^-1 Cov M^-T. Maximum likelihood is equivariant under such a
    reparametrisation, so this equals fitting the spec directly (up to the optimiser's
    tolerance) at a fraction of the cost. Each new coefficient is the contrast
    ``M^-1[i]`` of the canonical ones, so its Satterthwaite degrees of freedom are that
    contrast's (infinite for a Wald fit).
    """
    names = list(X_canonical.columns)
    Xc, Xs = X_canonical.to_numpy(dtype=float), X_spec.to_numpy(dtype=float)
    both = portable.cross_products(np.hstack([Xc, Xs]).T)  # fixed-order sums: the same bits on every BLAS kernel
    k = Xc.shape[1]
    M = portable.solve_spd(both[:k, :k], both[:k, k:])
    if not np.allclose(Xc @ M, Xs, atol=1e-8):
        raise ValueError("the specification is not a reparametrisation of the canonical model")
    Minv = portable.solve(M, np.eye(k))
    beta = portable.rowsum(Minv * result.fe_params[names].to_numpy())
    cov = portable.matmul(portable.matmul(Minv, result.cov_params().loc[names, names].to_numpy()), Minv.T)
    cols = list(X_spec.columns)
    contrast_df = getattr(result, "contrast_df", None)
    df = [contrast_df(row) if contrast_df is not None else np.inf for row in Minv]
    return pd.Series(beta, index=cols), pd.DataFrame(cov, index=cols, columns=cols), pd.Series(df, index=cols)


def _wald(beta: pd.Series, cov: pd.DataFrame, df: pd.Series, names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Estimate, SE, statistic and two-sided p per term: normal p for infinite df, Student t otherwise."""
    out = {}
    for name in names:
        se = float(np.sqrt(cov.at[name, name]))
        z = float(beta[name]) / se
        dof = float(df[name])
        p = 2 * norm.sf(abs(z)) if np.isinf(dof) else 2 * student_t.sf(abs(z), dof)
        out[name] = {"estimate": float(beta[name]), "se": se, "z": z, "df": dof, "p": float(p)}
    return out


def fit_spec(long: pd.DataFrame, spec: Spec = ADOPTED, *, canonical: CanonicalFit | None = None,
             inference: str = "wald") -> pd.DataFrame:
    """Fit one specification to one measure and return Table 4's four coefficients.

    Parameters
    ----------
    long : DataFrame
        One measure in the form of :func:`ipsrep.analyses.health.long_format`.
    spec : Spec
        The coding (default :data:`ADOPTED`).
    canonical : CanonicalFit, optional
        Fits from :func:`fit_canonical` with the spec's ``baseline`` and ``random``, to
        reuse across codings (fitted here when not given).
    inference : {"wald", "satterthwaite"}
        ``"wald"`` (default): z and its two-sided normal p, as Stata's ``mixed`` prints
        them in the paper. ``"satterthwaite"``: the same statistic against Student's t
        with Satterthwaite's degrees of freedom (lmerTest's default), random intercept only.

    Returns
    -------
    DataFrame
        One row per term of :data:`TERMS`: ``term, estimate, se, z, df, p`` (``z`` is
        the estimate over its SE whichever the inference; ``df`` is infinite for Wald),
        and per model
        ``n_obs, n_participants, loglik`` (of the model with interaction), ``icc``
        (random-intercept variance over total variance at the time origin of the
        canonical coding, visit 0) and ``converged``.

    Notes
    -----
    Every coding of time and group is an affine recoding of the canonical one
    (:data:`CANONICAL`), so each model is fitted once and the coefficients of the other
    codings are derived exactly by :func:`_recoded`; ``tests/test_mixed.py`` checks
    this against direct fits.
    """
    if canonical is None:
        canonical = fit_canonical(long, baseline=spec.baseline, random=spec.random, inference=inference)
    elif (canonical.baseline, canonical.random) != (spec.baseline, spec.random):
        raise ValueError(f"canonical fit is for baseline={canonical.baseline}, random={canonical.random}; "
                         f"spec needs baseline={spec.baseline}, random={spec.random}")
    canon = Spec(baseline=spec.baseline, random=spec.random, **CANONICAL)
    _, Xc, _, _ = design(long, canon, with_interaction=True)
    y, Xs, clusters, _ = design(long, spec, with_interaction=True)
    coefs = _wald(*_recoded(canonical.full, Xc, Xs), names=["group", "time", "interaction", "intercept"])
    if spec.interaction == "separate":
        _, Xc0, _, _ = design(long, canon, with_interaction=False)
        _, Xs0, _, _ = design(long, spec, with_interaction=False)
        coefs.update(_wald(*_recoded(canonical.main, Xc0, Xs0), names=["group", "time", "intercept"]))
    full = canonical.full
    re_var = float(np.asarray(full.cov_re)[0, 0])  # random-intercept variance (both engines)
    icc = re_var / (re_var + float(full.scale)) if re_var + full.scale > 0 else np.nan
    rows = [
        {"term": term, **coefs[term], "n_obs": len(y), "n_participants": len(np.unique(clusters)),
         "loglik": float(full.llf), "icc": icc, "converged": canonical.converged}
        for term in TERMS
    ]
    return pd.DataFrame(rows)


def table4(trial: pd.DataFrame, spec: Spec = ADOPTED, *, measures=None, inference: str = "wald") -> pd.DataFrame:
    """Table 4 from participant-level data: the mixed model of every measure.

    Parameters
    ----------
    trial : DataFrame
        Participant-level table in the data contract.
    spec : Spec
        The coding (default :data:`ADOPTED`).
    measures : list of str, optional
        Measure stems (default: all nine).
    inference : {"wald", "satterthwaite"}
        Wald z as the paper (default) or Satterthwaite's t (see :func:`fit_spec`).

    Returns
    -------
    DataFrame
        ``measure`` followed by the columns of :func:`fit_spec`, four rows per measure.
    """
    long = long_format(trial, measures)
    frames = []
    for name, part in long.groupby("measure", sort=False):
        reason = _not_fittable(part, str(name))
        if not reason:
            try:
                frames.append(fit_spec(part, spec, inference=inference).assign(measure=name, reason=""))
                continue
            except ValueError as exc:  # the engine's one-line reason (e.g. one observation per participant)
                reason = f"not computed: {exc}"
        empty = {"estimate": np.nan, "se": np.nan, "z": np.nan, "df": np.nan, "p": np.nan, "loglik": np.nan,
                 "icc": np.nan, "converged": False}
        frames.append(pd.DataFrame([{"term": term, **empty, "n_obs": len(part),
                                     "n_participants": part["participant_id"].nunique(), "measure": name,
                                     "reason": reason} for term in TERMS]))
    table = pd.concat(frames, ignore_index=True)
    return table[["measure", *[c for c in table.columns if c != "measure"]]]


def _not_fittable(long: pd.DataFrame, name: str) -> str:
    """Why one measure's mixed model cannot be fitted, in words, or "": the group-by-time
    interaction needs values after baseline in both groups."""
    later = long.loc[long["visit_index"] > 0]
    counts = {g: int((later["group"] == g).sum()) for g in GROUPS}
    if all(counts.values()):
        return ""
    return (f"not computed: the mixed model of {name} needs follow-up values in both groups "
            f"(IPS {counts['IPS']}, TAU {counts['TAU']})")


def table4_ledger_values(fitted: pd.DataFrame) -> dict[str, float]:
    """Table 4 numbers keyed as in the ledger: ``t4.<measure>.<term>.<estimate|se|z|p>``."""
    out = {}
    for _, r in fitted.iterrows():
        for stat in ("estimate", "se", "z", "p"):
            out[f"t4.{r['measure']}.{r['term']}.{stat}"] = float(r[stat])
    return out


def table4_display(fitted: pd.DataFrame, *, bundled: bool, fit: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table 4 as printed beside as reproduced.

    Parameters
    ----------
    fitted : DataFrame
        Output of :func:`table4`.
    bundled : bool
        Add the printed estimate, SE, z and p (meaningful on the bundled reconstruction only).
    fit : DataFrame, optional
        The one measure of fit the page reports (``measure, term, distance``:
        :func:`ipsrep.synthetic.linkage.linkage_report`, the gap to the target estimate in
        printed SEs); shown as a column when given.

    Returns
    -------
    DataFrame
        Index (``measure, term``); columns ``estimate, se, z, p`` reproduced and, with
        the printed table, ``Printed estimate, Printed SE, Printed z, Printed p`` and
        (with `fit`) ``Gap to target (SE)``: the gap in printed SEs.
    """
    out = fitted.set_index(["measure", "term"])[["estimate", "se", "z", "p"]].copy()
    if bundled:
        pub = published_table4().set_index(["measure", "term"])
        out = out.join(pub.rename(columns={"estimate": "Printed estimate", "se": "Printed SE", "z": "Printed z",
                                           "p": "Printed p"}))
        if fit is not None:
            out["Gap to target (SE)"] = fit.set_index(["measure", "term"])["distance"]
    return out


def table4_ledger(fitted: pd.DataFrame, *, bundled: bool, spec: Spec = ADOPTED,
                  within_person_r: str = "") -> pd.DataFrame:
    """Ledger rows ``t4.*`` for Table 4, all ``approximate``.

    Every Table 4 number depends on how the reconstruction pairs a participant's
    scores across visits, which the paper does not print, so none can be
    ``reproduced``. Rows whose printed estimate, SE and z contradict each other
    (:func:`published_consistency`) are ``source_inconsistent``, with the z-implied
    estimate in the note.

    Parameters
    ----------
    fitted : DataFrame
        Output of :func:`table4`.
    bundled : bool
        Compare with the printed numbers (True only on the bundled reconstruction).
    spec : Spec
        The coding fitted (named in the notes).
    within_person_r : str
        Text naming the within-person correlation(s) of the reconstruction, for the notes.
    """
    from ipsrep.analyses.paper import compare

    values = table4_ledger_values(fitted)
    check = published_consistency().set_index(["measure", "term"])
    status, notes = {}, {}
    base_note = f"mixed model, {spec.words}" + (f"; {within_person_r}" if within_person_r else "")
    reasons = fitted.set_index(["measure", "term"])["reason"] if "reason" in fitted else None
    for key in values:
        _, measure, term, stat = key.split(".")
        status[key] = "approximate"
        notes[key] = base_note
        if reasons is not None and reasons.get((measure, term)):
            notes[key] = str(reasons[(measure, term)])
            continue
        if (measure, term) in check.index and not check.at[(measure, term), "consistent"]:
            row = check.loc[(measure, term)]
            if stat in ("estimate", "z", "p"):
                status[key] = "source_inconsistent"
                notes[key] = (f"printed estimate {row['estimate']:.2f} / SE {row['se']:.2f} gives z "
                              f"{row['z_low']:.2f}-{row['z_high']:.2f}, not the printed {row['z']:.2f} "
                              f"(which implies an estimate near {row['z_implied_estimate']:.2f}); " + base_note)
    return compare(values, bundled=bundled, status=status, notes=notes)

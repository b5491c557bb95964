"""The result of a random-intercept model fit: estimates, standard errors, tests and intervals
keyed by term, in statsmodels' shape and as a tidy table.

Made by :meth:`ipsrep.methods.lmm_model.RandomInterceptModel.fit`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm
from scipy.stats import t as student_t

from ipsrep.methods.lmm_inference import satterthwaite_df

__all__ = ["RandomInterceptResults"]


@dataclass(frozen=True)
class RandomInterceptResults:
    """A fitted random-intercept model (see :meth:`RandomInterceptModel.fit`).

    Attributes
    ----------
    params : Series
        Fixed-effect estimates keyed by term name (``fe_params`` is the same Series).
    bse : Series
        Their standard errors (kind in ``se``).
    tvalues : Series
        Wald statistics ``params / bse`` (a z, or a t with ``df`` under Satterthwaite).
    pvalues : Series
        Two-sided p-values: normal (``inference="wald"``) or Student t with the
        Satterthwaite degrees of freedom in ``df`` (``inference="satterthwaite"``).
    df : Series
        Degrees of freedom of each term's t statistic (infinite for Wald z).
    llf : float
        Log-likelihood at the optimum: lme4's ``logLik`` (ML) or its REML criterion
        ``-REMLcrit / 2`` (REML).
    scale : float
        Residual variance sigma^2 (lme4's ``sigma(fit)^2``).
    group_var : float
        Random-intercept variance tau^2 (``cov_re`` as a 1 x 1 DataFrame).
    theta : float
        tau / sigma, the parameter lme4 optimises (``getME(fit, "theta")``).
    converged : bool
        False when the optimum lies beyond the search range (theta > 1e4) or the
        derivative's root could not be bracketed.
    boundary : bool
        True when the variance is estimated at zero (theta = 0; lme4's singular fit).
    nobs, ngroups : int
        Observations and clusters used.
    method : str
        ``"ML"`` or ``"REML"``.
    se : str
        ``"lme4"`` or ``"joint"`` (see :meth:`RandomInterceptModel.fit`).
    inference : str
        ``"wald"`` (z, the default) or ``"satterthwaite"`` (t; see :meth:`RandomInterceptModel.fit`).
    """

    params: pd.Series
    bse: pd.Series
    tvalues: pd.Series
    pvalues: pd.Series
    llf: float
    scale: float
    group_var: float
    theta: float
    converged: bool
    boundary: bool
    nobs: int
    ngroups: int
    method: str
    se: str
    covariance: pd.DataFrame
    df: pd.Series
    inference: str = "wald"
    varpar_covariance: np.ndarray | None = None
    covariance_jacobian: np.ndarray | None = None
    residual_df: float = math.inf

    def contrast_df(self, contrast) -> float:
        """Satterthwaite degrees of freedom of the estimate ``contrast' params``.

        Available after ``fit(inference="satterthwaite")``; lmerTest's ``contest1D``.
        Infinite for a Wald fit.
        """
        if self.inference != "satterthwaite":
            return math.inf
        L = np.asarray(contrast, dtype=float)
        return satterthwaite_df(
            L, self.covariance.to_numpy(), self.varpar_covariance, self.covariance_jacobian, self.residual_df
        )

    @property
    def fe_params(self) -> pd.Series:
        """Fixed-effect estimates (alias of ``params``, as statsmodels names them)."""
        return self.params

    @property
    def cov_re(self) -> pd.DataFrame:
        """Random-intercept variance as a 1 x 1 DataFrame labelled ``Group`` (statsmodels' shape)."""
        return pd.DataFrame([[self.group_var]], index=["Group"], columns=["Group"])

    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of the fixed-effect estimates, rows and columns keyed by term.

        Unlike statsmodels it holds the fixed effects only, not the variance parameters.
        """
        return self.covariance.copy()

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals ``params -/+ q bse``: q the normal quantile ``z(1 - alpha/2)``
        (Wald) or the Student t quantile with each term's Satterthwaite ``df``.

        Parameters
        ----------
        alpha : float
            Two-sided level, strictly between 0 and 1 (default .05: 95% intervals).

        Returns
        -------
        DataFrame
            Columns ``ci_low, ci_high`` indexed by term.
        """
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"conf_int: alpha must lie strictly between 0 and 1, got {alpha!r}")
        if self.inference == "satterthwaite":
            half = student_t.ppf(1.0 - alpha / 2.0, self.df) * self.bse
        else:
            half = norm.ppf(1.0 - alpha / 2.0) * self.bse
        return pd.DataFrame({"ci_low": self.params - half, "ci_high": self.params + half})

    def table(self, alpha: float = 0.05) -> pd.DataFrame:
        """Tidy coefficient table, one row per term.

        Columns ``term, estimate, se, z, p, ci_low, ci_high`` for a Wald fit; under
        Satterthwaite ``t`` and ``df`` take the place of ``z``.
        """
        ci = self.conf_int(alpha)
        statistic = (
            {"t": self.tvalues.to_numpy(), "df": self.df.to_numpy()}
            if self.inference == "satterthwaite"
            else {"z": self.tvalues.to_numpy()}
        )
        return pd.DataFrame(
            {
                "term": self.params.index,
                "estimate": self.params.to_numpy(),
                "se": self.bse.to_numpy(),
                **statistic,
                "p": self.pvalues.to_numpy(),
                "ci_low": ci["ci_low"].to_numpy(),
                "ci_high": ci["ci_high"].to_numpy(),
            }
        )

"""Inference for the random-intercept model's fixed effects: the options ``fit`` accepts,
Wald z or Satterthwaite t p-values, and Satterthwaite's degrees of freedom of a contrast.

The model and its fit are in :mod:`ipsrep.methods.lmm_model`; the public names in
:mod:`ipsrep.methods.lmm`.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

__all__ = ["FEW_CLUSTERS", "FewClustersWarning", "INFERENCE", "SE_KINDS", "check_fit_options", "satterthwaite_df",
           "two_sided_p"]

SE_KINDS = ("lme4", "joint")
INFERENCE = ("wald", "satterthwaite")

FEW_CLUSTERS = 30
"""Below this many clusters a Wald-z fit warns (:class:`FewClustersWarning`).

With few clusters the normal reference distribution of the Wald statistic makes p-values
too small and intervals too short; reviews of small-sample multilevel models put the
point where this starts to matter at about 30 clusters (McNeish and Stapleton 2016).
"""


class FewClustersWarning(UserWarning):
    """A Wald-z fit on fewer than :data:`FEW_CLUSTERS` clusters; Satterthwaite's t is safer."""


def check_fit_options(reml, se: str, inference: str) -> bool:
    """``reml`` as a bool, after checking the options of ``RandomInterceptModel.fit``.

    Raises ValueError (an unknown ``se`` or ``inference``, or Satterthwaite with
    ``se="joint"``) or TypeError (``reml`` not a bool), one line each.
    """
    if se not in SE_KINDS:
        raise ValueError(f"fit: se must be one of {', '.join(SE_KINDS)}, got {se!r}")
    if inference not in INFERENCE:
        raise ValueError(f"fit: inference must be one of {', '.join(INFERENCE)}, got {inference!r}")
    if not isinstance(reml, (bool, np.bool_)):
        raise TypeError(f"fit: reml must be True or False, got {reml!r}")
    if inference == "satterthwaite" and se != "lme4":
        raise ValueError(
            "fit: Satterthwaite degrees of freedom go with se='lme4' (lmerTest's covariance), not se='joint'"
        )
    return bool(reml)


def two_sided_p(z: np.ndarray, df: np.ndarray, inference: str) -> np.ndarray:
    """Two-sided p-values of the statistics `z`: normal (``"wald"``) or Student t with `df`
    (``"satterthwaite"``)."""
    if inference == "satterthwaite":
        return 2.0 * student_t.sf(np.abs(z), df)
    return 2.0 * norm.sf(np.abs(z))


def satterthwaite_df(contrast: np.ndarray, cov: np.ndarray, varpar_cov: np.ndarray | None,
                     jacobian: np.ndarray | None, residual_df: float) -> float:
    """df = 2 (L'CL)^2 / (g' A g), g the gradient of L'CL in the variance parameters, A their covariance.

    Satterthwaite (1946) as lmerTest applies it (Kuznetsova et al. 2017, ``contest1D``). On
    the boundary (theta = 0, ``varpar_cov`` None) the theta component of g vanishes and
    the formula reduces to the residual degrees of freedom (N, or N - p for REML).
    """
    if varpar_cov is None or jacobian is None:  # both None together, on the boundary
        return float(residual_df)
    variance = contrast @ cov @ contrast
    grad = np.array([contrast @ J @ contrast for J in jacobian])
    return float(2.0 * variance**2 / (grad @ varpar_cov @ grad))

"""Random-intercept linear mixed model, fitted exactly by profiling one variance ratio.

The model is

    y_ij = x_ij' b + u_i + e_ij,   u_i ~ N(0, tau^2),   e_ij ~ N(0, sigma^2),

for observation j of cluster (participant) i, all effects independent. It is the model
of the trial paper's Table 4 (fixed effects for group and time, a random intercept per
participant, maximum likelihood). :func:`mixedlm` has the call shape of
``statsmodels.formula.api.mixedlm``; :meth:`RandomInterceptModel.from_arrays` takes a
design matrix built elsewhere. ``fit`` returns a :class:`RandomInterceptResults` with
pandas objects keyed by term name.

Why not statsmodels ``MixedLM``: it loops over clusters in Python at every likelihood
evaluation, its optimiser stops short of the optimum (estimates agree with lme4 to about
1e-5) and it reports the standard errors from the joint observed information of fixed
effects and variance parameters, which differ from lme4's and nlme's as soon as a
participant misses a visit. Here the likelihood is reduced once to per-cluster sufficient
statistics; after that each evaluation costs O(K p^2), K the number of distinct cluster
sizes, whatever the number of participants (``benchmarks/lmm.py``: 0.1 s for 125,000
participants, design build included, against about 5 s for lme4). Log-likelihoods agree
with lme4's ``lmer`` (``REML = FALSE`` and ``TRUE``) to about 1e-14 relative, estimates
and standard errors to 1e-7 or better (``tests/test_lmm.py``): the optimum here is the
root of the deviance's analytic derivative, found to machine precision, while lme4's
derivative-free optimiser stops where its deviance stops changing, about 1e-7 from the
optimum in theta.

The same data give the same bits on every CPU, BLAS kernel, thread count and SIMD
width (``tests/test_determinism.py``): the cross-products are sums of element-wise
products added in an order fixed by numpy's pairwise summation, the (p + 1) x (p + 1)
systems are solved by Gaussian elimination written out in a fixed order, and the
logarithms are :mod:`ipsrep.methods.portable`'s, so no BLAS or LAPACK call, ``einsum`` or
SIMD transcendental function decides a result of ``fit(inference="wald")``. (The
Satterthwaite and ``se="joint"`` extras still use numpy's p x p products and inverses.)

Rows whose response, any design column or the cluster label is missing are dropped
before fitting (as statsmodels' ``missing="drop"`` and R's ``na.omit`` do);
``RandomInterceptModel.n_dropped`` says how many.

The code is split by job: :mod:`ipsrep.methods.lmm_design` (the data, from arrays or a
formula, and the refusals), :mod:`ipsrep.methods.lmm_model` (the model, its likelihood and
fit), :mod:`ipsrep.methods.lmm_inference` (Wald z, Satterthwaite's degrees of freedom) and
:mod:`ipsrep.methods.lmm_results` (the result object). This module holds the public names.
"""
from __future__ import annotations

from ipsrep.methods.lmm_inference import FEW_CLUSTERS, FewClustersWarning
from ipsrep.methods.lmm_model import RandomInterceptModel, mixedlm
from ipsrep.methods.lmm_results import RandomInterceptResults

__all__ = ["FEW_CLUSTERS", "FewClustersWarning", "RandomInterceptModel", "RandomInterceptResults", "mixedlm"]

"""The random-intercept linear mixed model and its exact fit by profiling one variance ratio.

What the model is, why it is fitted this way and how it agrees with lme4 and lmerTest:
:mod:`ipsrep.methods.lmm`, which holds the public names. The data and their checks are in
:mod:`ipsrep.methods.lmm_design`, the tests of the fixed effects in
:mod:`ipsrep.methods.lmm_inference`, the result object in :mod:`ipsrep.methods.lmm_results`.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import patsy
from scipy import optimize
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from ipsrep.methods import portable
from ipsrep.methods.lmm_design import formula_design, observations
from ipsrep.methods.lmm_inference import (
    FEW_CLUSTERS,
    FewClustersWarning,
    check_fit_options,
    satterthwaite_df,
    two_sided_p,
)
from ipsrep.methods.lmm_results import RandomInterceptResults

__all__ = ["RandomInterceptModel", "mixedlm"]

_LOG_2PI = float(portable.log(2.0 * math.pi))
_THETA_GRID = np.concatenate([[0.0], portable.exp(np.linspace(-4.0, 4.0, 81) * portable.log(10.0))])
"""Coarse grid of theta = tau / sigma searched before the root of the derivative is polished."""


class RandomInterceptModel:
    """Random-intercept linear mixed model on per-cluster sufficient statistics.

    Parameters
    ----------
    endog : array_like
        Response, one value per observation.
    exog : DataFrame or array_like
        Fixed-effects design, one row per observation (include the intercept column
        yourself). Column names become the term names (``x0, x1, ...`` for an array).
    groups : array_like
        Cluster label per observation (any hashable values).

    Attributes
    ----------
    exog_names : list of str
        Term names.
    nobs, ngroups : int
        Observations and clusters after dropping rows with a missing value.
    n_dropped : int
        Rows dropped because the response, a design column or the label was missing.

    Notes
    -----
    With g = tau^2 / sigma^2 = theta^2 the covariance of cluster i's n_i observations is
    V_i = sigma^2 (I + g 11'), whose inverse is (I - w_i 11') / sigma^2 with
    w_i = g / (1 + n_i g), and log|V_i| = n_i log sigma^2 + log(1 + n_i g). Write
    D = [X y] and m_i for cluster i's column means of D. Then

        D' V*^-1 D = W + sum_i n_i m_i m_i' / (1 + n_i g) = W + sum_k S_k / (1 + k g),

    V* = V / sigma^2, where W is the within-cluster scatter of D (D minus its cluster
    means, computed once, so no sum of large terms is ever differenced) and S_k sums
    n_i m_i m_i' over the clusters of size k. Every quantity below follows from the
    Cholesky factor of this (p + 1) x (p + 1) matrix (here: Gaussian elimination, whose
    pivots are the factor's squared diagonal): its leading p x p block is
    A(g) = X' V*^-1 X, the generalised least-squares estimate solves A b = X' V*^-1 y,
    and the square of its last diagonal element is the penalised residual sum of
    squares r(g). Profiling out b and sigma^2 (Wolfinger, Tobias and Sall 1994; Bates
    et al. 2015, section 3) leaves one-dimensional objectives, lme4's deviance and REML
    criterion:

        ML:   -2 l(theta)  = sum_i log(1 + n_i g) + N [1 + log(2 pi r / N)]
        REML: -2 lR(theta) = sum_i log(1 + n_i g) + log|A(g)|
                             + (N - p) [1 + log(2 pi r / (N - p))]

    with sigma^2 = r / N (ML) or r / (N - p) (REML). The objective is evaluated on a
    grid of theta (0 and 81 values from 1e-4 to 1e4); the root of its analytic
    derivative in the bracket around the grid minimum is then found by Brent's method
    to machine precision, which a minimiser of the objective itself cannot reach (its
    precision is limited to the square root of machine epsilon). When the derivative
    at theta = 0 is not negative and theta = 0 is the grid minimum the variance is on
    its boundary: theta = tau^2 = 0 and the fit is ordinary least squares, as lme4
    reports a singular fit.

    Nothing loops over clusters in Python: per-cluster sums come from
    :func:`numpy.bincount`, and memory is O(N p) for the data and O(ngroups p) for the
    statistics kept for the joint standard errors.
    """
    def __init__(self, endog, exog, groups):
        names, y, X, codes, self.ngroups, self.n_dropped = observations(endog, exog, groups)
        self.exog_names = names
        self.formula: str | None = None  # set by from_formula
        self.nobs, self.k_fe = len(y), X.shape[1]
        self._sufficient_statistics(y, X, codes)
        self._check_rank()

    @classmethod
    def from_arrays(cls, endog, exog, groups) -> RandomInterceptModel:
        """Model from a response, a design matrix (DataFrame: its column names are the terms) and cluster labels.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> X = pd.DataFrame({"Intercept": 1.0, "t": [0, 1, 2, 0, 1, 2, 0, 1]})
        >>> y = [1.0, 2.1, 2.9, 2.2, 3.0, 4.3, 0.4, 1.6]
        >>> fit = RandomInterceptModel.from_arrays(y, X, groups=[1, 1, 1, 2, 2, 2, 3, 3]).fit()
        >>> fit.params.round(4).to_dict()
        {'Intercept': 1.2029, 't': 1.0245}
        >>> round(fit.theta, 4), fit.method, fit.boundary
        (5.8183, 'REML', False)
        """
        return cls(endog, exog, groups)

    @classmethod
    def from_formula(cls, formula: str, data: pd.DataFrame, groups, *, eval_env: int = 0) -> RandomInterceptModel:
        """Model from a patsy formula (``"y ~ group * time"``) and the cluster column or labels.

        Parameters
        ----------
        formula : str
            Two-sided patsy formula; categorical variables get treatment coding and
            term names such as ``group[T.TAU]``.
        data : DataFrame
            The long table, one row per observation.
        groups : str or array_like
            Name of the cluster column in ``data``, or one label per row.
        eval_env : int
            Frames above the caller in which patsy looks up functions used in the formula.

        Returns
        -------
        RandomInterceptModel
        """
        env = patsy.EvalEnvironment.capture(eval_env + 1)
        y, X, labels, n_dropped = formula_design(formula, data, groups, env)
        model = cls(y, X, labels)
        model.n_dropped += n_dropped
        model.formula = formula
        return model

    # ------------------------------------------------------------------ statistics
    def _sufficient_statistics(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray) -> None:
        p, m = self.k_fe, self.ngroups
        D = np.vstack([X.T, y])  # columns of [X y] as rows, each contiguous
        n = np.bincount(codes, minlength=m).astype(float)
        totals = np.empty((m, p + 1))
        for j in range(p + 1):
            totals[:, j] = np.bincount(codes, weights=D[j], minlength=m)
        means = totals / n[:, None]
        D -= means[codes].T
        self._W = portable.cross_products(D)
        del D
        sizes, which = np.unique(n, return_inverse=True)
        S = np.empty((len(sizes), p + 1, p + 1))
        for k in range(len(sizes)):  # one pass per distinct cluster size, not per cluster
            S[k] = sizes[k] * portable.cross_products(means[which == k].T)
        self._sizes = sizes
        self._counts = np.bincount(which, minlength=len(sizes)).astype(float)
        self._S = S
        self._n = n
        self._totals = totals

    def _check_rank(self) -> None:
        G = self._W + self._S.sum(axis=0)
        A = G[: self.k_fe, : self.k_fe]
        d = np.sqrt(np.diag(A))
        if np.any(d == 0):
            raise ValueError(f"RandomInterceptModel: design column {self.exog_names[int(np.argmin(d))]!r} is all zero")
        R = A / np.outer(d, d)
        for j in range(1, self.k_fe + 1):
            if np.linalg.eigvalsh(R[:j, :j])[0] < 1e-10:
                raise ValueError(
                    f"RandomInterceptModel: design column {self.exog_names[j - 1]!r} is a linear combination of "
                    f"{', '.join(repr(c) for c in self.exog_names[: j - 1])}; drop it (lme4 would drop it too)"
                )

    # ------------------------------------------------------------------ objective
    def _weighted(self, weights: np.ndarray, S: np.ndarray) -> np.ndarray:
        """sum_k weights[k] S[k], added in the order of the cluster sizes."""
        out = weights[0] * S[0]
        for k in range(1, len(weights)):
            out = out + weights[k] * S[k]
        return out

    def _matrix(self, g: float) -> np.ndarray:
        return self._W + self._weighted(1.0 / (1.0 + self._sizes * g), self._S)

    def _factor(self, g: float) -> tuple[np.ndarray, np.ndarray, float]:
        """G(g), the squared diagonal of the Cholesky factor of A(g) = G[:p, :p] and the
        penalised residual sum of squares r(g), by a fixed-order elimination
        (:mod:`ipsrep.methods.portable`: the same bits on every BLAS kernel)."""
        G = self._matrix(g)
        p = self.k_fe
        reduced = _eliminate(G.tolist(), p)
        pivots, r = np.array([reduced[k][k] for k in range(p)]), reduced[p][p]
        if not (np.all(pivots > 0.0) and r > 0.0):
            raise ValueError(
                "RandomInterceptModel: the response is fitted exactly by the fixed effects; "
                "no residual variance to estimate"
            )
        return G, pivots, r

    def _solve(self, G: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """A(g)^-1 rhs for a p x q `rhs`, A = G[:p, :p] (fixed-order elimination)."""
        p = self.k_fe
        rhs = np.asarray(rhs, dtype=float)
        q = rhs.shape[1]
        red = _eliminate([a + b for a, b in zip(G[:p, :p].tolist(), rhs.tolist(), strict=True)], p)
        x = [[0.0] * q for _ in range(p)]
        for i in range(p - 1, -1, -1):
            row, acc = red[i], red[i][p:]
            for j in range(i + 1, p):
                acc = [a - row[j] * b for a, b in zip(acc, x[j], strict=True)]
            x[i] = [a / row[i] for a in acc]
        return np.array(x)

    def objective(self, theta: float, reml: bool = False) -> float:
        """Profiled deviance at ``theta`` = tau / sigma: lme4's ``devfun`` (ML) or REML criterion.

        Parameters
        ----------
        theta : float
            Ratio of the random-intercept to the residual standard deviation, >= 0.
        reml : bool
            REML criterion instead of the ML deviance.

        Returns
        -------
        float
            -2 times the profiled log-likelihood (see the class Notes).
        """
        if not theta >= 0:
            raise ValueError(f"objective: theta must be >= 0, got {theta!r}")
        return float(self._objectives(np.array([float(theta)]), reml)[0])

    def _objectives(self, thetas: np.ndarray, reml: bool) -> np.ndarray:
        """:meth:`objective` at each of `thetas` at once (element-wise the same operations,
        so the same bits as one at a time)."""
        g = thetas * thetas
        p, N = self.k_fe, self.nobs
        f = 1.0 / (1.0 + self._sizes * g[:, None])
        weighted = f[:, 0, None, None] * self._S[0]
        for k in range(1, len(self._sizes)):
            weighted = weighted + f[:, k, None, None] * self._S[k]
        reduced = portable.eliminate(self._W + weighted, p)
        pivots, r = np.diagonal(reduced, axis1=-2, axis2=-1)[:, :p], reduced[:, p, p]
        if not (np.all(pivots > 0.0) and np.all(r > 0.0)):
            raise ValueError(
                "RandomInterceptModel: the response is fitted exactly by the fixed effects; "
                "no residual variance to estimate"
            )
        value = portable.rowsum(self._counts * portable.log1p(self._sizes * g[:, None]))
        if reml:
            dof = N - p
            log_det = portable.rowsum(portable.log(pivots))
            return value + log_det + dof * (1.0 + _LOG_2PI + portable.log(r / dof))
        return value + N * (1.0 + _LOG_2PI + portable.log(r / N))

    def _slope(self, theta: float, reml: bool) -> float:
        """Derivative of :meth:`objective` with respect to g = theta^2 (same sign as in theta)."""
        g = theta * theta
        p, N = self.k_fe, self.nobs
        G, _, r = self._factor(g)
        f = 1.0 / (1.0 + self._sizes * g)
        dG = -self._weighted(self._sizes * f * f, self._S)
        beta = self._solve(G, G[:p, p:])[:, 0]
        v = np.append(-beta, 1.0)
        dr = float(_quadratic(dG, v))
        slope = float(portable.rowsum(self._counts * self._sizes * f))
        if reml:
            slope += (N - p) * dr / r + float(portable.rowsum(np.diagonal(self._solve(G, dG[:p, :p]))))
        else:
            slope += N * dr / r
        return slope

    def _optimum(self, reml: bool) -> tuple[float, bool]:
        grid = _THETA_GRID
        values = self._objectives(grid, reml)
        j = int(np.argmin(values))
        if j == len(grid) - 1:
            return float(grid[j]), False
        if j == 0 and self._slope(0.0, reml) >= 0.0:
            return 0.0, True
        lo, hi = (float(grid[j - 1]) if j > 0 else 0.0), float(grid[j + 1])
        s_lo, s_hi = self._slope(lo, reml), self._slope(hi, reml)
        if j > 0 and self._slope(float(grid[j]), reml) == 0.0:
            return float(grid[j]), True
        if not (s_lo < 0.0 < s_hi):
            return float(grid[j]), False
        theta = optimize.brentq(
            lambda t: self._slope(t, reml), lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500
        )
        if self.objective(theta, reml) > values[j]:
            return float(grid[j]), False
        return float(theta), True

    # ------------------------------------------------------------------ fit
    def fit(self, reml: bool = True, se: str = "lme4", inference: str = "wald") -> RandomInterceptResults:
        """Maximum-likelihood or REML fit.

        Parameters
        ----------
        reml : bool
            REML (default, as lme4's ``lmer`` and statsmodels) or, when False, maximum
            likelihood (the trial paper's choice). Must be a bool.
        se : {"lme4", "joint"}
            ``"lme4"``: sigma^2 (X' V*^-1 X)^-1 with sigma^2 the profiled ML (r / N) or
            REML (r / (N - p)) estimate, as lme4's ``vcov`` and nlme report.
            ``"joint"``: the fixed-effect block of the inverse observed information of
            the fixed effects and the variance ratio jointly, sigma^2 profiled out,
            as statsmodels ``MixedLM`` reports (see Notes).
        inference : {"wald", "satterthwaite"}
            ``"wald"`` (default, as the trial paper's Stata output): z = estimate / se
            against the normal distribution; warns (:class:`FewClustersWarning`) below
            :data:`FEW_CLUSTERS` clusters. ``"satterthwaite"``: the same statistic against
            Student's t with Satterthwaite's degrees of freedom, as lmerTest computes
            them (Kuznetsova, Brockhoff and Christensen 2017), for lme4's standard errors
            only.

        Returns
        -------
        RandomInterceptResults

        Warns
        -----
        ConvergenceWarning
            When the optimum was not found (``converged`` is False).

        Notes
        -----
        The two kinds of standard error differ through the cross derivative of the
        log-likelihood in b and g, proportional to sum_i e_i s_i / (1 + n_i g)^2 with e_i
        cluster i's sum of residuals and s_i its column sums of X. Its expectation is
        zero and with complete balanced data (every cluster observed at the same design
        points) it is zero exactly, so the two kinds coincide; with missing visits they
        differ (by up to about 1% on the trial's data). With REML the joint form
        differentiates statsmodels' restricted likelihood, in which b is kept as a free
        parameter. When the variance is on its boundary (theta = 0) the variance
        parameter is not free and both kinds equal sigma^2 (X'X)^-1.

        Examples
        --------
        >>> import pandas as pd
        >>> data = pd.DataFrame({
        ...     "id": [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4],
        ...     "arm": ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "b"],
        ...     "t": [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1],
        ...     "y": [5.0, 6.2, 6.9, 3.1, 4.4, 5.2, 4.0, 3.9, 4.6, 6.1, 5.8]})
        >>> fit = mixedlm("y ~ arm * t", data, groups="id").fit(reml=False)
        >>> fit.params.round(4).to_dict()
        {'Intercept': 4.1333, 'arm[T.b]': 0.7936, 't': 1.0, 'arm[T.b]:t': -0.8309}
        >>> fit.bse.round(4).to_dict()
        {'Intercept': 0.6571, 'arm[T.b]': 0.9297, 't': 0.1109, 'arm[T.b]:t': 0.1786}
        >>> round(fit.llf, 4), round(fit.scale, 5), round(fit.group_var, 4)
        (-6.714, 0.04919, 0.8225)
        >>> fit.conf_int().round(3).loc["t"].to_dict()
        {'ci_low': 0.783, 'ci_high': 1.217}

        lme4 (``lmer(y ~ arm * t + (1 | id), REML = FALSE)``) prints the same estimates,
        standard errors 0.6570832, 0.9296936, 0.1108918, 0.1786476 and logLik -6.714034.
        The fourth cluster misses a visit, so the joint form differs slightly:

        >>> mixedlm("y ~ arm * t", data, groups="id").fit(reml=False, se="joint").bse.round(5).to_dict()
        {'Intercept': 0.65708, 'arm[T.b]': 0.9297, 't': 0.11089, 'arm[T.b]:t': 0.17891}

        With four clusters the Wald z is too optimistic (the fits above warn); lmerTest's
        ``summary(fit)`` prints Satterthwaite df 4.202681, 4.210429, 6.987188, 7.012222
        and p .002759, .4391, 4.258e-05, .002328:

        >>> satt = mixedlm("y ~ arm * t", data, groups="id").fit(reml=False, inference="satterthwaite")
        >>> satt.df.round(5).to_dict()
        {'Intercept': 4.20268, 'arm[T.b]': 4.21043, 't': 6.98719, 'arm[T.b]:t': 7.01222}
        >>> satt.pvalues.round(6).to_dict()
        {'Intercept': 0.002759, 'arm[T.b]': 0.43915, 't': 4.3e-05, 'arm[T.b]:t': 0.002328}
        """
        reml = check_fit_options(reml, se, inference)
        theta, converged = self._optimum(reml)
        self._warn(theta, converged, reml, inference)
        boundary = theta == 0.0
        g = theta * theta
        p, N = self.k_fe, self.nobs
        G, _, r = self._factor(g)
        beta = self._solve(G, G[:p, p:])[:, 0]
        sigma2 = r / (N - p if reml else N)
        A_inv = self._solve(G, np.eye(p))
        cov = sigma2 * A_inv
        if se == "joint" and not boundary:
            cov = self._joint_covariance(g, beta, r, A_inv, reml)
        names = self.exog_names
        params = pd.Series(beta, index=names, name="estimate")
        bse = pd.Series(np.sqrt(np.diag(cov)), index=names, name="se")
        z = params / bse
        varpar_cov = jacobian = None
        if inference == "satterthwaite" and not boundary:
            varpar_cov, jacobian = self._satterthwaite_parts(g, beta, r, sigma2, A_inv, reml)
        df = self._degrees_of_freedom(cov, varpar_cov, jacobian, reml, inference)
        return RandomInterceptResults(
            params=params,
            bse=bse,
            tvalues=z.rename("t" if inference == "satterthwaite" else "z"),
            pvalues=pd.Series(two_sided_p(z.to_numpy(), df, inference), index=names, name="p"),
            llf=-0.5 * self.objective(theta, reml),
            scale=float(sigma2),
            group_var=float(sigma2 * g),
            theta=float(theta),
            converged=bool(converged),
            boundary=bool(boundary),
            nobs=int(N),
            ngroups=int(self.ngroups),
            method="REML" if reml else "ML",
            se=se,
            covariance=pd.DataFrame(cov, index=names, columns=names),
            df=pd.Series(df, index=names, name="df"),
            inference=inference,
            varpar_covariance=varpar_cov,
            covariance_jacobian=jacobian,
            residual_df=float(N - p if reml else N),
        )

    def _warn(self, theta: float, converged: bool, reml: bool, inference: str) -> None:
        """Warn, at the caller of :meth:`fit`, of an optimum not found or of a Wald z on few clusters."""
        if not converged:
            warnings.warn(
                f"RandomInterceptModel: the {'REML' if reml else 'ML'} optimum was not found (theta = {theta:.6g}); "
                "estimates and standard errors are unreliable",
                ConvergenceWarning,
                stacklevel=3,
            )
        if inference == "wald" and self.ngroups < FEW_CLUSTERS:
            warnings.warn(
                f"RandomInterceptModel: {self.ngroups} clusters; Wald z p-values and intervals are too small and too "
                "short with few clusters: consider inference='satterthwaite'",
                FewClustersWarning,
                stacklevel=3,
            )

    def _degrees_of_freedom(self, cov: np.ndarray, varpar_cov: np.ndarray | None, jacobian: np.ndarray | None,
                            reml: bool, inference: str) -> np.ndarray:
        """Each term's degrees of freedom: Satterthwaite's, or infinite for a Wald z."""
        p = self.k_fe
        if inference != "satterthwaite":
            return np.full(p, np.inf)
        residual_df = self.nobs - p if reml else self.nobs
        return np.array([satterthwaite_df(row, cov, varpar_cov, jacobian, residual_df) for row in np.eye(p)])

    def _satterthwaite_parts(self, g: float, beta: np.ndarray, r: float, sigma2: float, A_inv: np.ndarray,
                             reml: bool) -> tuple[np.ndarray, np.ndarray]:
        """Covariance of the variance parameters and the Jacobian of the estimates' covariance.

        lmerTest (Kuznetsova et al. 2017) writes the deviance as a function of the
        variance parameters phi = (theta, sigma), the fixed effects profiled out,

            D(theta, sigma) = c(g) + r(g) / sigma^2 + M log(2 pi sigma^2),   g = theta^2,

        with c(g) = sum_i log(1 + n_i g) (+ log|A(g)| for REML) and M = N (ML) or N - p
        (REML); the covariance of phi is 2 H^-1, H the Hessian of D at the optimum, and
        the covariance of the estimates is C(phi) = sigma^2 A(g)^-1. lmerTest takes H and
        the Jacobian dC/dphi by numerical differentiation; here both are analytic
        (derivatives of G(g) = W + sum_k S_k / (1 + k g), see the class Notes).

        Returns
        -------
        (2 x 2 array, 2 x p x p array)
            ``2 H^-1`` and ``(dC/dtheta, dC/dsigma)``.
        """
        p, N = self.k_fe, self.nobs
        M = N - p if reml else N
        f = 1.0 / (1.0 + self._sizes * g)
        G1 = -np.tensordot(self._sizes * f * f, self._S, axes=1)
        G2 = np.tensordot(2.0 * self._sizes**2 * f**3, self._S, axes=1)
        v = np.append(-beta, 1.0)
        u = (G1 @ v)[:p]
        r1 = v @ G1 @ v
        r2 = v @ G2 @ v - 2.0 * u @ A_inv @ u
        c1 = float(self._counts @ (self._sizes * f))
        c2 = -float(self._counts @ (self._sizes**2 * f * f))
        A1 = G1[:p, :p]
        if reml:
            P = A_inv @ A1
            c1 += np.trace(P)
            c2 += np.trace(A_inv @ G2[:p, :p]) - np.trace(P @ P)
        theta, sigma = math.sqrt(g), math.sqrt(sigma2)
        H = np.empty((2, 2))
        H[0, 0] = 2.0 * (c1 + r1 / sigma2) + 4.0 * g * (c2 + r2 / sigma2)
        H[0, 1] = H[1, 0] = -4.0 * theta * r1 / sigma**3
        H[1, 1] = 6.0 * r / sigma2**2 - 2.0 * M / sigma2
        jacobian = np.stack([-2.0 * theta * sigma2 * (A_inv @ A1 @ A_inv), 2.0 * sigma * A_inv])
        return 2.0 * np.linalg.inv(H), jacobian

    def _joint_covariance(self, g: float, beta: np.ndarray, r: float, A_inv: np.ndarray, reml: bool) -> np.ndarray:
        """Fixed-effect block of the inverse negative Hessian of the sigma-profiled log-likelihood in (b, g)."""
        p, N = self.k_fe, self.nobs
        fac = N - p if reml else N
        n = self._n
        h = 1.0 / (1.0 + n * g)
        e = self._totals @ np.append(-beta, 1.0)  # per-cluster residual sums
        s = self._totals[:, :p]
        A = np.linalg.inv(A_inv)
        H = np.empty((p + 1, p + 1))
        H[:p, :p] = -fac * A / r
        H[:p, p] = H[p, :p] = -fac / r * (s.T @ (h * h * e))
        q_g = -np.sum(h * h * e * e)
        q_gg = 2.0 * np.sum(n * h**3 * e * e)
        H[p, p] = -0.5 * fac * (q_gg / r - q_g * q_g / r**2) + 0.5 * np.sum((n * h) ** 2)
        if reml:
            f = 1.0 / (1.0 + self._sizes * g)
            Sx = self._S[:, :p, :p]
            dA = -np.tensordot(self._sizes * f**2, Sx, axes=1)
            d2A = np.tensordot(2.0 * self._sizes**2 * f**3, Sx, axes=1)
            P = A_inv @ dA
            H[p, p] -= 0.5 * (np.trace(A_inv @ d2A) - np.trace(P @ P))
        return np.linalg.inv(-H)[:p, :p]


def _eliminate(a: list[list[float]], p: int) -> list[list[float]]:
    """Gaussian elimination of the first `p` columns of the rows `a`, in place, without
    pivoting: :func:`ipsrep.methods.portable.eliminate` in Python floats (the same IEEE
    operations in the same order, without numpy's per-element overhead on a 5 x 5)."""
    n = len(a)
    for k in range(p):
        pivot, row_k = a[k][k], a[k]
        for i in range(k + 1, n):
            row_i = a[i]
            f = row_i[k] / pivot
            for j in range(k + 1, len(row_i)):
                row_i[j] = row_i[j] - f * row_k[j]
            row_i[k] = 0.0
    return a


def _left_to_right(values) -> float:
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def _quadratic(M: np.ndarray, v: np.ndarray) -> float:
    """v' M v, added left to right (no BLAS)."""
    vs = v.tolist()
    Mv = [_left_to_right([m * w for m, w in zip(row, vs, strict=True)]) for row in M.tolist()]
    return float(_left_to_right([a * b for a, b in zip(Mv, vs, strict=True)]))


def mixedlm(formula: str, data: pd.DataFrame, groups) -> RandomInterceptModel:
    """Random-intercept linear mixed model from a formula, as ``statsmodels.formula.api.mixedlm``.

    Parameters
    ----------
    formula : str
        Two-sided patsy formula for the fixed effects, e.g. ``"value ~ group * visit_index"``.
    data : DataFrame
        Long table, one row per observation.
    groups : str or array_like
        Cluster (participant) column name, or one label per row.

    Returns
    -------
    RandomInterceptModel
        Call ``.fit(reml=False)`` for maximum likelihood, ``.fit()`` for REML.

    Notes
    -----
    Rows with a missing response, covariate or cluster label are dropped. The model and
    its exact profiled-likelihood fit are described in :class:`RandomInterceptModel`.

    References
    ----------
    Bates D, Maechler M, Bolker B, Walker S (2015). Fitting linear mixed-effects models
    using lme4. Journal of Statistical Software 67(1), 1-48. doi:10.18637/jss.v067.i01

    Pinheiro JC, Bates DM (2000). Mixed-Effects Models in S and S-PLUS. Springer, New York,
    chapter 2.

    Wolfinger R, Tobias R, Sall J (1994). Computing Gaussian likelihoods and their
    derivatives for general linear mixed models. SIAM Journal on Scientific Computing
    15(6), 1294-1310. doi:10.1137/0915079

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"pid": [1, 1, 2, 2, 3, 3], "t": [0, 1] * 3,
    ...                      "y": [1.0, 1.9, 3.1, 4.2, 2.0, None]})
    >>> model = mixedlm("y ~ t", data, groups="pid")
    >>> model.nobs, model.ngroups, model.n_dropped
    (5, 3, 1)
    """
    return RandomInterceptModel.from_formula(formula, data, groups, eval_env=1)

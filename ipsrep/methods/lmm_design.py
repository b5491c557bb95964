"""The data of a random-intercept model: the response, the fixed-effects design and the
cluster labels, from arrays or from a patsy formula, with the refusals (mismatched
lengths, infinite values, too few clusters or observations, a random-effect term in the
formula) each said in one line.

Used by :class:`ipsrep.methods.lmm_model.RandomInterceptModel`.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import patsy

__all__ = ["categorical_columns", "formula_design", "observations", "one_line"]


def categorical_columns(frame: pd.DataFrame, formula: str) -> pd.DataFrame:
    """Text and boolean columns named in the formula as pandas categoricals (levels sorted).

    patsy examines a column of Python strings value by value (seconds for 300,000 rows)
    but reads a pandas categorical's codes directly; the levels and their order, hence
    the term names, are the same (sorted, the first level the reference).
    """
    named = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula))
    convert = {
        c: pd.Categorical(frame[c])
        for c in frame.columns
        if c in named and (pd.api.types.is_string_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))
        and not isinstance(frame[c].dtype, pd.CategoricalDtype)
    }
    return frame.assign(**convert) if convert else frame


def one_line(exc: Exception) -> str:
    """The first line of an exception's message, its whitespace collapsed."""
    return " ".join(str(exc).split("\n")[0].split())


def observations(endog, exog, groups) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, int, int]:
    """The complete observations of a random-intercept model, checked.

    Returns
    -------
    (names, y, X, codes, ngroups, n_dropped)
        Term names (the DataFrame's columns, or ``x0, x1, ...``), the response and design
        of the rows without a missing value, their cluster codes 0 .. ngroups - 1 (in
        order of first appearance), the number of clusters and of rows dropped.

    Raises
    ------
    ValueError
        Lengths that differ, an infinite value, fewer than two clusters, no cluster with
        two observations, or no more observations than fixed effects.
    """
    if isinstance(exog, pd.DataFrame):
        names = [str(c) for c in exog.columns]
        X = exog.to_numpy(dtype=float)
    else:
        X = np.asarray(exog, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        names = [f"x{j}" for j in range(X.shape[1])]
    y = np.asarray(endog, dtype=float).ravel()
    g = pd.Series(groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups))
    if X.ndim != 2 or len(y) != X.shape[0] or len(g) != len(y):
        raise ValueError(
            f"RandomInterceptModel: endog ({len(y)}), exog ({X.shape[0] if X.ndim == 2 else X.shape}) "
            f"and groups ({len(g)}) must have one row per observation"
        )
    keep = ~(np.isnan(y) | np.isnan(X).any(axis=1) | g.isna().to_numpy())
    for values, what in (
        (y[keep], "endog"),
        *((X[keep, j], f"exog column {names[j]!r}") for j in range(X.shape[1])),
    ):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            row = int(np.flatnonzero(keep)[bad[0]])
            raise ValueError(
                f"RandomInterceptModel: {what} is infinite at row {row}; "
                "only finite numbers or NaN (dropped) are allowed"
            )
    n_dropped = int((~keep).sum())
    y, X = y[keep], X[keep]
    codes, uniques = pd.factorize(g[keep], sort=False)
    nobs, ngroups, k_fe = len(y), len(uniques), X.shape[1]
    if ngroups < 2:
        raise ValueError(
            f"RandomInterceptModel: {ngroups} cluster(s) after dropping missing rows; a random intercept "
            "needs at least two (lme4: grouping factors must have > 1 sampled level)"
        )
    if ngroups >= nobs:
        raise ValueError(
            f"RandomInterceptModel: each of the {ngroups} clusters has a single observation, so the "
            "random-intercept variance cannot be told from the residual variance; at least one cluster "
            "needs two or more (lme4: the number of levels of each grouping factor must be "
            "< the number of observations)"
        )
    if nobs <= k_fe:
        raise ValueError(
            f"RandomInterceptModel: {nobs} complete observations for {k_fe} fixed effects; "
            "need more observations than effects"
        )
    return names, y, X, codes, ngroups, n_dropped


def formula_design(formula: str, data: pd.DataFrame, groups,
                   env: patsy.EvalEnvironment) -> tuple[np.ndarray, pd.DataFrame, np.ndarray, int]:
    """Response, design and cluster labels of the rows patsy keeps, from a two-sided formula.

    Parameters
    ----------
    formula : str
        Fixed effects only (``"y ~ group * time"``); categorical variables get treatment coding.
    data : DataFrame
        The long table, one row per observation.
    groups : str or array_like
        Name of the cluster column in ``data``, or one label per row.
    env : patsy.EvalEnvironment
        Where patsy looks up functions used in the formula.

    Returns
    -------
    (y, X, labels, n_dropped)
        The response, the design (columns named by term), the cluster label of each kept
        row and the number of rows patsy dropped for a missing value.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"mixedlm: data must be a pandas DataFrame, got {type(data).__name__}")
    if "|" in formula:
        raise ValueError(
            f"mixedlm: the formula {formula!r} holds '|'; give the fixed effects only (e.g. 'y ~ group * time') "
            "and the cluster as groups= (the random intercept is implied; patsy would read '|' as a bitwise or)"
        )
    if isinstance(groups, str):
        if groups not in data.columns:
            raise ValueError(
                f"mixedlm: data has no column {groups!r} for groups; "
                f"columns are {', '.join(map(str, data.columns))}"
            )
        labels = data[groups].to_numpy()
    else:
        labels = groups.to_numpy() if isinstance(groups, pd.Series) else np.asarray(groups)
        if len(labels) != len(data):
            raise ValueError(f"mixedlm: groups has {len(labels)} labels for {len(data)} rows of data")
    frame = categorical_columns(data.reset_index(drop=True), formula)
    try:
        y, X = patsy.dmatrices(
            formula,
            frame,
            eval_env=env,
            NA_action=patsy.NAAction(NA_types=["None", "NaN"]),
            return_type="dataframe",
        )
    except patsy.PatsyError as exc:
        raise ValueError(
            f"mixedlm: cannot build the design of {formula!r} from the data: {one_line(exc)}"
        ) from None
    if y.shape[1] != 1:
        raise ValueError(
            f"mixedlm: the formula {formula!r} must have one numeric response, got columns {list(y.columns)}"
        )
    rows = y.index.to_numpy()
    return y.iloc[:, 0].to_numpy(), X, pd.Series(labels).iloc[rows].to_numpy(), len(frame) - len(rows)

"""Notebook parameters: the defaults a notebook declares, what the build injects, and
what the notebooks ran with.

A notebook's parameters are the names assigned in its cell tagged ``parameters``
(papermill's convention). Before execution the build reads their defaults from the
jupytext source (:func:`source_defaults`, without importing jupytext), refuses names no
notebook declares and values of the wrong type (:func:`check_parameters`), and injects
into each notebook only what it declares and what differs from its default
(:func:`injected_parameters`). After execution the parameters are read from what each
notebook recorded among its outputs (:func:`ipsrep.report.context.recorded_parameters`),
never from its source: :func:`run_parameters`.
"""
from __future__ import annotations

import ast
import re

from ipsrep import paths
from ipsrep.inputs.contract import terminal_safe
from ipsrep.report.context import recorded_parameters
from ipsrep.report.failures import BuildError, UsageError, say

__all__ = ["DEPRECATED_PARAMETERS", "check_parameters", "injected_parameters", "notebook_defaults",
           "renamed_parameters", "run_parameters", "source_defaults"]

DEPRECATED_PARAMETERS: dict[str, str] = {
    "hours_test": "t_test",  # notebook 02's t-test choice, renamed in issue 24; kept one release  # rename: keep
}
"""Former parameter names still accepted for one release: old name -> current name."""


def renamed_parameters(parameters: dict) -> dict:
    """`parameters` (name -> value, as given with ``-p``) with former names
    (:data:`DEPRECATED_PARAMETERS`) replaced by the current ones, saying so on stderr.

    A former name and its current name given together is refused (which one was meant?).
    """
    out = dict(parameters)
    for old, new in DEPRECATED_PARAMETERS.items():
        if old in out:
            if new in out:
                raise UsageError(f"-p {old} and -p {new}: {old} is the former name of {new}; give {new} only")
            out[new] = out.pop(old)
            say(f"ipsrep build: -p {old} is deprecated and will be removed in the next release; "
                f"use -p {new} (it sets {new} in every notebook that declares it)")
    return out


def _defaults_from_code(source: str) -> dict[str, object]:
    """Names assigned in a parameters cell's code and their values (Python literals, else
    the value's source text); empty when the code does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    defaults: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        defaults[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        defaults[target.id] = ast.get_source_segment(source, node.value)
    return defaults


def notebook_defaults(nb) -> dict[str, object]:
    """Default values of the parameters cell (tagged ``parameters``) of `nb` (nbformat node).

    Values that are not Python literals are kept as their source text.
    """
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return _defaults_from_code(cell.source)
    return {}


_PERCENT_CELL = re.compile(r"^# %%(.*)$", re.MULTILINE)
_PARAMETERS_TAG = re.compile(r"""\btags\s*=\s*\[[^\]]*["']parameters["']""")


def source_defaults(source: bytes) -> dict[str, object]:
    """Default values of the parameters cell of a jupytext percent-format source, read
    from the text itself (the cell after the ``# %% tags=["parameters"]`` marker).

    The same as :func:`notebook_defaults` on the notebook jupytext makes of it, without
    importing jupytext: a rebuild whose notebooks all come from the cache never needs
    to parse them.
    """
    text = source.decode("utf-8", errors="replace")
    marks = list(_PERCENT_CELL.finditer(text))
    for i, mark in enumerate(marks):
        if _PARAMETERS_TAG.search(mark.group(1)):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            return _defaults_from_code(text[mark.end():end])
    return {}


def _kind(value) -> str | None:
    """The kind of value a default asks for, in words; None when any value will do."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True or False"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list, e.g. [0.8, 0.9]"
    if isinstance(value, dict):
        return "a dict, e.g. {'a': 1}"
    return None


def _fits(value, default) -> bool:
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    if isinstance(default, dict):
        return isinstance(value, dict)
    return True


def _shown_value(value) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = terminal_safe(text)
    return text if len(text) <= 60 else text[:57] + "..."


PARAMETER_BOUNDS: dict[str, tuple[float, float, bool]] = {
    "alpha": (0, 1, False),
    "levene_alpha": (0, 1, False),
    "design_power": (0, 1, False),
    "design_rates": (0, 1, False),
    "power_targets": (0, 1, False),
    "within_person_r": (-1, 1, False),
    "n_sim": (100, 200_000, True),
    "n_resamples": (100, 100_000, True),
    "grid_points": (2, 11, True),
    "bin_width": (1, 8_784, True),
    "n_max_jobs": (1, 1_000, True),
    "seed": (0, 2**32 - 1, True),
    "randomised": (1, 100_000, True),
    "withdrew": (0, 100_000, True),
    "n_interviews": (0, 10_000, True),
    "n_max_respondents": (0, 10_000, True),
}
"""Allowed range of each numeric parameter that drives work or sizes a result: name ->
(low, high, whether the ends are allowed). Counts of simulations, resamples and grid
points stop well above their defaults (a value past the bound would run for hours or
take the machine's memory); probabilities and levels lie strictly between 0 and 1. A
list or tuple value is checked item by item, and holds at most :data:`MAX_ITEMS`."""

MAX_ITEMS = 20
MAX_TEXT = 4096
"""Longest text value of a parameter (a file name, a choice)."""


def _bound_problem(name: str, value) -> str | None:
    """Why `value` is outside the allowed range of parameter `name`, or None."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"is {len(value):,} characters long; at most {MAX_TEXT:,} are allowed"
    if name not in PARAMETER_BOUNDS or value is None:
        return None
    if isinstance(value, (str, bool)):
        return "expects a number"
    low, high, closed = PARAMETER_BOUNDS[name]
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(items) > MAX_ITEMS:
        return f"has {len(items)} items; at most {MAX_ITEMS} are allowed"
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            return f"holds {_shown_value(item)}, not a number"
        inside = (low <= item <= high) if closed else (low < item < high)
        if not inside:
            ends = f"from {low:,} to {high:,}" if closed else f"strictly between {low:g} and {high:g}"
            return f"must be {ends}"
    return None


def check_parameters(defaults: dict[str, dict], parameters: dict) -> None:
    """Refuse parameters that no notebook declares, values of the wrong type or outside
    their bounds (:data:`PARAMETER_BOUNDS`), and ``data_path`` (which ``--data`` sets).

    Parameters
    ----------
    defaults : notebook stem -> that notebook's defaults (:func:`source_defaults`).
    parameters : name -> value given with ``-p``.

    A misspelt name would otherwise be ignored without a word and the report built with
    the default; the message lists the names the notebooks do declare. A value of
    another type than the default (text where a number is expected) is named with the
    type expected; a default of ``None`` accepts anything.
    """
    if "data_path" in parameters:
        raise UsageError("-p data_path: give the data file with --data FILE, which checks it "
                         "against the data contract before any notebook runs")
    declared: dict[str, list[tuple[str, object]]] = {}
    for stem, values in defaults.items():
        for name, value in values.items():
            declared.setdefault(name, []).append((stem, value))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        known = ", ".join(sorted(n for n in declared if n != "data_path")) or "(none)"
        raise UsageError(f"no notebook has a parameter named {', '.join(unknown)}; "
                         f"the notebooks' parameters are: {known}")
    for name, value in parameters.items():
        for stem, default in declared[name]:
            if not _fits(value, default):
                got = "text" if isinstance(value, str) else type(value).__name__
                raise UsageError(f"-p {name} {_shown_value(value)}: {name} expects {_kind(default)} "
                                 f"(default {default!r} in {stem}), not {got}")
        problem = _bound_problem(name, value)
        if problem:
            raise UsageError(f"-p {name} {_shown_value(value)}: {name} {problem}")


def injected_parameters(defaults, data_param: str | None, extra: dict) -> dict:
    """Parameters to inject into a notebook: only those it declares, only when not its default.

    `defaults` is the notebook's parameters (name -> default, :func:`source_defaults`)
    or the notebook itself (nbformat node). ``data_path`` counts as default when it
    names the same file as the notebook's own default (both resolved as
    :func:`ipsrep.paths.resolve` does).
    """
    if hasattr(defaults, "cells"):  # a notebook (nbformat nodes are dicts too)
        defaults = notebook_defaults(defaults)
    wanted = dict(extra)
    if data_param is not None:
        wanted["data_path"] = data_param
    injected = {}
    for name, value in wanted.items():
        if name not in defaults:
            continue
        default = defaults[name]
        if name == "data_path" and isinstance(default, str):
            if paths.resolve(default) == paths.resolve(value):
                continue
        elif default == value and type(default) is type(value):
            continue
        injected[name] = value
    return injected


def run_parameters(executed: dict) -> dict:
    """The parameters the notebooks ran with, as they recorded them: name -> value for
    every name on which all notebooks that recorded it agree.

    Parameters
    ----------
    executed : notebook stem -> executed notebook (nbformat node).

    Raises
    ------
    BuildError
        When no notebook recorded its parameters or ``alpha``, or when the notebooks ran
        with different values of ``alpha`` (the index reads its answers at one level).
    """
    seen: dict[str, dict[str, object]] = {}
    recorded = 0
    for stem, nb in executed.items():
        params = recorded_parameters(nb)
        if params is None:
            continue
        recorded += 1
        for name, value in params.items():
            seen.setdefault(name, {})[stem] = value
    if not recorded:
        raise BuildError("no notebook recorded the parameters it ran with (the output of "
                         "ipsrep.report.context.Banner after setup()); the index cannot say at which "
                         "significance level its answers are read")
    alpha = seen.get("alpha", {})
    if not alpha:
        raise BuildError("no notebook recorded a parameter alpha; the index reads its answers at the "
                         "significance level the notebooks ran with")
    if len({repr(v) for v in alpha.values()}) > 1:
        listing = ", ".join(f"{stem} {value!r}" for stem, value in sorted(alpha.items()))
        raise BuildError(f"the notebooks ran with different alpha ({listing}); give one level to all "
                         "with -p alpha VALUE")
    return {name: next(iter(by_stem.values())) for name, by_stem in seen.items()
            if len({repr(v) for v in by_stem.values()}) == 1}

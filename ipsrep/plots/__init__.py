"""Figures for the report, one module per topic (``ipsrep.plots.employment``, ...).

Every figure function takes tidy aggregates (never participant rows), returns a
matplotlib Figure and leaves showing it to the notebook. :func:`use_report_style` is
called on import so that every notebook renders alike and every PNG is byte-for-byte
reproducible (no software/date metadata, fixed hash salt for SVG).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import seaborn as sns

GROUP_COLORS = {"IPS": "#1b6ca8", "TAU": "#d1495b"}
"""Colour per randomised group, used by every figure."""


def use_report_style() -> None:
    """Seaborn's whitegrid look, readable sizes, and deterministic image output."""
    sns.set_theme(style="whitegrid", context="notebook")
    plt.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.figsize": (7.0, 4.0),
            "svg.hashsalt": "ipsrep",
            "axes.titleweight": "bold",
        }
    )
    try:  # the inline backend of a notebook kernel: drop PNG metadata there too
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            shell.enable_matplotlib("inline")  # registers the PNG formatter for Figure objects
            shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}")
    except Exception:  # pragma: no cover - outside IPython there is nothing to configure
        pass


use_report_style()

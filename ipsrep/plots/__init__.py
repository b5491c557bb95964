"""Figures for the report, one module per topic (``ipsrep.plots.employment``, ...).

Every figure function takes tidy aggregates (never participant rows), returns a
matplotlib Figure and leaves showing it to the notebook. :func:`use_report_style` is
called on import so that every notebook renders alike and every PNG is byte-for-byte
reproducible (no software/date metadata, fixed hash salt for SVG).

Text size: the report's pages show a figure at most :data:`COLUMN_PX` pixels wide (the
text column of the site at a 1280-pixel window), so a wide figure is scaled down.
:func:`readable_text` raises every text of a figure to the size that still shows at
:data:`MIN_TEXT_PX` pixels after that scaling; in a notebook kernel it runs on every
figure just before it is turned into a PNG.
"""
from __future__ import annotations

import contextlib

import matplotlib.pyplot as plt
import seaborn as sns

GROUP_COLORS = {"IPS": "#1b6ca8", "TAU": "#d1495b"}
"""Colour per randomised group, used by every figure."""

MIN_TEXT_PX = 11
"""Smallest text, in screen pixels, of a figure shown in the report at a 1280-pixel window."""
COLUMN_PX = 672
"""Width at which the report shows a figure in its text column at a 1280-pixel window
(sphinx-book-theme with both sidebars: a 688-pixel column less the output's padding)."""


def min_font_points(width_inches: float, dpi: float = 100.0) -> float:
    """Smallest font size (points) whose text shows at :data:`MIN_TEXT_PX` pixels when a
    figure `width_inches` wide, rendered at `dpi`, is shown at most :data:`COLUMN_PX` wide.

    >>> round(min_font_points(10.0), 2), round(min_font_points(5.0), 2)
    (11.79, 7.92)
    """
    shown = min(1.0, COLUMN_PX / (width_inches * dpi))
    return MIN_TEXT_PX * 72.0 / (dpi * shown)


def readable_text(fig, dpi: float = 100.0) -> None:
    """Raise every text of `fig` (titles, labels, tick labels, legends, annotations) that
    is smaller than :func:`min_font_points` to that size, and lay the figure out again."""
    from matplotlib.text import Text

    width = fig.get_figwidth()
    # labels outside the axes widen the saved image (bbox_inches="tight"); a canvas without
    # a renderer keeps the figure's own width
    with contextlib.suppress(Exception):
        width = max(width, fig.get_tightbbox(fig.canvas.get_renderer()).width)
    floor = min_font_points(width, dpi)
    for ax in fig.axes:
        for which in ("major", "minor"):
            for axis in (ax.xaxis, ax.yaxis):
                for tick in axis.get_ticklabels(which=which):
                    if tick.get_fontsize() < floor:
                        axis.set_tick_params(which=which, labelsize=floor)
                        break
    for text in fig.findobj(Text):
        if text.get_text() and text.get_fontsize() < floor:
            text.set_fontsize(floor)
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
    elif not getattr(fig, "_ipsrep_manual_layout", False):
        with contextlib.suppress(Exception):  # a layout that cannot be tightened stays as it is
            fig.tight_layout()


def _png(fig) -> bytes | None:
    """PNG of `fig` for the notebook (readable text, no metadata)."""
    from IPython.core.pylabtools import print_figure

    if not fig.axes and not fig.texts:
        return None
    readable_text(fig)
    return print_figure(fig, "png", bbox_inches="tight", metadata={"Software": None})


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
            shell.run_line_magic(
                "config", "InlineBackend.print_figure_kwargs = {'bbox_inches': 'tight', 'metadata': {'Software': None}}"
            )
            from matplotlib.figure import Figure

            def register(*_):  # again before every cell: matplotlib-inline re-registers its own
                shell.display_formatter.formatters["image/png"].for_type(Figure, _png)

            register()
            if not getattr(shell, "_ipsrep_png_hook", False):
                shell.events.register("pre_run_cell", register)
                shell._ipsrep_png_hook = True
    except Exception:  # pragma: no cover - outside IPython there is nothing to configure
        pass


use_report_style()

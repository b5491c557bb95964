"""Figures of the ensemble page (``ipsrep.plots.ensemble``): what they draw, and text that
reads at least 11 px at a 1280-pixel window."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from ipsrep.plots import min_font_points, readable_text
from ipsrep.plots.ensemble import p_spread_figure, table4_p_figure


def _spread(p_by_member: dict[str, list[float]]) -> pd.DataFrame:
    rows = [{"member": m, "seed": 100 + m, "measure": measure, "term": term, "p": p}
            for measure, ps in p_by_member.items() for m, p in enumerate(ps)
            for term in ("group", "time", "interaction")]
    return pd.DataFrame(rows)


def _smallest_text(fig) -> float:
    readable_text(fig)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]
    for ax in fig.axes:
        sizes += [t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    return min(sizes)


def test_table4_p_figure_draws_every_member_of_both_ensembles_and_the_printed_p():
    searched = _spread({"odi": [0.07, 0.08, 0.09], "eqvas": [0.5, 0.6, 0.7]})
    unsearched = _spread({"odi": [0.001, 0.02, 0.3], "eqvas": [1e-7, 0.4, 0.9]})
    printed = pd.DataFrame({"measure": ["odi", "eqvas"], "term": ["interaction", "interaction"],
                            "printed_p": [0.062, np.nan]})
    fig = table4_p_figure({"searched": searched, "unsearched": unsearched}, printed=printed)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["group", "time", "interaction"]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["ODI", "EQ-VAS"]
    dots = [c for c in axes[2].collections if isinstance(c, PathCollection)]
    assert len(dots) == 4 and sum(len(c.get_offsets()) for c in dots) == 12
    x = np.concatenate([c.get_offsets()[:, 0] for c in dots])
    assert x.min() == 1e-4  # p = 1e-7 is drawn at the floor
    bars = [line for line in axes[2].get_lines() if line.get_label() == "printed p" or line.get_xdata()[0] == 0.062]
    assert any(np.allclose(line.get_xdata(), 0.062) for line in bars)
    assert not any(np.allclose(line.get_xdata(), 0.062) for line in axes[0].get_lines())
    assert _smallest_text(fig) >= min_font_points(fig.get_figwidth()) - 1e-9


def test_p_spread_figure_writes_counts_not_percentages():
    rows = pd.DataFrame({"key": ["rq2.hours.permutation_p", "rq2.hours.mannwhitney_p"], "min": [0.01, 0.2],
                         "p2_5": [0.02, 0.25], "median": [0.3, 0.4], "p97_5": [0.5, 0.6], "max": [0.6, 0.65],
                         "below_alpha": [1, 0], "members": [200, 200], "reference": [0.3, np.nan]})
    fig = p_spread_figure(rows)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1 of 200" in texts and "0 of 200" in texts and not any("%" in t for t in texts)
    assert _smallest_text(fig) >= min_font_points(fig.get_figwidth()) - 1e-9

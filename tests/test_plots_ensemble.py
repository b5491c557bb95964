"""Figures of the ensemble page (``ipsrep.plots.ensemble``): what they draw, and text that
reads at least 11 px at a 1280-pixel window."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import PathCollection
from matplotlib.text import Text

from ipsrep.plots import min_font_points, readable_text
from ipsrep.plots.ensemble import (
    key_label,
    p_spread_figure,
    table4_p_figure,
    table4_ranges_table,
    table4_spread_figure,
)


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


def test_key_label_names_tables_instruments_and_statistics():
    assert key_label("t4.odi.interaction.p") == "Table 4 ODI: interaction"
    assert key_label("t4.bpi_worst.group.estimate") == "Table 4 pain worst: group"
    assert key_label("t3.hscl.12m.p_holm") == "Table 3 HSCL-25 12m: Holm p"
    assert key_label("t3.eqvas.24m.levene_p") == "Table 3 EQ-VAS 24m: Levene p"
    assert key_label("rq2.hours.mannwhitney_p") == "hours: mannwhitney p"
    assert key_label("rq2.20h.fisher_p") == "≥ 20 h: fisher p"
    assert key_label("t2.12m.or") == "t2.12m.or"  # not a health or hours key: the key itself
    assert key_label("t4.nothing.group.p") == "t4.nothing.group.p"


def test_table4_spread_figure_draws_each_member_its_middle_95_and_the_committed_seed():
    # ODI and EQ-VAS, group and interaction terms, four members (seeds 100-103) at known distances
    distances = {("odi", "group"): [-0.5, 0.0, 0.5, 1.0], ("odi", "interaction"): [0.2, 0.4, 0.6, 0.8],
                 ("eqvas", "group"): [-2.0, -1.0, 0.0, 1.0], ("eqvas", "interaction"): [0.1, 0.1, 0.1, 0.1]}
    spread = pd.DataFrame([{"member": m, "seed": 100 + m, "measure": measure, "term": term, "distance": d}
                           for (measure, term), ds in distances.items() for m, d in enumerate(ds)])
    fig = table4_spread_figure(spread, reference_seed=102)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["group", "interaction"]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["ODI", "EQ-VAS"]
    assert fig.texts[0].get_text().startswith("The paper's Table 4 refitted on 4 reconstructions")
    for ax in axes:
        assert ax.get_xlim() == (-2.25, 2.25)  # the farthest member (2.0 SE) plus 0.25
    for ax, term in zip(axes, ("group", "interaction"), strict=True):
        for y, measure in enumerate(("odi", "eqvas")):
            ds = np.array(distances[measure, term])
            scatters = [c for c in ax.collections if isinstance(c, PathCollection)
                        and np.allclose(np.round(c.get_offsets()[:, 1]), y)]
            members = [c for c in scatters if len(c.get_offsets()) == 4]
            committed = [c for c in scatters if len(c.get_offsets()) == 1]
            assert len(members) == 1 and sorted(members[0].get_offsets()[:, 0]) == sorted(ds)
            # members are jittered vertically by at most 0.18 around their row
            assert np.abs(members[0].get_offsets()[:, 1] - y).max() <= 0.18
            assert len(committed) == 1 and committed[0].get_offsets()[0, 0] == ds[2]  # seed 102
            bar = [line for line in ax.get_lines() if np.allclose(line.get_ydata(), [y, y])]
            assert len(bar) == 1 and np.allclose(bar[0].get_xdata(), np.percentile(ds, [2.5, 97.5]))
    assert not fig.legends  # the marker key is part of the axis label (a legend overlapped it)
    assert "the committed reconstruction" in fig._supxlabel.get_text()
    assert _smallest_text(fig) >= min_font_points(fig.get_figwidth()) - 1e-9


def test_table4_spread_figure_without_a_reference_seed_has_no_marker_and_no_legend():
    spread = pd.DataFrame({"member": [0, 1], "seed": [1, 2], "measure": ["odi", "odi"],
                           "term": ["time", "time"], "distance": [0.3, -0.4]})
    fig = table4_spread_figure(spread)
    ax = fig.axes[0]
    assert ax.get_title() == "time" and len(fig.axes) == 1
    assert ax.get_xlim() == (-1.5, 1.5)  # never narrower than 1.5 printed SEs
    assert [len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)] == [2]
    assert fig.legends == []


def test_table4_ranges_table_formats_each_term_and_leaves_out_intercepts():
    ranges = pd.DataFrame({
        "measure": ["odi", "odi", "eqvas"], "term": ["intercept", "interaction", "group"],
        "estimate_min": [30.0, -4.123, 1.0], "estimate_max": [35.0, -1.5, 2.25],
        "printed_estimate": [33.1, -2.9, 1.6],
        "se_min": [1.0, 1.2345, 2.0], "se_max": [1.5, 1.5, 2.5], "printed_se": [1.2, 1.31, 2.2],
        "p_min": [0.0, 0.00123456, 0.5], "p_max": [0.001, 0.2, 0.75], "printed_p": [0.001, 0.03, 0.6],
        "below_alpha": [200, 57, 0], "members": [200, 200, 200]})
    table = table4_ranges_table(ranges, alpha=0.05)
    assert table.columns.tolist() == ["outcome", "term", "estimate (min to max)", "printed estimate",
                                      "SE (min to max)", "printed SE", "p (min to max)", "printed p",
                                      "members with p < 0.05"]
    assert table.to_dict("records") == [
        {"outcome": "ODI", "term": "interaction", "estimate (min to max)": "-4.12 to -1.50",
         "printed estimate": -2.9, "SE (min to max)": "1.234 to 1.500", "printed SE": 1.31,
         "p (min to max)": "0.00123 to 0.2", "printed p": 0.03, "members with p < 0.05": "57 of 200"},
        {"outcome": "EQ-VAS", "term": "group", "estimate (min to max)": "1.00 to 2.25",
         "printed estimate": 1.6, "SE (min to max)": "2.000 to 2.500", "printed SE": 2.2,
         "p (min to max)": "0.5 to 0.75", "printed p": 0.6, "members with p < 0.05": "0 of 200"}]
    assert table4_ranges_table(ranges, alpha=0.01).columns[-1] == "members with p < 0.01"

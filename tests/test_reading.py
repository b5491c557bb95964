"""What a reader sees: ledger displays, table captions, one computation per number."""
from __future__ import annotations

import pandas as pd

from ipsrep.audit import registry
from ipsrep.report.ledger import LedgerDisplay


def _registry_rows() -> pd.DataFrame:
    values = registry.registry_ledger_values()
    return pd.DataFrame({"key": values["key"], "source": "registry vs paper", "quantity": "registered item",
                         "published": values["published"], "reproduced": values["value"],
                         "status": values["status"], "note": values["note"]})


def test_registry_rows_put_nothing_under_ours():
    """The registered enrollment is the registry's number, not ours: the "Ours" cell of a
    registry row is empty and its note names the registered value."""
    rows = _registry_rows()
    enrollment = rows[rows["key"] == "audit.registry.enrollment"].iloc[0]
    shown = LedgerDisplay(rows)._shown()
    assert (shown["Ours"] == "").all()
    assert f"registered {int(enrollment['reproduced'])}" in enrollment["note"]
    other = LedgerDisplay(pd.DataFrame({"key": ["t1.n"], "source": ["s"], "quantity": ["q"], "published": ["58"],
                                        "reproduced": [58.0], "status": ["reproduced"], "note": [""]}))._shown()
    assert other["Ours"].tolist() == ["58"]


def test_every_try_it_comes_from_one_source_and_names_a_declared_parameter():
    """The "Try it" instructions are ipsrep.report.teaching.try_it's text on every page
    that has the section, and its example rebuild sets a parameter the page declares."""
    import ast
    import re

    from ipsrep.paths import PROJECT_ROOT as ROOT

    pages = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
    with_section = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "right-click" not in text and "the first code cell lists them" not in text, path.name
        if "## Try it" not in text:
            continue
        with_section += 1
        call = re.search(r'teaching\.try_it\("([^"]+)", "([^"]+)", "([^"]+)"\)', text)
        assert call, f"{path.name}: its Try it section does not come from teaching.try_it"
        assert call.group(1) == path.stem
        params = text.split('# %% tags=["parameters"]', 1)[1].split("# %%", 1)[0]
        declared = {t.id for node in ast.parse(params).body if isinstance(node, ast.Assign) for t in node.targets
                    if isinstance(t, ast.Name)}
        assert call.group(2) in declared, f"{path.name}: -p {call.group(2)} is not a parameter of the page"
    assert with_section >= 9


def test_ensemble_spread_figure_keeps_its_key_clear_of_title_and_axis_label():
    """The marker key of the ensemble page's Figure 1 does not overlap its title or its
    axis label once the report's text floor has enlarged every text (a legend did)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ipsrep.inputs.measures import MEASURES
    from ipsrep.plots import readable_text
    from ipsrep.plots.ensemble import table4_spread_figure

    rng = np.random.default_rng(1)
    spread = pd.DataFrame([{"member": k, "seed": k, "measure": m.name, "term": t, "distance": rng.normal()}
                           for k in range(5) for m in MEASURES for t in ("group", "time", "interaction", "intercept")])
    fig = table4_spread_figure(spread, reference_seed=3)
    readable_text(fig)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    boxes = [fig._supxlabel.get_window_extent(renderer), fig._suptitle.get_window_extent(renderer),
             *(legend.get_window_extent(renderer) for legend in fig.legends)]
    assert "red diamond: the committed reconstruction" in fig._supxlabel.get_text()
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_site_ledger_table_leaves_ours_empty_for_registry_rows_and_shows_one_more_decimal():
    from ipsrep.report import myst_pages as site

    rows = _registry_rows()
    page = site.ledger_html(rows, stem="07")
    enrollment = rows[rows["key"] == "audit.registry.enrollment"].iloc[0]
    assert f">{int(enrollment['reproduced'])}<" not in page  # the registered count is not under "Ours"
    pct = pd.DataFrame({"key": ["t2.6m.ips_pct"], "source": ["Table 2"], "quantity": ["% employed"],
                        "published": ["32.4"], "reproduced": [32.352941], "status": ["reproduced"], "note": [""]})
    assert ">32.35<" in site.ledger_html(pct, stem="01")


def test_tidied_tables_write_tuples_and_codes_as_words():
    from ipsrep.report.tables import tidy_html_table

    out = tidy_html_table('<table class="dataframe"><thead><tr><th></th><th>n</th><th>counts</th><th>reason</th>'
                          '<th>agrees</th></tr></thead><tbody><tr><th>0</th><td>28</td><td>(25, 22, 16, 8, 27)</td>'
                          '<td>out_of_work_over_2y</td><td>True</td></tr></tbody></table>')
    assert ">25, 22, 16, 8, 27<" in out and ">out of work over 2y<" in out and ">yes<" in out
    assert "(25" not in out and "<th>0</th>" not in out

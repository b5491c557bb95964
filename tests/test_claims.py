"""The claims and statements tables (ipsrep.analyses.claims): loading with one-line errors,
verdict counts, links, and the numbers the claims restate checked against the paper."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from ipsrep.analyses import claims
from ipsrep.methods.comparison import compare


def test_bundled_tables_load_and_count():
    table = claims.load_claims()
    counts = claims.verdict_counts(table).set_index(["source", "verdict"])["claims"]
    assert counts[("all", "supported_by_printed_numbers")] + counts[("all", "not_checkable")] \
        + counts[("all", "contradicted")] == len(table)
    assert counts[("trial", "contradicted")] + counts[("summary", "contradicted")] == counts[("all", "contradicted")]
    # the four contradicted claims named in the plan
    assert sorted(table.loc[table["verdict"] == "contradicted", "claim_id"]) == ["D12", "N03", "N07", "N14"]
    statements = claims.load_statements()
    assert statements.set_index("statement_id").at["T01", "kind"] == "conflict_of_interest"


def test_bad_cells_give_one_line_naming_file_column_row(tmp_path):
    table = claims.load_claims()
    bad = table.copy()
    bad.loc[2, "verdict"] = "probably"
    path = tmp_path / "claims.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError) as err:
        claims.load_claims(path)
    message = str(err.value)
    assert "\n" not in message
    assert f"column 'verdict', row 4 ({table.at[2, 'claim_id']}): 'probably' is not allowed" in message
    bad = table.copy()
    bad.loc[0, "published_keys"] = "t9.nothing"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column 'published_keys', row 2 \(A01\): key 't9.nothing'"):
        claims.load_claims(path)
    table.drop(columns="page").to_csv(path, index=False)
    with pytest.raises(ValueError, match="column 'page' is missing"):
        claims.load_claims(path)


def test_links_and_markdown():
    assert claims.key_link("audit.fidelity.mean") == "[`audit.fidelity.mean`](06_audit.html#ledger-audit.fidelity.mean)"
    text = claims.claims_markdown(claims.load_claims(), "contradicted")
    assert text.count("\n- **") == 3 and text.startswith("- **")  # one item per contradicted claim
    assert "*Why:*" in text and "Ledger row" in text
    assert "[01_rq1_employment](01_rq1_employment.html)" in text
    listed = claims.statements_markdown(["N01"])
    assert listed.startswith("- **N01**") and '"i langt større grad"' in listed
    with pytest.raises(ValueError, match="no statement X99"):
        claims.statements_markdown(["X99"])


def test_restated_numbers_are_checked_against_the_paper():
    values, notes = claims.cross_check_values()
    rows = compare(values, notes=notes, check=True).set_index("key")
    # the summary's 217 hours is the paper's 216.53; its 18% the paper's 17.65%
    assert rows.at["summary.hours.ips_mean", "reproduced"] == pytest.approx(216.53)
    assert rows.at["summary.20h.ips_pct", "reproduced"] == pytest.approx(17.65)
    assert rows.at["abstract.ips_12m_exceeds_pct", "published"] == ">50"
    assert set(rows["status"]) == {"consistent"}
    # a restated number that does not round to the paper's is inconsistent
    wrong, _ = claims.cross_check_values((("summary.hours.ips_mean", "rq2.hours.tau_mean"),))
    assert compare(wrong, check=True).at[0, "status"] == "inconsistent"
    with pytest.raises(ValueError, match="key 'summary.nothing' is missing"):
        claims.cross_check_values((("summary.nothing", "flow.ips_n"),))


def test_printed_only_rows_have_no_status():
    rows = claims.printed_only_rows(["limits.screening_want_work_pct"])
    assert rows.at[0, "published"] == "61.5" and rows.at[0, "status"] == "" and math.isnan(rows.at[0, "reproduced"])
    assert claims.printed_only_rows(["limits.screening_want_work_pct"], bundled=False).at[0, "published"] == ""
    assert isinstance(rows, pd.DataFrame)

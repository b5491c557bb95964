"""The claims and statements tables (ipsrep.analyses.claims): loading with one-line errors,
verdict counts, links, and the numbers the claims restate checked against the paper."""
from __future__ import annotations

import math

import pytest

from ipsrep.analyses import claims
from ipsrep.analyses.paper import compare


def test_bundled_tables_load_and_count():
    table = claims.load_claims()
    counts = claims.verdict_counts(table).set_index(["source", "verdict"])["claims"]
    assert len(table) == 86
    # the counts by verdict after the written rubric was applied to every row (issue 22)
    assert counts[("all", "supported_by_printed_numbers")] == 45
    assert counts[("all", "not_checkable")] == 37
    assert counts[("all", "contradicted")] == 4
    assert (counts[("trial", "supported_by_printed_numbers")], counts[("trial", "not_checkable")],
            counts[("trial", "contradicted")]) == (36, 24, 1)
    assert (counts[("summary", "supported_by_printed_numbers")], counts[("summary", "not_checkable")],
            counts[("summary", "contradicted")]) == (9, 13, 3)
    assert sorted(table.loc[table["verdict"] == "contradicted", "claim_id"]) == ["D12", "N05", "N11", "N14"]
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
    assert claims.key_link("audit.fidelity.mean") == "[`audit.fidelity.mean`](07_audit.html#ledger-audit.fidelity.mean)"
    text = claims.claims_markdown(claims.load_claims(), "contradicted")
    assert text.count("\n- **") == 3 and text.startswith("- **")  # one item per contradicted claim (4)
    assert "*Why:*" in text and "Ledger row" in text and "*Rule:* `definition_mismatch`" in text
    assert "[01_rq1_employment](01_rq1_employment.html)" in text
    listed = claims.statements_markdown(["N01"])
    assert listed.startswith("- **N01**") and '"i langt større grad"' in listed
    with pytest.raises(ValueError, match="no statement X99"):
        claims.statements_markdown(["X99"])


def test_restated_numbers_are_checked_against_the_paper():
    values, notes = claims.cross_check_values()
    rows = compare(values, notes=notes, check=True, bundled=True).set_index("key")
    # the summary's 217 hours is the paper's 216.53; its 18% the paper's 17.65%
    assert rows.at["summary.hours.ips_mean", "reproduced"] == pytest.approx(216.53)
    assert rows.at["summary.20h.ips_pct", "reproduced"] == pytest.approx(17.65)
    assert rows.at["abstract.ips_12m_exceeds_pct", "published"] == ">50"
    assert set(rows["status"]) == {"consistent"}
    # a restated number that does not round to the paper's is inconsistent
    wrong, _ = claims.cross_check_values((("summary.hours.ips_mean", "rq2.hours.tau_mean"),))
    assert compare(wrong, check=True, bundled=True).at[0, "status"] == "inconsistent"
    with pytest.raises(ValueError, match=r"key 'summary\.nothing' is missing"):
        claims.cross_check_values((("summary.nothing", "flow.ips_n"),))


def test_printed_only_rows_have_no_status():
    rows = claims.printed_only_ledger(["limits.screening_want_work_pct"], bundled=True)
    assert rows.at[0, "published"] == "61.5" and rows.at[0, "status"] == "" and math.isnan(rows.at[0, "reproduced"])
    assert claims.printed_only_ledger(["limits.screening_want_work_pct"], bundled=False).at[0, "published"] == ""
    assert rows["key"].tolist() == ["limits.screening_want_work_pct"]
    assert rows.at[0, "source"].startswith("Sveinsdottir et al. 2022, Discussion")
    assert rows.at[0, "note"].startswith("printed only")


def _row(table, claim_id):
    return table.set_index("claim_id").loc[claim_id]


def test_rubric_judges_alike_cases_alike():
    """The pairs issue 22 names get the same rule and verdict."""
    table = claims.load_claims()
    for a, b in (("A13", "N07"), ("N05", "D12"), ("A04", "A05"), ("N20", "N21")):
        assert (_row(table, a)["rubric_rule"], _row(table, a)["verdict"]) == \
            (_row(table, b)["rubric_rule"], _row(table, b)["verdict"]), (a, b)
    assert _row(table, "A13")["verdict"] == "not_checkable" and _row(table, "A13")["rubric_rule"] == "magnitude_word"
    assert _row(table, "D12")["verdict"] == "contradicted"
    assert _row(table, "N14")["rubric_rule"] == _row(table, "N15")["rubric_rule"] == "weighed_against_discussion"
    assert "Discussion" in _row(table, "N15")["reason"]
    # numbers printed only in the summary are not supported by the paper's printed numbers
    assert set(table.loc[table["rubric_rule"] == "summary_only", "claim_id"]) == {"N20", "N21"}
    assert not (table.loc[table["rubric_rule"] == "summary_only", "verdict"] == "supported_by_printed_numbers").any()
    n03 = _row(table, "N03")
    assert n03["rubric_rule"] == "translation_dependent" and n03["verdict"] == "not_checkable"
    assert "generally acceptable" in n03["reason"] and "consistently" in n03["reason"]


def test_every_row_follows_a_rule_of_the_rubric():
    table = claims.load_claims()
    assert set(table["rubric_rule"]) <= set(claims.RUBRIC_RULES)
    for _, c in table.iterrows():
        assert c["verdict"] in claims.RUBRIC_RULES[c["rubric_rule"]][0], c["claim_id"]
    # a fact with an unchecked part names what was not checked
    for reason in table.loc[table["rubric_rule"] == "checkable_part", "reason"]:
        assert "not checked" in reason
    for reason in table.loc[table["rubric_rule"] == "translation_dependent", "reason"]:
        assert reason.startswith("Translation-dependent")
    # a claim resting on a word of degree is never counted as supported
    degree = ("clear trend", "far greater", "much greater", "solid", "good feasibility", "major")
    for _, c in table.iterrows():
        if any(w in c["claim"].lower() for w in degree):
            assert c["verdict"] == "not_checkable", c["claim_id"]
    # summary-only claims point at no number of the trial paper's tables
    paper = ("t1.", "t2.", "t3.", "t4.", "rq2.", "flow.", "hist.")
    for keys in table.loc[table["rubric_rule"] == "summary_only", "ledger_keys"]:
        assert not any(k.startswith(paper) for k in keys.split(";"))
    # the six claims the table missed are there, each under its own id
    added = {"D23": "not_checkable", "R03": "supported_by_printed_numbers", "S01": "not_checkable",
             "S02": "not_checkable", "N24": "not_checkable", "N25": "not_checkable"}
    assert {i: _row(table, i)["verdict"] for i in added} == added
    rules = claims.rule_counts(table)
    assert rules["claims"].sum() == len(table)
    assert rules.set_index(["rubric_rule", "verdict"]).at[("definition_mismatch", "contradicted"), "claims"] == 3


def test_a_verdict_its_rule_does_not_allow_is_refused(tmp_path):
    table = claims.load_claims()
    path = tmp_path / "claims.csv"
    i = int(table.index[table["claim_id"] == "A13"][0])
    bad = table.copy()
    bad.loc[i, "verdict"] = "supported_by_printed_numbers"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row \d+ \(A13\): column 'verdict', 'supported_by_printed_numbers' is not "
                                         r"allowed by rubric rule 'magnitude_word'; allowed: not_checkable"):
        claims.load_claims(path)
    bad = table.copy()
    bad.loc[i, "rubric_rule"] = "gut_feeling"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column 'rubric_rule', row \d+ \(A13\): 'gut_feeling' is not allowed"):
        claims.load_claims(path)
    bad = table.copy()
    bad.loc[i, "rubric_rule"] = "summary_only"
    bad.loc[i, "verdict"] = "not_checkable"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'summary_only' is for the Norwegian summary's claims"):
        claims.load_claims(path)
    bad = table.copy()
    bad.loc[i, "claim_id"] = "Z13"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'Z13' must start with one of"):
        claims.load_claims(path)


def test_statements_carry_the_items_issue_22_found_missing():
    table = claims.load_statements().set_index("statement_id")
    assert table.at["T28", "kind"] == "ethics" and "2015/14224" in table.at["T28", "paraphrase"]
    assert table.at["P22", "kind"] == "ethics"
    assert table.at["P20", "related_keys"].split(";")[:2] == ["pilot.recruitment_invited", "pilot.recruitment_declined"]
    assert "sleep" in table.at["N10", "paraphrase"] and table.at["N10", "source"] == "summary"
    assert "deterioration of symptoms" in table.at["P28", "paraphrase"]
    # the pilot's recruitment counts are published rows: eight invited, none declined
    from ipsrep.inputs.published import load_published
    pub = load_published()
    assert (pub.at["pilot.recruitment_invited", "value"], pub.at["pilot.recruitment_declined", "value"]) == (8, 0)


def test_statement_keys_are_checked(tmp_path):
    table = claims.load_statements()
    table.loc[0, "related_keys"] = "t9.nothing"
    path = tmp_path / "statements.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column 'related_keys', row 2 \(T01\): key 't9.nothing'"):
        claims.load_statements(path)


def test_principles_registry_against_paper():
    table = claims.load_principles().set_index("principle")
    # eight numbered principles in each list, but not the same eight
    assert (table["paper_no"] != "").sum() == (table["registry_no"] != "").sum() == (table["pilot_no"] != "").sum() == 8
    assert list(table.index[table["registry_no"] == ""]) == ["job_development"]
    assert list(table.index[table["paper_no"] == ""]) == ["no_prevocational"]
    assert (table.at["rapid_search", "paper_no"], table.at["rapid_search", "registry_no"]) == ("6", "8")
    text = claims.principles_markdown()
    assert text.splitlines()[0] == "| trial paper | registry record | pilot paper | comparison |"
    assert "| -- | 7. no prevocational training" in text


def test_principles_numbering_is_checked(tmp_path):
    table = claims.load_principles()
    path = tmp_path / "principles.csv"
    bad = table.copy()
    bad.loc[0, "registry_no"] = "2"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match="column 'registry_no': the registry list must number its principles 1 to 8"):
        claims.load_principles(path)
    bad = table.copy()
    bad.loc[0, "pilot"] = ""
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"column 'pilot_no', row 2 \(choice\): a number needs a paraphrase"):
        claims.load_principles(path)

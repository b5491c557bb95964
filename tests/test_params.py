"""Former notebook parameter names (issue 24): accepted for one release, with a warning."""
from __future__ import annotations

import pytest

from ipsrep import paths
from ipsrep.report.failures import UsageError
from ipsrep.report.params import check_parameters, renamed_parameters, source_defaults

OLD = "hours_test"  # notebook 02's former name of t_test  # rename: keep


def test_former_t_test_name_becomes_t_test_with_a_warning(capsys):
    given = {OLD: "welch", "alpha": 0.01}
    renamed = renamed_parameters(given)
    assert renamed == {"t_test": "welch", "alpha": 0.01}
    assert given == {OLD: "welch", "alpha": 0.01}  # the caller's dict is left as it was
    err = capsys.readouterr().err
    assert f"-p {OLD} is deprecated" in err and "use -p t_test" in err
    nb02 = (paths.NOTEBOOK_DIR / "02_rq2_productivity.py").read_bytes()
    defaults = {"02_rq2_productivity": source_defaults(nb02)}
    assert defaults["02_rq2_productivity"]["t_test"] == "rule"
    check_parameters(defaults, renamed)  # the new name is what notebook 02 declares
    with pytest.raises(UsageError, match=f"no notebook has a parameter named {OLD}"):
        check_parameters(defaults, given)


def test_former_and_current_name_together_are_refused(capsys):
    with pytest.raises(UsageError, match=f"-p {OLD} and -p t_test"):
        renamed_parameters({OLD: "welch", "t_test": "student"})
    assert renamed_parameters({"t_test": "student"}) == {"t_test": "student"}
    assert capsys.readouterr().err == ""

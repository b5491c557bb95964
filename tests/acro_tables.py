"""Run ACRO's table checks on the tables named in a JSON spec (stdin); print, per table and
check, the cells ACRO flags (JSON on stdout).

Run by tests/test_release.py with the Python of an isolated environment holding ``acro``
(it cannot be installed beside the project's lock). Spec: ``{"tables": [{"name", "csv",
"kind": "count" | "mean", "column"}]}``; every table is ``group`` by ``column``, over the
rows where ``column`` is not missing.
"""
import json
import logging
import sys
import warnings

warnings.simplefilter("ignore")
logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
from acro import ACRO  # noqa: E402

CHECKS = {"MinimumThresholdCheck": "threshold", "PresenceOfZeroCheck": "zeros", "NKCheck": "dominance",
          "PPercentCheck": "p_ratio"}

spec = json.load(sys.stdin)
acro = ACRO(suppress=False)
out = {}
for t in spec["tables"]:
    data = pd.read_csv(t["csv"])
    data = data[data[t["column"]].notna()]
    before = set(acro.results.results)
    if t["kind"] == "count":
        table = acro.crosstab(data["group"], data[t["column"]])
    else:
        table = acro.pivot_table(data, index="group", values=t["column"], aggfunc="mean")
    (name,) = set(acro.results.results) - before
    sdc = acro.results.results[name].sdc
    flagged = {}
    for check, cells in sdc["cells"].items():
        if check not in CHECKS:
            continue
        labels = []
        for row, col in cells:
            group = str(table.index[row])
            labels.append(f"{group}, {t['column']}={int(float(table.columns[col]))}" if t["kind"] == "count"
                          else f"{group}, {t['column']}")
        flagged[CHECKS[check]] = sorted(labels)
    out[t["name"]] = flagged
from importlib.metadata import version  # noqa: E402

json.dump({"acro_version": version("acro"), "tables": out}, sys.stdout)

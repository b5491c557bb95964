"""The teaching layer's shared text: one source for what every page says the same way.

:func:`try_it` writes the opening of a page's "Try it" section (how to change a
parameter: rebuild the report, or open the notebook in JupyterLab through ``make lab``),
so that the instructions stay true on every page when the way to run them changes.
"""
from __future__ import annotations

import re

__all__ = ["PARAMETERS_FOLD", "try_it"]

PARAMETERS_FOLD = "Show the parameters of this page"
"""The label of the folded parameters cell on every rendered page (set by the site's renderer)."""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PAGE = re.compile(r"^\d\d_[a-z0-9_]+$")


def try_it(page: str, name: str, value: str) -> str:
    """The opening of page `page`'s "Try it" section, as Markdown, with the rebuild
    example ``-p name value``.

    Parameters
    ----------
    page : str
        The notebook's name without extension, e.g. ``"03_rq3_health"``.
    name, value : str
        A parameter the page declares and a value for the example command.

    >>> text = try_it("03_rq3_health", "within_person_r", "0.2")
    >>> "`.venv/bin/ipsrep build -p within_person_r 0.2 --out variant/`" in text, "`03_rq3_health.py`" in text
    (True, True)
    """
    if not _PAGE.match(page) or not _NAME.match(name) or not re.fullmatch(r"[\w.\-]+", value):
        raise ValueError(f"try_it({page!r}, {name!r}, {value!r}): a page name, a parameter name and a plain value")
    return "\n".join([
        "Each change below sets one parameter of this page; the parameters sit, with their "
        f"defaults, in the first code cell of the notebook, folded under *{PARAMETERS_FOLD}* "
        "near the top of this page. Two ways to make a change:",
        "",
        f"* **Rebuild the report** from the project folder, for example "
        f"`.venv/bin/ipsrep build -p {name} {value} --out variant/`. Repeat `-p NAME VALUE` for more "
        "parameters; text needs no quotes, and tuples or lists are written as in Python, in quotes for "
        "the shell (`-p NAME \"(0.5, 0.35)\"`). The front page of `variant/index.html` names the "
        "parameters it was built with, and `.venv/bin/ipsrep compare reports/ledger.csv variant/ledger.csv` "
        "lists every ledger value that changed.",
        f"* **Open the notebook in JupyterLab**: `make lab` installs JupyterLab and jupytext into the "
        f"project's environment and opens the `notebooks/` folder; a double click on `{page}.py` opens it "
        "as a notebook. Edit the parameters cell and choose *Run* › *Run All Cells*; your edits are saved "
        f"back to `{page}.py`.",
    ])

"""Issue 20: every shell command in README.md runs in a test.

The commands are read from README.md's ``sh``/``bash`` blocks when the test runs, so the
test follows whatever the README says after an edit. Each command must match one rule of
:data:`RULES`, which says how it is run here:

- ``ipsrep``, ``jupytext``, ``papermill`` and ``python -c`` commands run as written, in
  README order, in one scratch folder holding the files the README assumes
  (``my_trial.csv``: the bundled data; ``trial.sav``: the same data written by pyreadstat;
  ``notebooks/``: a link to the project's), with cheap parameters where the README's
  would take hours (``--members 1``, ``n=120`` for the resampled trial), ``--out`` inside
  the scratch folder where the README writes into the project (``ensemble`` without
  ``--out`` writes ``data/ensemble*/``) or into ``/tmp``, and ``--scheduler`` pointed at
  a local Dask scheduler started by the test;
- ``make`` targets are the project's own (they would reinstall the environment or run
  the whole suite): ``make -n`` checks that each target exists and its recipe expands;
- ``pip install -e '.[lab]'`` needs the network: the extra it names must be declared in
  pyproject.toml;
- ``jupyter lab`` starts a server that runs until stopped: ``jupyter lab --version``
  runs when the lab extra is installed;
- the SLURM (dask-jobqueue) and Kubernetes (kubectl) recipes need a cluster: the Python
  script is compiled, the kubectl lines are listed as not runnable here.

A README command no rule matches fails :func:`test_every_readme_command_has_a_rule`.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from ipsrep import paths

README = paths.PROJECT_ROOT / "README.md"
USER_DOCS = ("README.md", "docs/ensemble.md")
"""The documents whose shell commands are run here: the README and the ensemble guide its
commands moved to. docs/disclosure-control.md repeats the README's build and release on
``trial.sav`` into the same folders (``release`` refuses to write into the README's
``my_release/``), so it would need a folder of its own; the developers' documents
(docs/README.md, releasing.md, lint-baseline.md) hold make, git and pip-compile steps."""
BIN = Path(sys.executable).parent
SHELL_BLOCK = re.compile(r"^(\s*)```(?:sh|bash|shell|console)\s*$")


@dataclass(frozen=True)
class Command:
    line: int  # line of the command's first line in its document
    text: str  # the command as written (a heredoc keeps its body)
    source: str = "README.md"  # the document, relative to the project root

    @property
    def where(self) -> str:
        return f"{self.source} line {self.line}"


def readme_commands(text: str | None = None, source: str = "README.md") -> list[Command]:
    """The commands of a document's shell blocks (README.md's by default): comments and
    blank lines dropped, a heredoc kept with its body as one command."""
    path = paths.PROJECT_ROOT / source
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    out: list[Command] = []
    i = 0
    while i < len(lines):
        if not SHELL_BLOCK.match(lines[i]):
            i += 1
            continue
        i += 1
        while i < len(lines) and not lines[i].strip().startswith("```"):
            raw, start = lines[i].strip(), i + 1
            i += 1
            if not raw or raw.startswith("#"):
                continue
            heredoc = re.search(r"<<-?\s*'?(\w+)'?", raw)
            if heredoc:
                body = []
                while i < len(lines) and lines[i].strip() != heredoc.group(1):
                    body.append(lines[i])
                    i += 1
                i += 1
                out.append(Command(start, raw + "\n" + "\n".join(body), source))
                continue
            words = shlex.split(raw, comments=True)
            out.append(Command(start, shlex.join(words), source))
        i += 1
    return out


# --------------------------------------------------------------------------------------
# How each command is run
# --------------------------------------------------------------------------------------
RULES: list[tuple[str, str]] = [
    (r"^make ", "make"),
    (r"^\.venv/bin/pip install -e '?\.\[(\w+)\]'?$", "pip-extra"),
    (r"^\.venv/bin/jupyter lab", "jupyter-lab"),
    (r"^python - <<", "jobqueue-script"),
    (r"^kubectl ", "kubectl"),
    (r"^\.venv/bin/(ipsrep|jupytext|papermill) ", "run"),
    (r"^\.venv/bin/python -c ", "run"),
]


def rule_of(command: Command) -> str:
    kinds = [kind for pattern, kind in RULES if re.search(pattern, command.text)]
    if len(kinds) != 1:
        raise AssertionError(f"{command.where}: {command.text!r} matches {len(kinds)} rules of "
                             f"tests/test_readme_commands.py; add one saying how it is run")
    return kinds[0]


def test_the_readme_has_commands_and_the_parser_reads_blocks_comments_and_heredocs():
    sample = ("text\n```sh\nmake report   # builds\n\n# a comment\n.venv/bin/ipsrep build --out 'a b/'\n```\n"
              "```bash\npython - <<'PY'\nprint(1)\nPY\nkubectl apply -f x.yaml &\n```\n```python\nnot shell\n```\n")
    assert readme_commands(sample) == [
        Command(3, "make report"), Command(6, ".venv/bin/ipsrep build --out 'a b/'"),
        Command(9, "python - <<'PY'\nprint(1)"), Command(12, "kubectl apply -f x.yaml '&'")]
    commands = readme_commands()
    assert len(commands) >= 10
    assert any(c.text.startswith(".venv/bin/ipsrep build") for c in commands)


def user_commands() -> list[Command]:
    """The commands of every document in :data:`USER_DOCS`."""
    return [c for doc in USER_DOCS for c in readme_commands(source=doc)]


def test_every_readme_command_has_a_rule():
    for doc in USER_DOCS:
        assert readme_commands(source=doc), f"{doc} has no shell commands; drop it from USER_DOCS"
    for command in user_commands():
        rule_of(command)


def test_make_targets_in_the_readme_exist_and_expand():
    """``make -n``: the README's make commands name real targets whose recipes expand
    (running them would reinstall the environment or run the whole suite)."""
    make = [c for c in readme_commands() if rule_of(c) == "make"]
    assert make
    for c in make:
        args = shlex.split(c.text)[1:]
        done = subprocess.run(["make", "-n", *args], cwd=paths.PROJECT_ROOT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, f"README.md line {c.line}: make -n {' '.join(args)}: {done.stderr}"
        assert done.stdout.strip(), f"README.md line {c.line}: make -n {' '.join(args)} runs nothing"


def test_the_extras_the_readme_installs_are_declared():
    extras = tomllib.loads((paths.PROJECT_ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for c in readme_commands():
        if rule_of(c) == "pip-extra":
            match = re.search(RULES[1][0], c.text)
            assert match is not None
            name = match.group(1)
            assert name in extras, f"README.md line {c.line}: extra {name!r} is not in pyproject.toml"


def test_jupyter_lab_starts_when_the_lab_extra_is_installed():
    if not any(rule_of(c) == "jupyter-lab" for c in readme_commands()):
        pytest.skip("the README no longer starts JupyterLab")
    if not (BIN / "jupyter-lab").exists():
        pytest.skip("the lab extra is not installed in this environment (make lab installs it)")
    done = subprocess.run([str(BIN / "jupyter"), "lab", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_batch_system_script_compiles_and_kubectl_lines_are_known():
    scripts = [c for c in user_commands() if rule_of(c) == "jobqueue-script"]
    assert scripts, "no batch-system script in " + ", ".join(USER_DOCS)
    for c in scripts:
        compile(c.text.split("\n", 1)[1], c.where, "exec")
    # kubectl needs a Kubernetes cluster with the Dask operator: not run here, only matched
    kubectl = [c for c in user_commands() if c.text.startswith("kubectl")]
    assert kubectl and all(rule_of(c) == "kubectl" for c in kubectl)


# --------------------------------------------------------------------------------------
# The commands that run
# --------------------------------------------------------------------------------------
def cheap(command: str, work: Path, scheduler: str) -> list[str]:
    """`command` as run here: the project's venv, cheap sizes, outputs inside `work`."""
    words = shlex.split(command)
    words[0] = str(BIN / Path(words[0]).name)
    out = []
    for i, w in enumerate(words):
        if i and words[i - 1] == "--members":
            w = "1"
        elif i and words[i - 1] == "--scheduler":
            w = scheduler
        elif i and w.startswith("/tmp/"):  # an argument (the program may itself live under /tmp)
            w = str(work / w.removeprefix("/tmp/"))
        out.append(re.sub(r"\bn=\d+", "n=120", w) if words[0].endswith("python") else w)
    if Path(out[0]).name == "ipsrep" and out[1] == "ensemble" and "--out" not in out:
        out += ["--out", str(work / f"ensemble-{len(list(work.glob('ensemble-*')))}")]
    return out


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


@pytest.mark.slow
def test_every_runnable_readme_command_succeeds(tmp_path, scheduler):
    """The ``ipsrep``, ``jupytext``, ``papermill`` and ``python -c`` commands of README.md,
    then of the guides in :data:`USER_DOCS`, in order, in one folder (builds share one
    cache; a guide's commands follow the README's as a reader's would), each exiting 0."""
    import pandas as pd
    import pyreadstat

    shutil.copy(paths.RECONSTRUCTED_CSV, tmp_path / "my_trial.csv")
    pyreadstat.write_sav(pd.read_csv(paths.RECONSTRUCTED_CSV, dtype={"participant_id": str}), tmp_path / "trial.sav")
    (tmp_path / "notebooks").symlink_to(paths.PROJECT_ROOT / "notebooks")
    (tmp_path / "reports").mkdir()  # the committed report's ledger, which `compare` reads
    shutil.copy(paths.PROJECT_ROOT / "reports" / "ledger.csv", tmp_path / "reports" / "ledger.csv")
    env = {**os.environ, "IPSREP_CACHE_DIR": str(tmp_path / "cache")}
    ran = []
    for c in user_commands():
        if rule_of(c) != "run":
            continue
        argv = cheap(c.text, tmp_path, scheduler)
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=3600)
        assert done.returncode == 0, (f"{c.where}: {c.text}\n(run as {shlex.join(argv)})\n"
                                      f"{done.stderr[-3000:]}")
        ran.append(c.text)
    assert any("ipsrep ensemble" in r for r in ran)
    assert any("ipsrep build" in r for r in ran) and any("ipsrep release" in r for r in ran)
    assert (tmp_path / "my_report" / "index.html").is_file()
    assert (tmp_path / "my_release" / "ledger.csv").is_file()

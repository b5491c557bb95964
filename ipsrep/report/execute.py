"""Executing the notebooks: papermill, one fresh kernel each, several at once.

Each notebook runs in a kernel of the running interpreter (whatever "python3" means in
the user's Jupyter set-up), with the project root as working directory and
:data:`KERNEL_ENV` in its environment, plus the checksum of the data file the build has
checked (:data:`ipsrep.report.context.VALIDATED_SHA256_VARIABLE`). :func:`run_notebooks`
takes unchanged notebooks from the cache, runs the rest `jobs` at a time, stops starting
new ones after the first failure, and on Ctrl-C cancels the queue, kills the running
kernels and raises :class:`ipsrep.report.failures.Interrupted` within seconds.
"""
from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ipsrep import paths
from ipsrep.report.failures import BuildError, Interrupted, failure_message, one_line, say, shown
from ipsrep.report.normalise import normalise, notebook_text

__all__ = ["CELL_TIMEOUT", "KERNEL_ENV", "Notebook", "execute", "run_notebooks"]

KERNEL_ENV = {
    "PYTHONHASHSEED": "0",  # set and dict-of-str ordering identical in every run
    "SOURCE_DATE_EPOCH": "0",  # matplotlib writes no build date into SVG/PDF
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # no debugger warning on the kernel's stderr
}
"""Environment added to every kernel the build starts."""

CELL_TIMEOUT = 1800
"""Seconds one cell may run before the build gives up on the notebook."""

KILL_GRACE = 3.0
"""Seconds the build waits, after Ctrl-C has killed the kernels, for its threads to end."""


@dataclass
class Notebook:
    """One notebook of the report: its source and, once run, its executed form."""

    path: Path
    source: bytes
    parameters: dict = field(default_factory=dict)
    nb: object = None
    defaults: dict = field(default_factory=dict)
    executed: object = None
    text: str | None = None
    cache_key: str = ""
    cached: bool = False
    seconds: float = 0.0

    @property
    def stem(self) -> str:
        return self.path.stem


def read_notebook(book: Notebook):
    """The jupytext notebook of `book` (nbformat node)."""
    import jupytext

    try:
        return jupytext.reads(book.source.decode("utf-8"), fmt="py:percent")
    except Exception as exc:  # a notebook that is not jupytext text: say which one
        raise BuildError(f"{shown(book.path)}: cannot be read as a jupytext notebook "
                         f"({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------
_kernels_lock = threading.Lock()
_kernels: dict[int, int] = {}  # id(kernel manager) -> kernel process id


def kill_kernels() -> int:
    """Kill every kernel the build started and that still runs (with its children);
    return how many."""
    with _kernels_lock:
        pids = list(_kernels.values())
        _kernels.clear()
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)  # the kernel leads its own process group
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    return len(pids)


def _kernel_manager_class(extra_env: dict[str, str]):
    """A kernel manager whose kernel is the running interpreter, with :data:`KERNEL_ENV`
    and `extra_env` added, registered so that Ctrl-C can kill it."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec

    env = {**KERNEL_ENV, **extra_env}

    class ThisInterpreterKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, env=dict(env), **get_kernel_dict())
            return self._kernel_spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # the kernel's own log lines (transport warnings, shutdown notices) are not
            # the reader's business; cell errors reach the build through the notebook
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            result = await super()._async_launch_kernel(kernel_cmd, **kw)
            pid = getattr(self.provisioner, "pid", None)
            if pid:
                with _kernels_lock:
                    _kernels[id(self)] = pid
            return result

        async def _async_shutdown_kernel(self, *args, **kwargs):
            with _kernels_lock:
                _kernels.pop(id(self), None)
            return await super()._async_shutdown_kernel(*args, **kwargs)

    return ThisInterpreterKernelManager


def execute(book: Notebook, *, env: dict[str, str] | None = None):
    """Execute `book` with papermill; return the executed notebook (not yet normalised).

    Raises BuildError with a one-paragraph message when a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        return papermill.execute_notebook(
            book.nb,
            None,
            parameters=book.parameters or None,
            kernel_name="python3",
            language="python",
            progress_bar=False,
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT,
            kernel_manager_class=_kernel_manager_class(env or {}),
            record_timing=False,
            resources={"metadata": {"path": str(paths.PROJECT_ROOT)}},
        )
    except PapermillExecutionError as err:
        raise BuildError(failure_message(book.path, book.source, book.nb, bool(book.parameters), err)) from None
    except Exception as exc:  # kernel died, timed out, could not start ...
        raise BuildError(f"{shown(book.path)} could not be executed: {type(exc).__name__}: "
                         f"{one_line(str(exc))}") from None


def run_notebooks(notebooks: list[Notebook], *, jobs: int, store=None, env: dict[str, str] | None = None) -> None:
    """Execute every notebook (or take it from the cache `store`), `jobs` at a time.

    On the first failure the notebooks not yet started are cancelled; the failure of the
    earliest notebook (in name order) is raised. On Ctrl-C (KeyboardInterrupt in the
    calling thread) no further notebook starts, running kernels are killed and
    :class:`Interrupted` is raised once the workers have stopped (at most
    :data:`KILL_GRACE` seconds later).
    """
    import nbformat.v4

    todo = []
    for book in notebooks:
        hit = store.get("nb-" + book.stem, book.cache_key) if store is not None and book.cache_key else None
        nb = None
        if hit is not None and "notebook.ipynb" in hit:
            try:  # its bytes hash as recorded: the notebook this build wrote, no need to validate again
                text = hit["notebook.ipynb"].decode("utf-8")
                nb = nbformat.v4.reads(text)
            except Exception:  # a damaged entry is a miss
                nb = None
        if nb is not None:
            book.executed, book.text, book.cached = nb, text, True
            say(f"  cached   {book.stem}")
        else:
            todo.append(book)
    if not todo:
        return

    stop = threading.Event()

    def one(book: Notebook) -> None:
        if stop.is_set():  # another notebook failed, or Ctrl-C: do not start more
            return
        say(f"  start    {book.stem}")
        t0 = time.monotonic()
        try:
            if book.nb is None:
                book.nb = read_notebook(book)
            executed = normalise(execute(book, env=env))
        except BaseException:
            stop.set()
            book.seconds = time.monotonic() - t0
            if not interrupted.is_set():
                say(f"  FAILED   {book.stem}  {book.seconds:.1f} s")
            raise
        book.seconds = time.monotonic() - t0
        book.executed, book.text = executed, notebook_text(executed)
        if store is not None and book.cache_key:
            store.put("nb-" + book.stem, book.cache_key, {"notebook.ipynb": book.text.encode()})
        say(f"  done     {book.stem}  {book.seconds:.1f} s")

    interrupted = threading.Event()
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(todo)), thread_name_prefix="ipsrep-nb")
    futures = {}
    try:
        futures = {pool.submit(one, book): book for book in todo}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in done if not f.cancelled()):
                stop.set()
                for f in pending:
                    f.cancel()
                wait([f for f in pending if not f.cancelled()])
                break
    except KeyboardInterrupt:
        interrupted.set()
        stop.set()
        for f in futures:
            f.cancel()
        killed = kill_kernels()
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + KILL_GRACE
        while time.monotonic() < deadline and not all(f.done() for f in futures):
            kill_kernels()  # one that was starting as the interrupt came
            time.sleep(0.05)
        raise Interrupted(f"interrupted; {killed} running notebook{'s' if killed != 1 else ''} stopped, "
                          "the others not started. The previous report is unchanged.") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    errors = [(book, f.exception()) for f, book in futures.items() if not f.cancelled() and f.exception()]
    if errors:
        errors.sort(key=lambda pair: pair[0].stem)
        book, exc = errors[0]
        if not isinstance(exc, BuildError):
            exc = BuildError(f"{shown(book.path)}: {type(exc).__name__}: {one_line(str(exc))}")
        others = len(errors) - 1
        if others:
            exc = BuildError(f"{exc}\n  ({others} other notebook{'s' if others > 1 else ''} failed too)")
        raise exc

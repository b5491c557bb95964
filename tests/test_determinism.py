"""The reconstruction gives the same bytes on every BLAS kernel, thread count and SIMD width.

Each run is a fresh process with its own environment: OpenBLAS reads
``OPENBLAS_CORETYPE`` / ``OPENBLAS_NUM_THREADS`` and numpy ``NPY_DISABLE_CPU_FEATURES``
only at import. The variables may be preset on a machine; every run sets its own.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ipsrep import paths
from ipsrep.methods import portable
from ipsrep.synthetic import ensemble

pytestmark = pytest.mark.slow

MEMBER_SEED = 20220212
"""An ensemble member's seed other than the committed reconstruction's."""


def _widest_simd() -> str:
    """The dispatched SIMD features this CPU has beyond numpy's baseline (numpy refuses to
    disable baseline ones), as NPY_DISABLE_CPU_FEATURES wants them; empty if none."""
    probe = (
        "import numpy._core._multiarray_umath as m; "
        "print(' '.join(f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f) and f not in m.__cpu_baseline__))"
    )
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


def _environments() -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("OPENBLAS_", "NPY_DISABLE_CPU_FEATURES", "OMP_NUM_THREADS"))}
    kernels = {
        "Prescott": {"OPENBLAS_CORETYPE": "Prescott"},
        "Haswell": {"OPENBLAS_CORETYPE": "Haswell"},
        "1 thread": {"OPENBLAS_NUM_THREADS": "1"},
        "2 threads": {"OPENBLAS_NUM_THREADS": "2"},
        "no wide SIMD": {"NPY_DISABLE_CPU_FEATURES": _widest_simd()},
    }
    return {name: {**base, **extra} for name, extra in kernels.items()}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=paths.PROJECT_ROOT, timeout=900)


def test_environments_really_differ():
    envs = _environments()
    assert envs["Prescott"]["OPENBLAS_CORETYPE"] != envs["Haswell"]["OPENBLAS_CORETYPE"]
    assert "X86_V2" not in envs["no wide SIMD"]["NPY_DISABLE_CPU_FEATURES"].split()


def test_reconstruct_gives_the_committed_bytes_under_every_kernel(tmp_path):
    envs = _environments()
    committed = paths.RECONSTRUCTED_CSV.read_bytes()

    def one(name):
        out = tmp_path / f"{name.replace(' ', '_')}.csv"
        done = _run(["-m", "ipsrep.cli", "reconstruct", "--out", str(out)], envs[name])
        assert done.returncode == 0, (name, done.stderr[-2000:])
        return name, out.read_bytes()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(one, envs))
    differ = [name for name, data in results.items() if data != committed]
    assert not differ, f"ipsrep reconstruct differs from the committed file under: {differ}"


MEMBER_SCRIPT = textwrap.dedent("""
    import json, sys
    from ipsrep.synthetic import ensemble_member
    seed, linkage = int(sys.argv[1]), sys.argv[2]
    member = ensemble_member.MEMBER_FUNCTIONS[linkage](seed)
    print(json.dumps({"keys": member["key"].tolist(), "values": [float(v).hex() for v in member["value"]]}))
""")


@pytest.mark.parametrize("linkage", ["searched", "unsearched"])
def test_an_ensemble_member_is_bit_for_bit_the_same_under_every_kernel(linkage):
    """Every value of one member, the mixed models' included, has the same bits under each
    kernel, thread count and SIMD width (no tolerance)."""
    envs = _environments()

    def one(name):
        done = _run(["-c", MEMBER_SCRIPT, str(MEMBER_SEED), linkage], envs[name])
        assert done.returncode == 0, (name, done.stderr[-2000:])
        return name, json.loads(done.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(one, envs))
    first = next(iter(results.values()))
    assert any(k.startswith("t4.") for k in first["keys"])
    for name, member in results.items():
        assert member["keys"] == first["keys"], name
        differ = [k for k, a, b in zip(member["keys"], member["values"], first["values"], strict=True) if a != b]
        assert not differ, f"{linkage} member {MEMBER_SEED} differs under {name} in {differ[:5]}"
    # and the committed ensemble holds exactly these values for this seed (as its file writes them)
    folder = ensemble.ENSEMBLE_DIR if linkage == "searched" else ensemble.UNSEARCHED_DIR
    committed = ensemble.read_ensemble(folder).results
    committed = committed[committed["seed"] == MEMBER_SEED]
    ours = {k: ensemble.format_value(float.fromhex(v)) for k, v in zip(first["keys"], first["values"], strict=True)}
    theirs = {k: ("" if v != v else ensemble.format_value(v)) for k, v in zip(committed["key"], committed["value"],
                                                                             strict=True)}
    assert len(committed) == len(ours) and theirs == ours


def test_portable_functions_agree_with_numpy():
    rng = np.random.default_rng(1)
    x = np.exp(rng.uniform(-30, 30, 20000))
    np.testing.assert_allclose(portable.log(x), np.log(x), rtol=1e-15, atol=1e-15)
    small = np.exp(rng.uniform(-40, 3, 20000))
    np.testing.assert_allclose(portable.log1p(small), np.log1p(small), rtol=2e-15)
    z = rng.uniform(-700, 700, 20000)
    np.testing.assert_allclose(portable.exp(z), np.exp(z), rtol=1e-15)
    a = rng.normal(size=(6, 5, 5))
    a = a @ a.transpose(0, 2, 1) + np.eye(5)
    np.testing.assert_allclose(portable.schur_last(a), np.linalg.cholesky(a)[:, -1, -1] ** 2, rtol=1e-12)
    b = rng.normal(size=(6, 4, 3))
    np.testing.assert_allclose(portable.solve_spd(a[:, :4, :4], b), np.linalg.solve(a[:, :4, :4], b), rtol=1e-10)
    assert portable.quantise(0.1 + 0.2).item() == portable.quantise(0.3).item()


def test_portable_functions_give_these_bits_on_every_machine():
    """Bit patterns computed once; IEEE arithmetic must give them again anywhere."""
    hexes = lambda a: [v.hex() for v in np.asarray(a).tolist()]  # noqa: E731
    assert hexes(portable.log(np.array([2.0, 10.0, 0.1, 1234.5]))) == [
        "0x1.62e42fefa39efp-1", "0x1.26bb1bbb55516p+1", "-0x1.26bb1bbb55515p+1", "0x1.c79436f818745p+2"]
    assert hexes(portable.exp(np.array([1.0, -2.5, 30.0]))) == [
        "0x1.5bf0a8b14576ap+1", "0x1.50385c094f425p-4", "0x1.370470aec28ecp+43"]
    assert hexes(portable.log1p(np.array([1e-5, 0.3, 3.0]))) == [
        "0x1.4f8aea9ae7317p-17", "0x1.0ca937be1b9dcp-2", "0x1.62e42fefa39efp+0"]

"""cf.keras.ops / random / config / tree against Keras 3.15 on TensorFlow, without TF.

Every case of cases.py runs in cuflow and is compared with the stored Keras results
(keras_reference.npz: values, dtypes, shapes, error classes). Differences must be listed
in known.py with a reason. Regenerate the fixture with
``/work/tfenv/bin/python -m tests.framework.keras.ops.make_fixture``; print every
difference with ``python -m tests.framework.keras.ops.test_keras_ops``.
"""
from __future__ import annotations

import fnmatch
import inspect
import sys
from pathlib import Path

import cuflow as cf
import pytest

from tests.tf_compat import harness

from .cases import cases
from .known import KNOWN, MISSING_NAMES, known_reason

HERE = Path(__file__).parent
# the top-level keras names this harness checks (cf.keras's other modules are tested
# elsewhere; Keras-only ones such as distillation or quantizers are out of scope here)
TOPLEVEL = {"Variable", "Loss", "Metric", "Optimizer", "Initializer", "Regularizer",
            "InputSpec", "KerasTensor", "name_scope", "device", "version", "DTypePolicy",
            "config", "ops", "random", "tree", "Layer", "Model", "Sequential", "Input"}
CASES = cases()


def _diffs():
    want, meta = harness.load(HERE / "keras_reference.npz")
    got = harness.run_all(cf.keras, CASES)
    return harness.compare(want, got, CASES), want, meta


@pytest.fixture(scope="module")
def diffs():
    return _diffs()


FAMILIES = sorted({n.split("/")[0] for n, _, _ in CASES})


@pytest.mark.parametrize("family", FAMILIES)
def test_family_matches_keras(diffs, family):
    found, want, _ = diffs
    bad = [f"{k} {n}: {t}" for n, (k, t) in sorted(found.items())
           if n.split("/")[0] == family and known_reason(n, k, want[n]) is None]
    assert not bad, f"{len(bad)} differences from Keras:\n" + "\n".join(bad[:40])


def test_known_entries_still_differ(diffs):
    found, _, _ = diffs
    stale = [p for p in KNOWN if not any(fnmatch.fnmatchcase(n, p) for n in found)]
    assert not stale, f"known.py lists cases that now match Keras: {stale}"


def test_fixture_covers_every_case(diffs):
    _, want, _ = diffs
    missing = [n for n, _, _ in CASES if n not in want]
    assert not missing, f"regenerate keras_reference.npz (make_fixture.py): {missing[:10]}"


def _module(ns):
    m = cf.keras
    for part in ns.split(".") if ns else []:
        m = getattr(m, part, None)
        if m is None:
            return None
    return m


def test_names_present(diffs):
    """Every keras.ops / random / config / tree name exists, unless listed missing."""
    _, _, meta = diffs
    absent = []
    for ns, names in meta["names"].items():
        m = _module(ns)
        for n in names:
            if ns == "" and n not in TOPLEVEL:
                continue
            q = f"{ns}.{n}" if ns else n
            if (m is None or not hasattr(m, n)) and q not in MISSING_NAMES:
                absent.append(q)
    stale = [q for q in MISSING_NAMES if _has(q)]
    assert not absent, f"missing Keras names: {absent}"
    assert not stale, f"known.py lists names now present: {stale}"


def _has(q):
    ns, _, n = q.rpartition(".")
    m = _module(ns)
    return m is not None and hasattr(m, n)


def test_signatures_take_keras_argument_names(diffs):
    """Each function takes Keras's parameter names, positional ones in Keras's order."""
    _, _, meta = diffs
    bad = []
    for qual, params in sorted(meta["signatures"].items()):
        ns, _, n = qual.rpartition(".")
        m = _module(ns)
        f = getattr(m, n, None) if m is not None else None
        if f is None or isinstance(f, type):
            continue
        ours = list(inspect.signature(f).parameters.values())
        names = [p.name for p in ours]
        theirs = [p for p, kind in params if kind not in ("VAR_KEYWORD",)]
        mine = [p.name for p in ours if p.kind.name != "VAR_KEYWORD"]
        if theirs != mine[:len(theirs)] and theirs != mine:
            bad.append(f"{qual}: cuflow {names}, Keras {[p for p, _ in params]}")
    assert not bad, "\n".join(bad)


if __name__ == "__main__":
    found, want, _ = _diffs()
    for name in sorted(found):
        kind, text = found[name]
        mark = "known" if known_reason(name, kind, want[name]) else "NEW"
        print(f"{mark:5s} {kind:9s} {name}: {text}")
    print(f"{len(CASES)} cases: {len(found)} differ")
    sys.exit(0)

"""Writes keras_reference.npz: Keras 3 (TensorFlow backend)'s results for every case in
cases.py, plus the names and signatures of keras.ops / random / config / tree.

    /work/tfenv/bin/python -m tests.framework.keras.ops.make_fixture

The only step that needs Keras and TensorFlow; the tests compare cuflow with the file.
"""
from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path

HERE = Path(__file__).parent
NAMESPACES = ["ops", "ops.nn", "ops.image", "ops.linalg", "ops.numpy", "random", "config",
              "tree", ""]


def _module(root, ns):
    m = root
    for part in ns.split(".") if ns else []:
        m = getattr(m, part, None)
        if m is None:
            return None
    return m


def signatures(keras):
    names, sigs = {}, {}
    for ns in NAMESPACES:
        m = _module(keras, ns)
        names[ns] = sorted(n for n in dir(m) if not n.startswith("_"))
        for n in names[ns]:
            f = getattr(m, n)
            if not callable(f) or isinstance(f, type) or ns == "":
                continue
            try:
                sig = inspect.signature(f)
            except (TypeError, ValueError):
                continue
            sigs[f"{ns}.{n}"] = [[p.name, p.kind.name] for p in sig.parameters.values()]
    return names, sigs


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    from tests.tf_compat import harness

    from .cases import cases
    results = harness.run_all(keras, cases())
    names, sigs = signatures(keras)
    harness.save(HERE / "keras_reference.npz", results,
                 {"keras": keras.__version__, "names": names, "signatures": sigs})
    print(f"wrote {len(results)} Keras results")
    return 0


if __name__ == "__main__":
    sys.exit(main())

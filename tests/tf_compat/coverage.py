"""Which of TF's public names cuflow lacks, per namespace.

    /work/tfenv/bin/python -m tests.tf_compat.coverage tf tests/tf_compat/tf_names.json
    .venv/bin/python -m tests.tf_compat.coverage report tests/tf_compat/tf_names.json

The first writes TF's names (the only step needing TF); the second prints, per
namespace, how many TF names cuflow has and the missing ones.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

NAMESPACES = ["", "math", "nn", "linalg", "image", "random", "signal", "strings", "sparse",
              "bitwise", "debugging", "math.special"]


def names(mod):
    out = {}
    for ns in NAMESPACES:
        m = mod
        try:
            for part in ns.split(".") if ns else []:
                m = getattr(m, part)
        except AttributeError:
            out[ns] = []
            continue
        out[ns] = sorted(n for n in dir(m) if not n.startswith("_"))
    return out


def _module(root, ns):
    m = root
    try:
        for part in ns.split(".") if ns else []:
            m = getattr(m, part)
    except AttributeError:
        return None
    return m


def main(argv):
    mode, path = argv[1], argv[2]
    if mode == "tf":
        import tensorflow as tf
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)))
        with os.fdopen(fd, "w") as f:
            json.dump({"tensorflow": tf.__version__, "names": names(tf)}, f, indent=0)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        return 0
    import cuflow as cf
    with open(path) as f:
        data = json.load(f)
    for ns, theirs in data["names"].items():
        mod = _module(cf, ns)
        # hasattr, not dir(): cuflow resolves some names lazily
        missing = [n for n in theirs if mod is None or not hasattr(mod, n)]
        label = f"tf.{ns}" if ns else "tf"
        print(f"## {label}: {len(theirs) - len(missing)} of {len(theirs)} names")
        if missing:
            print(" ".join(missing))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

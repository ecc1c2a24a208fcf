"""Which of TF's public names cuflow lacks, per namespace, and whether the functions both
have take TF's argument names in TF's order.

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


def signatures(mod):
    """{"ns.name": [[param, kind], ...]} for every public callable with a signature."""
    import inspect
    out = {}
    for ns in NAMESPACES:
        m = _module(mod, ns)
        if m is None:
            continue
        for n in dir(m):
            if n.startswith("_"):
                continue
            f = getattr(m, n, None)
            if not callable(f) or isinstance(f, type):
                continue
            try:
                sig = inspect.signature(f)
            except (TypeError, ValueError):
                continue
            out[f"{ns}.{n}" if ns else n] = [[p.name, p.kind.name]
                                             for p in sig.parameters.values()]
    return out


def signature_mismatches(tf_sigs, mod):
    """[(name, problem)] where cuflow's function lacks a TF argument or orders the
    positional ones differently."""
    import inspect
    bad = []
    for qual, params in sorted(tf_sigs.items()):
        ns, _, n = qual.rpartition(".")
        m = _module(mod, ns)
        f = getattr(m, n, None) if m is not None else None
        if f is None or not callable(f):
            continue
        try:
            ours = list(inspect.signature(f).parameters.values())
        except (TypeError, ValueError):
            continue
        names = {p.name for p in ours}
        if any(p.kind.name == "VAR_KEYWORD" for p in ours):
            continue
        missing = [p for p, kind in params if p not in names and p != "name"
                   and kind not in ("VAR_KEYWORD", "VAR_POSITIONAL")]
        tf_pos = [p for p, kind in params if kind == "POSITIONAL_OR_KEYWORD"]
        cf_pos = [p.name for p in ours if p.kind.name == "POSITIONAL_OR_KEYWORD"]
        k = min(len(tf_pos), len(cf_pos))
        if missing:
            bad.append((qual, f"lacks TF's arguments {missing}"))
        elif tf_pos[:k] != cf_pos[:k]:
            bad.append((qual, f"positional order {cf_pos[:k]}, TF {tf_pos[:k]}"))
    return bad


def main(argv):
    mode, path = argv[1], argv[2]
    if mode == "tf":
        import tensorflow as tf
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)))
        with os.fdopen(fd, "w") as f:
            json.dump({"tensorflow": tf.__version__, "names": names(tf),
                       "signatures": signatures(tf)}, f, separators=(",", ":"))
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
    for qual, problem in signature_mismatches(data.get("signatures", {}), cf):
        print(f"signature  cf.{qual}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

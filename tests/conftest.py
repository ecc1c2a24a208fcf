"""Suite-wide collection rules.

`make test-gpu` runs against a GPU image's own packages (no network, no extras), so test
folders whose modules import an optional dependency at import time are skipped there
instead of failing collection.
"""
import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("tensorboard") is None:
    collect_ignore_glob.append("framework/summary/*")

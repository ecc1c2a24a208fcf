"""Every CUFLOW_* environment knob, typed, in one place; and ``cf.config``."""
from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Knobs:
    device: str = field(default_factory=lambda: os.environ.get("CUFLOW_DEVICE", "").lower())
    debug: int = field(default_factory=lambda: _env_int("CUFLOW_DEBUG", 0))
    cache_dir: str = field(default_factory=lambda: os.environ.get(
        "CUFLOW_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "cuflow")))
    fuse: bool = field(default_factory=lambda: os.environ.get("CUFLOW_FUSE", "1") != "0")


knobs = Knobs()

"""``cf.experimental``: DLPack interop and other not-yet-stable API."""
import types as _types

from .interop import from_dlpack, to_dlpack

dlpack = _types.SimpleNamespace(from_dlpack=from_dlpack, to_dlpack=to_dlpack)

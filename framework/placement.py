"""Devices and placement (``/CPU:0``, ``/GPU:0``), the ``cf.device`` scope, and the default choice.

The default device is the first GPU when CuPy sees one, else the CPU;
``CUFLOW_DEVICE=cpu`` (or ``gpu``) forces it. CuPy is probed on first use, never at
``import cuflow``. Devices are interned: one object per name, so ``a is b`` compares them.
"""
from __future__ import annotations

import re
import threading

from . import backend
from . import config as _config
from .config import knobs

__all__ = ["Device", "device", "current", "default_device", "parse", "list_devices"]


class Device:
    """One physical or logical device: its type, index and array namespace ``xp``."""

    __slots__ = ("device_type", "index", "name", "short", "xp", "_backend")

    def __init__(self, device_type: str, index: int, be):
        self.device_type = device_type
        self.index = index
        self.short = f"/{device_type}:{index}"
        self.name = f"/job:localhost/replica:0/task:0/device:{device_type}:{index}"
        self._backend = be
        self.xp = be.xp

    @property
    def backend(self):
        return self._backend

    def __repr__(self):
        return f"<Device {self.short}>"

    def __str__(self):
        return self.name

    def __reduce__(self):
        return (parse, (self.short,))


class _Scope(threading.local):
    stack: list = []

    def __init__(self):
        self.stack = []


_scope = _Scope()
# Number of open cf.device scopes in all threads: a cheap "maybe scoped" flag for the
# dispatcher's fast path, which then asks the thread-local stack.
_scope_depth = [0]
_devices: dict[tuple[str, int], Device] = {}
_default: Device | None = None
_soft_placement = [True]
_lock = threading.Lock()


def _make(device_type: str, index: int) -> Device:
    key = (device_type, index)
    dev = _devices.get(key)
    if dev is None:
        with _lock:
            dev = _devices.get(key)
            if dev is None:
                be = backend.cpu() if device_type == "CPU" else backend.gpu(index)
                dev = _devices[key] = Device(device_type, index, be)
    return dev


CPU0: Device = _make("CPU", 0)


def gpu_count() -> int:
    return _config.visible_gpu_count(backend.gpu_count())   # set_visible_devices may hide


def logical_cpu_count() -> int:
    return backend.logical_cpu_count()


def list_devices(device_type: str | None = None) -> list[Device]:
    out = [_make("CPU", i) for i in range(logical_cpu_count())]
    out += [_make("GPU", i) for i in range(gpu_count())]
    if device_type is not None:
        out = [d for d in out if d.device_type == device_type.upper()]
    return out


_SPEC = re.compile(r"^(?:/?job:[^/]*)?(?:/?replica:\d+)?(?:/?task:\d+)?"
                   r"/?(?:device:)?(cpu|gpu|xla_gpu|xla_cpu)?(?::(\d+|\*))?$", re.I)


def parse(spec) -> Device | None:
    """A device from '/GPU:0', 'gpu', '/device:CPU:0', the full TF name, or a Device."""
    if spec is None or isinstance(spec, Device):
        return spec
    if hasattr(spec, "to_string"):      # a cf.DeviceSpec
        spec = spec.to_string()
    m = _SPEC.match(str(spec).strip())
    if not m:
        raise ValueError(f"cf.device: cannot parse device specification {spec!r}; "
                         "expected e.g. '/CPU:0' or '/GPU:1'")
    kind = (m.group(1) or "").upper().replace("XLA_", "")
    if not kind:
        return None  # a job/task-only spec: no constraint on the device
    index = int(m.group(2)) if m.group(2) not in (None, "*") else 0
    if kind == "GPU":
        if index < gpu_count():
            return _make("GPU", index)
        if not _soft_placement[0]:
            from .errors import InvalidArgumentError
            raise InvalidArgumentError(
                None, None, f"Could not satisfy device specification {spec!r}: "
                f"{gpu_count()} GPU(s) visible and soft placement is off")
        return default_device() if default_device().device_type == "GPU" else CPU0
    if index >= logical_cpu_count():
        if not _soft_placement[0]:
            raise ValueError(f"cf.device: no such device {spec!r}")
        index = 0
    return _make("CPU", index)


def default_device() -> Device:
    """The device ops without placed inputs run on: GPU:0 if CuPy sees a GPU, else CPU:0."""
    global _default
    if _default is None:
        forced = knobs.device
        if forced.startswith("cpu"):
            _default = CPU0
        elif gpu_count() > 0:
            _default = _make("GPU", 0)
        else:
            _default = CPU0
    return _default


def current() -> Device:
    """The innermost ``cf.device`` scope's device, or the default device."""
    stack = _scope.stack
    if stack and stack[-1] is not None:
        return stack[-1]
    return default_device()


def scoped() -> Device | None:
    """The innermost explicit scope's device, or None (inputs then decide)."""
    stack = _scope.stack
    return stack[-1] if stack else None


class device:  # noqa: N801 - TF's name
    """``with cf.device('/GPU:0'):`` places the ops created inside on that device.

    Without a GPU, GPU specifications fall back to the CPU (TF's soft placement).

    >>> import cuflow as cf
    >>> with cf.device('/CPU:0'):
    ...     x = cf.constant([1.0])
    >>> x.device.endswith('CPU:0')
    True
    """

    def __init__(self, device_name):
        self._name = device_name
        self._dev = parse(device_name) if not callable(device_name) else None

    def __enter__(self):
        _scope.stack.append(self._dev)
        _scope_depth[0] += 1
        return self

    def __exit__(self, *exc):
        _scope.stack.pop()
        _scope_depth[0] -= 1
        return False


def set_soft_device_placement(enabled: bool) -> None:
    _soft_placement[0] = bool(enabled)


def get_soft_device_placement() -> bool:
    return _soft_placement[0]

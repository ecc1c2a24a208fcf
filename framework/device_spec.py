"""``cf.DeviceSpec``: TF's immutable (job, replica, task, device type, index) record.

>>> import cuflow as cf
>>> cf.DeviceSpec.from_string("/job:worker/task:3/device:cpu:0").to_string()
'/job:worker/task:3/device:CPU:0'
>>> cf.DeviceSpec(device_type="GPU").to_string()
'/device:GPU:*'
"""
from __future__ import annotations

_FIELDS = ("job", "replica", "task", "device_type", "device_index")


class DeviceSpec:
    """A (possibly partial) device specification; ``None`` fields are unspecified."""

    __slots__ = ("_job", "_replica", "_task", "_device_type", "_device_index", "_str",
                 "_hash")

    def __init__(self, job=None, replica=None, task=None, device_type=None,
                 device_index=None):
        self._job = None if job is None else str(job)
        self._replica = None if replica is None else int(replica)
        self._task = None if task is None else int(task)
        self._device_type = _norm_type(device_type)
        self._device_index = None if device_index is None else int(device_index)
        self._str = self._render()
        self._hash = hash(self._str)

    job = property(lambda self: self._job)
    replica = property(lambda self: self._replica)
    task = property(lambda self: self._task)
    device_type = property(lambda self: self._device_type)
    device_index = property(lambda self: self._device_index)

    def _render(self):
        out = ""
        if self._job is not None:
            out += f"/job:{self._job}"
        if self._replica is not None:
            out += f"/replica:{self._replica}"
        if self._task is not None:
            out += f"/task:{self._task}"
        if self._device_type is not None:
            index = "*" if self._device_index is None else self._device_index
            out += f"/device:{self._device_type}:{index}"
        return out

    def to_string(self):
        """``/job:<j>/replica:<r>/task:<t>/device:<TYPE>:<i>`` with unset parts left out."""
        return self._str

    @classmethod
    def from_string(cls, spec):
        """Parses ``/job:w/replica:0/task:1/device:GPU:2`` (also ``/GPU:2``, ``gpu:1``,
        ``/cpu:*``); unknown parts raise ValueError."""
        return cls(*_parse(spec))

    def parse_from_string(self, spec):
        return DeviceSpec.from_string(spec)

    def replace(self, **kwargs):
        """A copy with the given fields replaced (``None`` clears one)."""
        fields = {f: getattr(self, f) for f in _FIELDS}
        for k, v in kwargs.items():
            if k not in fields:
                raise TypeError(f"replace() got an unexpected keyword argument {k!r}")
            fields[k] = v
        return DeviceSpec(**fields)

    def make_merged_spec(self, dev):
        """A copy with ``dev``'s set fields taking precedence."""
        fields = {f: getattr(self, f) for f in _FIELDS}
        if dev.device_type is not None:   # a new device type resets nothing but the type
            fields["device_type"] = dev.device_type
        for f in ("job", "replica", "task", "device_index"):
            if getattr(dev, f) is not None:
                fields[f] = getattr(dev, f)
        return DeviceSpec(**fields)

    def __eq__(self, other):
        return isinstance(other, DeviceSpec) and self._str == other._str

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return (f"<DeviceSpec(job={self._job}, replica={self._replica}, task={self._task}, "
                f"device_type={self._device_type}, device_index={self._device_index})>")


def _norm_type(t):
    if t is None:
        return None
    t = str(t)
    return t.upper() if t.upper() in ("CPU", "GPU", "TPU") else t


def _parse(spec):
    job = replica = task = dtype = index = None
    text = spec.to_string() if isinstance(spec, DeviceSpec) else (spec or "")
    parts = [p for p in text.split("/") if p]
    for part in parts:
        bits = part.split(":")
        key = bits[0].lower()
        if len(bits) == 2 and key == "job":
            job = bits[1]
        elif len(bits) == 2 and key == "replica":
            replica = int(bits[1])
        elif len(bits) == 2 and key == "task":
            task = int(bits[1])
        elif key == "device" and len(bits) in (2, 3):
            dtype = bits[1]
            index = None if len(bits) == 2 or bits[2] == "*" else int(bits[2])
        elif key in ("cpu", "gpu", "tpu") and len(bits) == 2:
            dtype, index = bits[0], None if bits[1] == "*" else int(bits[1])
        elif len(bits) == 1 and key in ("cpu", "gpu", "tpu"):
            dtype = bits[0]
        else:
            raise ValueError(f"Unknown attribute '{bits[0]}' is encountered while parsing "
                             f"the device spec: '{text}'.")
    return job, replica, task, dtype, index

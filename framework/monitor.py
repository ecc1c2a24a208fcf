"""Device memory and utilization (NVML through nvidia-ml-py when present; quiet without)."""
from __future__ import annotations


def memory_info(device) -> dict:
    """``{'current': bytes, 'peak': bytes}`` for a device ('GPU:0', '/CPU:0' or Device)."""
    name = str(getattr(device, "name", device)).upper()
    if "GPU" not in name:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return {"current": _rss_bytes(), "peak": peak}
    from .backend import gpu
    stats = gpu.memory_stats(_gpu_index(name))
    return {"current": stats["current"], "peak": stats["peak"]}


def _gpu_index(name: str) -> int:
    tail = name.rsplit("GPU", 1)[1].lstrip(":")
    return int(tail) if tail.isdigit() else 0


def reset_memory_stats(device) -> None:
    name = str(getattr(device, "name", device)).upper()
    if "GPU" in name:
        from .backend import gpu
        gpu.reset_peak(_gpu_index(name))


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            import os
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def device_details(index: int) -> dict:
    """Name, compute capability and live NVML readings of GPU ``index`` ({} without NVML)."""
    try:
        import pynvml
        pynvml.nvmlInit()
    except Exception:  # no nvidia-ml-py or no driver
        return {}
    try:
        h = pynvml.nvmlDeviceGetHandleByIndex(index)
        name = pynvml.nvmlDeviceGetName(h)
        mem = pynvml.nvmlDeviceGetMemoryInfo(h)
        util = pynvml.nvmlDeviceGetUtilizationRates(h)
        major, minor = pynvml.nvmlDeviceGetCudaComputeCapability(h)
        return {"device_name": name if isinstance(name, str) else name.decode(),
                "compute_capability": (major, minor), "memory_used": mem.used,
                "memory_total": mem.total, "utilization_gpu": util.gpu,
                "temperature": pynvml.nvmlDeviceGetTemperature(h, 0),
                "power_watts": pynvml.nvmlDeviceGetPowerUsage(h) / 1000.0}
    except Exception:
        return {}

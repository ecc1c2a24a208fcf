"""``cf.profiler``: host spans recorded to a Chrome / Perfetto trace JSON.

Public TF names live in ``cf.profiler.experimental`` (``start``, ``stop``, ``Profile``,
``Trace``). The hooks for cuflow's own producers (op dispatch, data pipeline, compiler):

    if cf.profiler.active():
        t0 = cf.profiler.now_ns(); ...; cf.profiler.record_span("matmul", "op", t0,
                                                               cf.profiler.now_ns(), args)
"""
from . import experimental
from ._session import active, now_ns, record_counter, record_span, span

__all__ = ["active", "experimental", "now_ns", "record_counter", "record_span", "span"]

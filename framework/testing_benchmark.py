"""``cf.test.Benchmark``: TF's benchmark base class; ``report_benchmark`` prints the
entry as TF does (protobuf text of a BenchmarkEntries message)."""
from __future__ import annotations

import inspect
import numbers


def _num(v):
    """A double as protobuf's text format prints it (2.0 -> 2, 1e-05)."""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e16 else repr(f)


class Benchmark:
    """Subclass it with ``benchmark*`` methods that time something and call
    ``report_benchmark``.

    >>> import cuflow as cf
    >>> class B(cf.test.Benchmark):
    ...     def benchmark_add(self):
    ...         self.report_benchmark(iters=10, wall_time=0.5)
    >>> B().benchmark_add()
    entry {
      name: "B.benchmark_add"
      iters: 10
      wall_time: 0.5
    }
    <BLANKLINE>
    """

    @classmethod
    def is_abstract(cls):
        return len(cls.mro()) <= 2

    def _get_name(self, overwrite_name=None):
        """``Class.method`` of the calling benchmark* method."""
        for frame in inspect.stack()[1:]:
            f_self = frame.frame.f_locals.get("self")
            if f_self is self and frame.function.startswith("benchmark"):
                name = overwrite_name or frame.function
                return f"{type(self).__name__}.{name}"
        return f"{type(self).__name__}.{overwrite_name or 'benchmark'}"

    def evaluate(self, tensors):
        """Tensors (any nested structure) as NumPy values."""
        from .testing import TestCase
        return TestCase.evaluate(None, tensors)

    def report_benchmark(self, iters=None, cpu_time=None, wall_time=None, throughput=None,
                         extras=None, name=None, metrics=None):
        """Prints one benchmark entry (TF's BenchmarkEntries text format)."""
        lines = [f'  name: "{self._get_name(name)}"']
        if iters is not None:
            lines.append(f"  iters: {int(iters)}")
        for key, v in (("cpu_time", cpu_time), ("wall_time", wall_time),
                       ("throughput", throughput)):
            if v is not None:
                lines.append(f"  {key}: {_num(v)}")
        for k, v in (extras or {}).items():
            kind = "double_value" if isinstance(v, numbers.Number) else "string_value"
            shown = _num(v) if kind == "double_value" else f'"{v}"'
            lines += ["  extras {", f'    key: "{k}"', "    value {",
                      f"      {kind}: {shown}", "    }", "  }"]
        for m in metrics or []:
            lines += ["  metrics {", f'    name: "{m["name"]}"', f"    value: {_num(m['value'])}"]
            for bound in ("min_value", "max_value"):
                if m.get(bound) is not None:
                    lines.append(f"    {bound}: {_num(m[bound])}")
            lines.append("  }")
        print("entry {\n" + "\n".join(lines) + "\n}\n")

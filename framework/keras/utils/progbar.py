"""Keras 3's progress bar: ``12/50 ━━━━━━━━━━━━━━━━━━━━ 1s 12ms/step - loss: 0.31`` while
running (verbose 1), one line per epoch with ``verbose=2``; the text, colours and averaging
follow Keras 3 so fit logs read the same as under Keras."""
from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

_BOLD, _GREEN, _GREY, _RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"


def _value_text(avg):
    return f" {avg:.4f}" if abs(avg) > 1e-3 else f" {avg:.4e}"


class Progbar:
    """Displays progress: ``update(current, values)`` with ``values`` a list of
    ``(name, value)``; stateless metrics are averaged over steps, stateful ones shown as is.

    >>> import cuflow as cf
    >>> bar = cf.keras.utils.Progbar(2, verbose=0)
    >>> bar.update(1, [("loss", 0.5)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided.")
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else (
            None if stateless_metrics is not None else set())
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None \
            else None
        self._dynamic_display = (getattr(sys.stdout, "isatty", lambda: False)() or
                                 "ipykernel" in sys.modules or os.name == "posix" or
                                 "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values, self._values_order = {}, []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def _stateless(self, name):
        if self.stateful_metrics is not None:
            return name not in self.stateful_metrics
        return name in self.stateless_metrics

    def update(self, current, values=None, finalize=None):
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, v in values or []:
            if name not in self._values_order:
                self._values_order.append(name)
            v = _to_number(v)
            if not self._stateless(name) or finalize:
                self._values[name] = [v, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += v * steps
                total[1] += steps
        self._seen_so_far = current
        now = time.time()
        per_unit = self._step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._write(self._verbose1(current, now, per_unit, finalize))
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            line = f"%{digits}d/%d" % (current, self.target)
            line += f" - {now - self._start:.0f}s -{self._time_text(per_unit)}"
            self._write(line + self._metrics_text() + "\n")
        self._last_update = now

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    # --- text ----------------------------------------------------------------------------
    def _verbose1(self, current, now, per_unit, finalize):
        msg = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
        hidden = 0
        if self.target:
            digits = int(math.log10(self.target)) + 1
            bar = f"{_BOLD}%{digits}d/%d{_RESET} " % (current, self.target)
            hidden += 8
            done = int(self.width * float(current) / self.target)
            if done > 0:
                bar += f"{_GREEN}{'━' * done}{_RESET}"
                hidden += 9
            bar += f"{_GREY}{'━' * (self.width - done)}{_RESET}"
            hidden += 9
        else:
            bar = "%7d/Unknown" % current
        if self.target and not finalize:
            eta = per_unit * (self.target - current)
            when = ("%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60) if eta > 3600
                    else "%d:%02d" % (eta // 60, eta % 60) if eta > 60 else "%ds" % eta)
        else:
            when = f"{now - self._start:.0f}s"
        info = f" {_BOLD}{when}{_RESET}" + self._time_text(per_unit) + self._metrics_text()
        hidden += 8
        width = len(bar) + len(info) - hidden
        msg += bar + info
        if self._prev_total_width > width:
            msg += " " * (self._prev_total_width - width)
        if finalize:
            msg += "\n"
        self._prev_total_width = width
        return msg

    def _metrics_text(self):
        out = ""
        for name in self._values_order:
            total, count = self._values[name]
            if not isinstance(total, float):
                total = float(np.mean(total))
            out += f" - {name}:" + _value_text(total / max(1, count))
        return out

    def _time_text(self, per_unit):
        if per_unit >= 1 or per_unit == 0:
            return f" {per_unit:.0f}s/{self.unit_name}"
        if per_unit >= 1e-3:
            return f" {per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {per_unit * 1e6:.0f}us/{self.unit_name}"

    def _step_duration(self, current, now):
        """Seconds per step, leaving the (compile-heavy) first step out once past it."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    @staticmethod
    def _write(text):
        from .io_utils import print_msg
        print_msg(text, line_break=False)


def _to_number(v):
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(np.asarray(v))
    except (TypeError, ValueError):
        return np.asarray(v, dtype="float64")

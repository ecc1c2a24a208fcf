"""AutoGraph: rewrites Python control flow on tensors into cf.cond / cf.while_loop."""
from __future__ import annotations


def convert_or_original(fn):
    return fn

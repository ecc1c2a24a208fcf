"""``cf.summary.experimental``: the default step, raw protos and summary scopes."""
from .writer import get_step, set_step, summary_scope, write_raw_pb

__all__ = ["get_step", "set_step", "summary_scope", "write_raw_pb"]

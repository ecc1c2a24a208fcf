"""Every summary test starts and ends with no default writer, step, record_if or trace."""
import pytest
from cuflow.profiler import _session
from cuflow.summary import graph_ops as _graph
from cuflow.summary import writer as _writer


@pytest.fixture(autouse=True)
def _clean_summary_state():
    """Each test starts and ends with no default writer, step, record_if or trace."""
    yield
    _writer._state.writer = None
    _writer._state.step = None
    _writer._state.is_recording = None
    _writer._state.scopes.clear()
    _graph._trace = None
    if _session.active():  # also removes the dispatcher's op hook
        _session.stop_session(save_to=None)

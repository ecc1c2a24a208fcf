"""Every docstring example in cf.summary and cf.profiler runs (doctest)."""
import doctest
import importlib

import pytest

MODULES = ["cuflow.summary", "cuflow.summary.writer", "cuflow.summary.summary_ops",
           "cuflow.summary.graph_ops", "cuflow.summary._encode", "cuflow.summary._event_file",
           "cuflow.summary.keras_callback", "cuflow.profiler._session",
           "cuflow.profiler.experimental"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

"""Runs the examples in the public docstrings of every importable cuflow module."""
import doctest
import importlib
import pkgutil

import pytest

import cuflow

SKIP_PREFIXES = ("cuflow.keras.datasets",)


def _modules():
    names = ["cuflow"]
    for info in pkgutil.walk_packages(cuflow.__path__, "cuflow."):
        if not info.name.startswith(SKIP_PREFIXES):
            names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    try:
        module = importlib.import_module(name)
    except ImportError as e:  # optional dependency of that module missing
        pytest.skip(f"{name}: {e}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"

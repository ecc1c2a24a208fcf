"""cf.autograph.to_graph / set_verbosity / trace."""
import pytest

import cuflow as cf


def _double_if_positive(x):
    if x > 0:
        x = x * 2
    return x


def test_to_graph_converts_tensor_conditions():
    g = cf.autograph.to_graph(_double_if_positive)
    assert int(g(cf.constant(3))) == 6 and g(-1) == -1
    assert int(cf.function(g)(cf.constant(-4))) == -4
    with pytest.raises(cf.autograph.ConversionError):
        cf.autograph.to_graph(len)


def test_set_verbosity_logs_conversions(capsys):
    def grow(x):
        while x < 10:
            x = x + 3
        return x
    cf.autograph.set_verbosity(1, alsologtostdout=True)
    try:
        assert int(cf.function(grow)(cf.constant(1))) == 10
    finally:
        cf.autograph.set_verbosity(0)
    assert "Converted" in capsys.readouterr().out


def test_trace_prints_at_trace_time(capsys):
    @cf.function
    def f(x):
        cf.autograph.trace("x is", x)
        return x + 1
    f(cf.constant(1))
    f(cf.constant(2))
    out = capsys.readouterr().out
    assert out.count("x is") == 1

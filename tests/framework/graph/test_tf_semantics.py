"""cf.function against real TensorFlow: small programs from TF's tf.function guide.

Each ``tf_programs/NAME.py`` is a TF 2 program (``import tensorflow as tf``); its
``NAME.tf.out`` is what TensorFlow 2 printed running it (TF CPU, /work/tfenv). Here it runs
with ``tf`` bound to cuflow and must print the same: tracing counts (Python prints while
tracing), retracing rules for Python scalars, lists, dicts, namedtuples and objects,
variables created on the first call only, ``print`` ordering and formatting, side effects,
reduce_retracing, concrete functions with TensorSpecs and keyword arguments, structured
outputs, methods and Modules, TensorArray in loops, and AutoGraph loops with break /
continue and over datasets. Programs that TF stops with an error must stop with one here
too, after the same output.

Regenerate an expected output: ``/work/tfenv/bin/python NAME.py > NAME.tf.out``.
"""
from __future__ import annotations

import contextlib
import io
import pathlib
import warnings

import cuflow
import pytest

HERE = pathlib.Path(__file__).parent / "tf_programs"
PROGRAMS = sorted(p.stem for p in HERE.glob("*.py"))
# programs TF ends with an exception, and the one cuflow raises there
RAISES = {
    "variables_first_call": ValueError,        # a variable created on every trace
    "variables_in_module": ValueError,         # [2] * [3] after that (shape inference)
    "autograph_loops": ValueError,             # TF: NotImplementedError (return in loop)
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_prints_what_tensorflow_prints(name):
    source = (HERE / f"{name}.py").read_text()
    assert source.startswith("import tensorflow as tf")
    code = compile(source.replace("import tensorflow as tf", "import cuflow as tf", 1),
                   str(HERE / f"{name}.py"), "exec")
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if name in RAISES:
            with pytest.raises(RAISES[name]):
                exec(code, {"__name__": f"tf_program_{name}"})  # noqa: S102
        else:
            exec(code, {"__name__": f"tf_program_{name}"})  # noqa: S102
    assert out.getvalue() == (HERE / f"{name}.tf.out").read_text()

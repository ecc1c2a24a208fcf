"""cf.saved_model round trips: variables, traced functions, signatures, control flow, state."""
import json
import os

import cuflow as cf
import numpy as np
import pytest
from cuflow.export.saved_model import CONSTANTS_FILENAME, GRAPH_FILENAME


class Adder(cf.Module):
    def __init__(self):
        super().__init__()
        self.v = cf.Variable(2.0)
        self.sub = cf.Module()
        self.sub.w = cf.Variable([1.0, 2.0], trainable=False)
        self.count = cf.Variable(0, dtype=cf.int64)

    @cf.function(input_signature=[cf.TensorSpec([None], cf.float32)])
    def add(self, x):
        return {"out": x + self.v}

    @cf.function(input_signature=[cf.TensorSpec([None], cf.float32, name="inp"),
                                  cf.TensorSpec([], cf.int32)])
    def pair(self, x, n):
        return x * self.v, cf.cast(n, cf.float32)

    @cf.function(input_signature=[])
    def tick(self):
        self.count.assign_add(1)
        return self.count.read_value()

    @cf.function
    def mul(self, x, training=False):
        return x * (self.v * 2.0 if training else self.v)


@pytest.fixture
def saved(tmp_path):
    m = Adder()
    m.mul(cf.constant([1.0, 2.0]))
    m.mul(cf.constant([[1.0]]), training=True)
    path = str(tmp_path / "adder")
    cf.saved_model.save(m, path, signatures={"serving_default": m.add, "pair": m.pair,
                                             "tick": m.tick})
    return m, path


def test_layout_is_cuflow_format_not_tf_protobuf(saved):
    _, path = saved
    assert sorted(os.listdir(path)) == ["assets", CONSTANTS_FILENAME, GRAPH_FILENAME,
                                        "variables"]
    assert os.listdir(os.path.join(path, "variables")) == ["variables.cfckpt.npz"]
    assert cf.saved_model.contains_saved_model(path)
    assert not cf.saved_model.contains_saved_model(os.path.dirname(path))
    # the variables are a cf.train.Checkpoint: restorable by object path
    v = cf.Variable(0.0)
    cf.train.Checkpoint(v=v).restore(os.path.join(path, "variables", "variables"))
    assert v.numpy() == 2.0


def test_variables_and_nested_modules(saved):
    _, path = saved
    loaded = cf.saved_model.load(path)
    assert loaded.v.numpy() == 2.0
    assert loaded.sub.w.numpy().tolist() == [1.0, 2.0]
    assert not loaded.sub.w.trainable
    assert {v.name for v in loaded.variables} >= {"Variable:0"}
    assert len(loaded.variables) == 3
    assert sorted(v.numpy().tolist() for v in loaded.trainable_variables) == [0, 2.0]


def test_signatures_take_keywords_and_name_outputs_as_tf(saved):
    _, path = saved
    sigs = cf.saved_model.load(path).signatures
    assert sorted(sigs) == ["pair", "serving_default", "tick"]
    out = sigs["serving_default"](x=cf.constant([3.0]))
    assert list(out) == ["out"] and out["out"].numpy().tolist() == [5.0]
    pair = sigs["pair"]
    assert sorted(pair.structured_input_signature[1]) == ["inp", "n"]
    res = pair(inp=cf.constant([2.0]), n=cf.constant(3))
    assert sorted(res) == ["output_0", "output_1"]
    assert res["output_0"].numpy().tolist() == [4.0] and res["output_1"].numpy() == 3.0
    assert sigs["tick"]()["output_0"].numpy() == 1
    spec = sigs["serving_default"].structured_outputs["out"]
    assert spec.shape.as_list() == [None] and spec.dtype == cf.float32
    positional = sigs["serving_default"](cf.constant([1.0]))     # TF accepts it in order
    assert positional["out"].numpy().tolist() == [3.0]


def test_signature_errors(saved):
    _, path = saved
    sig = cf.saved_model.load(path).signatures["pair"]
    with pytest.raises(TypeError, match="missing required arguments: inp"):
        sig(x=cf.constant([2.0]), n=cf.constant(3))
    with pytest.raises(cf.errors.InvalidArgumentError):
        sig(inp=cf.constant([2], cf.int32), n=cf.constant(3))
    with pytest.raises(cf.errors.InvalidArgumentError):
        sig(inp=cf.constant([[2.0]]), n=cf.constant(3))


def test_functions_keep_all_traces_and_bind_like_tf(saved):
    m, path = saved
    loaded = cf.saved_model.load(path)
    x = cf.constant([1.0, 5.0])
    assert loaded.add(x)["out"].numpy().tolist() == [3.0, 7.0]
    assert loaded.mul(cf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 4.0]
    assert loaded.mul(cf.constant([1.0, 2.0]), training=False).numpy().tolist() == [2.0, 4.0]
    assert loaded.mul(cf.constant([[3.0]]), training=True).numpy().tolist() == [[12.0]]
    assert len(loaded.mul.concrete_functions) == 2
    with pytest.raises(ValueError, match="Could not find matching concrete function"):
        loaded.mul(cf.constant([[1.0]]))               # traced only with training=True
    with pytest.raises(TypeError, match="Binding inputs"):
        loaded.add(cf.constant([1], cf.int32))         # input_signature: TypeError as TF
    assert loaded.add([1.0, 2.0])["out"].numpy().tolist() == [3.0, 4.0]   # converted
    c = loaded.add.get_concrete_function(cf.TensorSpec([None], cf.float32))
    assert c.structured_input_signature[0][0].shape.as_list() == [None]
    assert c(cf.constant([0.0]))["out"].numpy().tolist() == [2.0]


def test_state_updates_persist_and_are_saved(saved, tmp_path):
    m, path = saved
    loaded = cf.saved_model.load(path)
    assert loaded.tick().numpy() == 1
    assert loaded.tick().numpy() == 2
    assert loaded.count.numpy() == 2
    assert m.count.numpy() == 0                       # the original is untouched
    again = str(tmp_path / "again")
    cf.saved_model.save(loaded, again)                # a loaded object saves again
    reloaded = cf.saved_model.load(again)
    assert reloaded.count.numpy() == 2
    assert reloaded.tick().numpy() == 3
    assert list(reloaded.signatures) == []            # as TF: not kept unless passed
    cf.saved_model.save(loaded, again, signatures=loaded.signatures)
    assert sorted(cf.saved_model.load(again).signatures) == ["pair", "serving_default",
                                                             "tick"]


class Flow(cf.Module):
    def __init__(self):
        super().__init__()
        self.w = cf.Variable([1.5, 2.0])
        self.calls = cf.Variable(0)

    @cf.function(input_signature=[cf.TensorSpec([3], cf.float32)])
    def f(self, x):
        if cf.reduce_sum(x) > 0:
            y = x * self.w[0]
        else:
            y = -x
        i = cf.constant(0)
        while i < 3:
            y = y + 1.0
            i += 1
        self.calls.assign_add(1)
        return y, self.calls.read_value()

    @cf.function(input_signature=[cf.TensorSpec([], cf.int32)])
    def total(self, k):
        s = cf.constant(0.0)
        for j in cf.range(k):
            s += cf.cast(j, cf.float32) * self.w[1]
        return s


def test_control_flow_round_trip(tmp_path):
    m = Flow()
    pos, neg = cf.constant([1.0, 2.0, 3.0]), cf.constant([-1.0, -2.0, 0.5])
    want = [m.f(pos)[0].numpy(), m.f(neg)[0].numpy(), m.total(cf.constant(4)).numpy()]
    cf.saved_model.save(m, str(tmp_path / "flow"))
    loaded = cf.saved_model.load(str(tmp_path / "flow"))
    assert loaded.calls.numpy() == 2
    got = [loaded.f(pos)[0].numpy(), loaded.f(neg)[0].numpy(),
           loaded.total(cf.constant(4)).numpy()]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w)
    assert loaded.calls.numpy() == 4
    with cf.GradientTape() as tape:
        out = loaded.total(cf.constant(3))
    assert tape.gradient(out, loaded.w).numpy().tolist() == [0.0, 3.0]
    with cf.GradientTape() as tape:
        out = cf.reduce_sum(loaded.f(pos)[0])
    np.testing.assert_allclose(tape.gradient(out, loaded.w).numpy(), [6.0, 0.0])


def test_gradient_through_cond_and_while_on_unknown_shapes(tmp_path):
    class Loop(cf.Module):
        def __init__(self):
            super().__init__()
            self.w = cf.Variable([1.5, 2.0])

        @cf.function(input_signature=[cf.TensorSpec([None], cf.float32)])
        def f(self, x):
            if cf.reduce_sum(x) > 0:
                y = x * self.w[0]
            else:
                y = -x
            i = cf.constant(0)
            while i < 2:
                y = y + 1.0
                i += 1
            return y
    m = Loop()
    cf.saved_model.save(m, str(tmp_path / "loop"))
    loaded = cf.saved_model.load(str(tmp_path / "loop"))
    for fn, w in ((m.f, m.w), (loaded.f, loaded.w)):
        with cf.GradientTape() as tape:
            out = cf.reduce_sum(fn(cf.constant([1.0, 2.0])))
        assert tape.gradient(out, w).numpy().tolist() == [3.0, 0.0]


def test_loaded_function_inside_a_new_cf_function(saved):
    _, path = saved
    loaded = cf.saved_model.load(path)

    @cf.function
    def g(x):
        loaded.tick()
        return loaded.add(x)["out"] * 2.0
    assert g(cf.constant([1.0])).numpy().tolist() == [6.0]
    assert g(cf.constant([2.0])).numpy().tolist() == [8.0]
    assert loaded.count.numpy() == 2                  # the assign ran in the new graph


def test_default_signature_rules(tmp_path):
    class One(cf.Module):
        def __init__(self):
            super().__init__()
            self.v = cf.Variable(1.0)

        @cf.function(input_signature=[cf.TensorSpec([2], cf.float32)])
        def __call__(self, x):
            return x + self.v
    cf.saved_model.save(One(), str(tmp_path / "one"))
    loaded = cf.saved_model.load(str(tmp_path / "one"))
    assert list(loaded.signatures) == ["serving_default"]
    assert loaded(cf.constant([1.0, 2.0])).numpy().tolist() == [2.0, 3.0]
    out = loaded.signatures["serving_default"](x=cf.constant([0.0, 0.0]))
    assert out["output_0"].numpy().tolist() == [1.0, 1.0]
    cf.saved_model.save(Adder(), str(tmp_path / "several"))     # several functions: none
    assert list(cf.saved_model.load(str(tmp_path / "several")).signatures) == []


def test_strings_and_options(tmp_path):
    class Words(cf.Module):
        @cf.function(input_signature=[cf.TensorSpec([None], cf.string)])
        def join(self, s):
            return cf.identity(s), cf.constant(["x", "yz"])
    w = Words()
    opts = cf.saved_model.SaveOptions(function_aliases={"joiner": w.join})
    cf.saved_model.save(w, str(tmp_path / "w"), options=opts)
    loaded = cf.saved_model.load(
        str(tmp_path / "w"),
        options=cf.saved_model.LoadOptions(experimental_load_function_aliases=True))
    same, const = loaded.join(cf.constant(["a", "b"]))
    assert same.numpy().tolist() == [b"a", b"b"] and const.numpy().tolist() == [b"x", b"yz"]
    assert list(loaded.function_aliases) == ["joiner"]
    m = Adder()
    cf.saved_model.save(m, str(tmp_path / "a"), signatures=m.add)
    skipped = cf.saved_model.load(
        str(tmp_path / "a"), options=cf.saved_model.LoadOptions(experimental_skip_checkpoint=True))
    assert skipped.v.numpy() == 0.0


def test_overwrite_is_atomic_per_file_and_leaves_no_temp(tmp_path):
    m = Adder()
    path = str(tmp_path / "m")
    cf.saved_model.save(m, path, signatures=m.add)
    m.v.assign(5.0)
    cf.saved_model.save(m, path, signatures=m.add)
    assert cf.saved_model.load(path).v.numpy() == 5.0
    assert sorted(os.listdir(tmp_path)) == ["m"]


def _edit_graph_file(path, fn):
    file = os.path.join(path, GRAPH_FILENAME)
    with open(file) as f:
        meta = json.load(f)
    fn(meta)
    with open(file, "w") as f:
        json.dump(meta, f)


def test_unknown_op_and_bad_attrs_are_refused(saved):
    _, path = saved

    def rename(meta):
        for c in meta["concretes"]:
            for n in c["graph"]["nodes"]:
                if n["op"] == "add":
                    n["op"] = "evil_exec"
    _edit_graph_file(path, rename)
    with pytest.raises(cf.errors.NotFoundError, match="Op type not registered 'evil_exec'"):
        cf.saved_model.load(path)


def test_unknown_attr_tag_is_refused(saved):
    _, path = saved

    def tag(meta):
        node = next(n for c in meta["concretes"] for n in c["graph"]["nodes"]
                    if n.get("attrs"))
        key = next(iter(node["attrs"]))
        node["attrs"][key] = {"t": "pickle", "v": "..."}
    _edit_graph_file(path, tag)
    with pytest.raises(ValueError, match="unknown value tag 'pickle'"):
        cf.saved_model.load(path)


def test_missing_directory_and_tf_directory(tmp_path):
    with pytest.raises(OSError, match="SavedModel file does not exist"):
        cf.saved_model.load(str(tmp_path / "nope"))
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(OSError, match="TensorFlow SavedModel"):
        cf.saved_model.load(str(tmp_path / "tf"))


def test_unsaveable_functions_fail_at_save_time(tmp_path):
    class Py(cf.Module):
        @cf.function(input_signature=[cf.TensorSpec([2], cf.float32)])
        def f(self, x):
            return cf.numpy_function(lambda a: a * 2, [x], cf.float32)
    with pytest.raises(ValueError, match="Python code"):
        cf.saved_model.save(Py(), str(tmp_path / "py"))
    assert not os.path.exists(tmp_path / "py")
    m = Adder()
    with pytest.raises(ValueError, match="no input_signature"):
        cf.saved_model.save(m, str(tmp_path / "x"), signatures=m.mul)


def test_nested_signature_names_and_namedtuple_outputs(tmp_path):
    import collections
    Pair = collections.namedtuple("Pair", ["lo", "hi"])

    class Nested(cf.Module):
        @cf.function(input_signature=[{"x": cf.TensorSpec([None], cf.float32),
                                       "y": cf.TensorSpec([None], cf.float32, name="why")}])
        def dict_in(self, feats):
            return {"sum": feats["x"] + feats["y"]}

        @cf.function(input_signature=[[cf.TensorSpec([2], cf.float32)] * 2])
        def list_in(self, xs):
            return Pair(xs[0], xs[1])
    m = Nested()
    cf.saved_model.save(m, str(tmp_path / "n"), signatures={"d": m.dict_in, "l": m.list_in})
    loaded = cf.saved_model.load(str(tmp_path / "n"))
    assert sorted(loaded.signatures["d"].structured_input_signature[1]) == ["feats", "why"]
    assert sorted(loaded.signatures["l"].structured_input_signature[1]) == ["xs", "xs_1"]
    out = loaded.list_in([cf.constant([1.0, 2.0]), cf.constant([3.0, 4.0])])
    assert type(out).__name__ == "Pair" and out.hi.numpy().tolist() == [3.0, 4.0]
    with pytest.raises(TypeError):
        loaded.dict_in({"x": cf.constant([1.0])})

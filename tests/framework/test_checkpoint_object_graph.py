"""Checkpoint object-graph rules and Variable naming checked against TF 2.21."""
import os

import pytest

import cuflow as cf


class _Net(cf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = cf.Variable(cf.ones([2]), name="w")
        self.step = cf.Variable(0, dtype=cf.int64, name="step")


def test_a_variable_reached_twice_is_saved_once_under_the_shortest_path(tmp_path):
    net = _Net(name="net")
    ckpt = cf.train.Checkpoint(model=net, step=net.step)
    net.step.assign(5)
    path = ckpt.save(str(tmp_path / "ck"))
    names = [n for n, _ in cf.train.list_variables(path)]
    assert names == ["_CHECKPOINTABLE_OBJECT_GRAPH", "model/w/.ATTRIBUTES/VARIABLE_VALUE",
                     "save_counter/.ATTRIBUTES/VARIABLE_VALUE",
                     "step/.ATTRIBUTES/VARIABLE_VALUE"]
    other = _Net()          # restored through the other edge (model/step)
    cf.train.Checkpoint(model=other).restore(path)
    assert int(other.step) == 5
    written = cf.train.Checkpoint(model=_Net()).write(str(tmp_path / "w"))
    assert "save_counter/.ATTRIBUTES/VARIABLE_VALUE" not in dict(
        cf.train.list_variables(written))          # TF makes save_counter on save() only
    state = cf.train.get_checkpoint_state(str(tmp_path))
    assert os.path.basename(state.model_checkpoint_path) == "ck-1"
    assert cf.train.get_checkpoint_state(str(tmp_path / "none")) is None


def test_restore_none_asserts_fail():
    status = cf.train.Checkpoint(v=cf.Variable(1.0)).restore(None)
    with pytest.raises(AssertionError, match="No checkpoint specified"):
        status.assert_consumed()


def test_variable_names_follow_name_scopes_and_enums():
    assert _Net(name="net").w.name == "net/w:0"
    with cf.name_scope("outer"):
        v = cf.Variable(1.0, name="in")
    assert v.name == "outer/in:0"
    assert v.aggregation is cf.VariableAggregation.NONE
    assert v.synchronization is cf.VariableSynchronization.AUTO
    assert cf.Variable(1.0, aggregation="sum").aggregation is cf.VariableAggregation.SUM

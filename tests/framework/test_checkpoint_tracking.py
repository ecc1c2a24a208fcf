"""tf.train.Checkpoint attribute tracking and delayed restoration, as the "Training
checkpoints" guide uses them (lists, dicts, nested Checkpoints, values restored when the
object appears later)."""
import os

import cuflow as cf


def test_attribute_lists_and_dicts_are_tracked(tmp_path):
    save = cf.train.Checkpoint()
    save.listed = [cf.Variable(1.0)]
    save.listed.append(cf.Variable(2.0))
    save.mapped = {"one": save.listed[0]}
    save.mapped["two"] = save.listed[1]
    path = save.save(os.path.join(tmp_path, "c"))
    keys = sorted(n for n, _ in cf.train.list_variables(path))
    assert "listed/0/.ATTRIBUTES/VARIABLE_VALUE" in keys
    assert "listed/1/.ATTRIBUTES/VARIABLE_VALUE" in keys
    restore = cf.train.Checkpoint()
    v2 = cf.Variable(0.0)
    restore.mapped = {"two": v2}
    restore.restore(path)
    assert float(v2) == 2.0                      # through the object graph's other edge
    restore.listed = []
    assert repr(restore.listed) == "ListWrapper([])"
    v1 = cf.Variable(0.0)
    restore.listed.append(v1)                    # delayed restoration on append
    assert float(v1) == 1.0


def test_nested_checkpoints_and_later_attributes(tmp_path):
    model = cf.train.Checkpoint(layer=cf.train.Checkpoint(bias=cf.Variable([1.0, 2.0]),
                                                          kernel=cf.Variable([[3.0]])))
    path = cf.train.Checkpoint(net=model).write(os.path.join(tmp_path, "n"))
    bias = cf.Variable([0.0, 0.0])
    fake_layer = cf.train.Checkpoint(bias=bias)
    root = cf.train.Checkpoint(net=cf.train.Checkpoint(layer=fake_layer))
    status = root.restore(path)
    assert bias.numpy().tolist() == [1.0, 2.0]
    status.assert_existing_objects_matched()
    kernel = cf.Variable([[0.0]])
    fake_layer.kernel = kernel                   # created after the restore
    assert kernel.numpy().tolist() == [[3.0]]

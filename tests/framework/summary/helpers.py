"""Read event files back with TensorBoard's own EventAccumulator."""
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.util import tensor_util


def load(logdir):
    """An EventAccumulator over ``logdir`` keeping every event (size guidance 0 = all)."""
    acc = event_accumulator.EventAccumulator(
        str(logdir), size_guidance={k: 0 for k in event_accumulator.DEFAULT_SIZE_GUIDANCE})
    acc.Reload()
    return acc


def values(acc, tag):
    """[(step, ndarray)] of a tensor summary tag."""
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def plugin(acc, tag):
    return acc.SummaryMetadata(tag).plugin_data.plugin_name

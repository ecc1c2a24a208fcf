"""IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
against Keras 3.15 on TensorFlow 2.21.

EXPECTED holds what this snippet printed in /work/tfenv (same CASES and _update):

    import keras
    for cls, kw, batches in CASES:
        m = getattr(keras.metrics, cls)(**kw)
        for yt, yp, sw in batches:
            _update(m, yt, yp, sw)
        v = np.asarray(m.result())
        print((v.dtype.name, np.round(v.astype("float64"), 7).tolist()))
"""

import cuflow as cf
import numpy as np
import pytest

from .metric_cases import assert_matches_keras

r = np.random.default_rng(7)
T4 = r.integers(0, 4, 50).tolist()
P4 = r.integers(0, 4, 50).tolist()
W4 = np.round(r.random(50) * 3, 1).tolist()
OH_T = np.eye(3)[r.integers(0, 3, 20)].tolist()
OH_P = np.round(r.random((20, 3)), 2).tolist()
SEG_T = r.integers(0, 3, (2, 4, 4)).tolist()
SEG_P = r.integers(0, 3, (2, 4, 4)).tolist()
CASES = [
    ("IoU", {"num_classes": 2, "target_class_ids": [0]}, [([0, 0, 1, 1], [0, 1, 0, 1], None)]),
    ("IoU", {"num_classes": 4, "target_class_ids": [1, 3]}, [(T4, P4, None)]),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2], "dtype": "float32"}, [(T4, P4, W4)]),
    (
        "IoU",
        {"num_classes": 4, "target_class_ids": [0, 1, 2], "ignore_class": 1},
        [(T4, P4, None), (T4[:9], P4[:9], None)],
    ),
    (
        "IoU",
        {"num_classes": 3, "target_class_ids": [0, 1, 2]},
        [([0, 1, 5, -1, 2], [0, 3, 1, 1, 2], None)],
    ),
    ("MeanIoU", {"num_classes": 4}, [(T4, P4, None)]),
    ("MeanIoU", {"num_classes": 4}, [(T4, P4, np.round(W4).astype(int).tolist())]),
    ("MeanIoU", {"num_classes": 3}, [(SEG_T, SEG_P, None)]),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 0}, [(SEG_T, SEG_P, None)]),
    ("MeanIoU", {"num_classes": 5}, [([0, 1], [0, 1], None)]),
    ("MeanIoU", {"num_classes": 3}, [([], [], None)]),
    (
        "MeanIoU",
        {"num_classes": 3, "sparse_y_true": False},
        [(OH_T, [int(np.argmax(p)) for p in OH_P], None)],
    ),
    (
        "MeanIoU",
        {"num_classes": 3, "sparse_y_pred": False},
        [([int(np.argmax(t)) for t in OH_T], OH_P, None)],
    ),
    ("MeanIoU", {"num_classes": 3}, [([0, 1, 2, 2], [0.6, 1.7, 2.2, 1.99], None)]),
    ("BinaryIoU", {}, [([0, 1, 0, 1, 1, 0], [0.1, 0.2, 0.4, 0.7, 0.5, 0.5], None)]),
    (
        "BinaryIoU",
        {"target_class_ids": [0, 1], "threshold": 0.3},
        [([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7], None)],
    ),
    (
        "BinaryIoU",
        {"target_class_ids": [1], "threshold": 0.5},
        [([0, 1, 0, 1, 1, 0], [0.1, 0.2, 0.4, 0.7, 0.5, 0.5], [1, 2, 3, 1, 1, 2])],
    ),
    (
        "BinaryIoU",
        {"target_class_ids": [0]},
        [([[0.0], [1.0], [0.7]], [[0.6], [0.9], [0.1]], None)],
    ),
    (
        "OneHotIoU",
        {"num_classes": 3, "target_class_ids": [0, 2]},
        [
            (
                [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]],
                None,
            )
        ],
    ),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}, [(OH_T, OH_P, None)]),
    (
        "OneHotIoU",
        {"num_classes": 3, "target_class_ids": [0, 1], "sparse_y_pred": True},
        [(OH_T, [int(np.argmax(p)) for p in OH_P], None)],
    ),
    (
        "OneHotMeanIoU",
        {"num_classes": 3},
        [
            (
                [[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]],
                None,
            )
        ],
    ),
    (
        "OneHotMeanIoU",
        {"num_classes": 3, "ignore_class": 2},
        [(OH_T, OH_P, np.arange(20).tolist())],
    ),
    (
        "OneHotMeanIoU",
        {"num_classes": 3},
        [(OH_T[:10], OH_P[:10], None), (OH_T[10:], OH_P[10:], None)],
    ),
]


def _update(m, yt, yp, sw):
    yp = np.array(yp)
    m.update_state(
        np.array(yt),
        yp.astype("float32") if yp.dtype.kind == "f" else yp,
        sample_weight=None if sw is None else np.array(sw),
    )


EXPECTED = [  # (result dtype, value) per case, printed by Keras 3.15 on TF 2.21
    ("float32", 0.3333333),
    ("float32", 0.13),
    ("float32", 0.1412202),
    ("float32", 0.1132376),
    ("float32", 0.9999999),
    ("float32", 0.1357237),
    ("float32", 0.1291948),
    ("float32", 0.1822345),
    ("float32", 0.1592593),
    ("float32", 0.9999999),
    ("float32", 0.0),
    ("float32", 0.1102564),
    ("float32", 0.1102564),
    ("float32", 0.6666666),
    ("float32", 0.5),
    ("float32", 0.3333333),
    ("float32", 0.3333333),
    ("float32", 0.4999999),
    ("float32", 0.1666667),
    ("float32", 0.1),
    ("float32", 0.0884615),
    ("float32", 0.1111111),
    ("float32", 0.009009),
    ("float32", 0.1102564),
]


@pytest.mark.parametrize(
    "case,expected", list(zip(CASES, EXPECTED)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_keras(case, expected):
    assert_matches_keras(case, expected, _update)


@pytest.fixture(autouse=True)
def _fresh_names():
    """Metrics built without a name take Keras's counted names (precision, precision_1...)."""
    cf.keras.backend.clear_session()


# get_config / variables / errors / reset / weights, as printed by Keras 3.15
CONFIGS = [
    (
        ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}),
        {
            "name": "io_u",
            "dtype": "int64",
            "num_classes": 3,
            "target_class_ids": [0, 2],
            "ignore_class": None,
            "sparse_y_true": True,
            "sparse_y_pred": True,
            "axis": -1,
        },
    ),
    (
        (
            "IoU",
            {
                "num_classes": 3,
                "target_class_ids": (1,),
                "name": "x",
                "ignore_class": 0,
                "sparse_y_true": False,
                "sparse_y_pred": False,
            },
        ),
        {
            "name": "x",
            "dtype": "int64",
            "num_classes": 3,
            "target_class_ids": [1],
            "ignore_class": 0,
            "sparse_y_true": False,
            "sparse_y_pred": False,
            "axis": -1,
        },
    ),
    (
        ("BinaryIoU", {}),
        {"target_class_ids": [0, 1], "threshold": 0.5, "name": "binary_io_u", "dtype": "int64"},
    ),
    (
        ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3, "dtype": "float32"}),
        {"target_class_ids": [1], "threshold": 0.3, "name": "binary_io_u", "dtype": "float32"},
    ),
    (
        ("MeanIoU", {"num_classes": 4, "ignore_class": 255}),
        {
            "num_classes": 4,
            "name": "mean_io_u",
            "dtype": "int64",
            "ignore_class": 255,
            "sparse_y_true": True,
            "sparse_y_pred": True,
            "axis": -1,
        },
    ),
    (
        ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}),
        {
            "num_classes": 3,
            "target_class_ids": [1],
            "name": "one_hot_io_u",
            "dtype": "int64",
            "ignore_class": None,
            "sparse_y_pred": False,
            "axis": -1,
        },
    ),
    (
        ("OneHotMeanIoU", {"num_classes": 3, "sparse_y_pred": True}),
        {
            "num_classes": 3,
            "name": "one_hot_mean_io_u",
            "dtype": "int64",
            "ignore_class": None,
            "sparse_y_pred": True,
            "axis": -1,
        },
    ),
]


@pytest.mark.parametrize("args,config", CONFIGS, ids=[c[0][0] for c in CONFIGS])
def test_config_variables_and_round_trip(args, config):
    cls = getattr(cf.keras.metrics, args[0])
    m = cls(**args[1])
    assert m.get_config() == config and m._direction == "up"
    (v,) = m.variables
    n = config.get("num_classes", 2)
    assert v.name.split(":")[0] == "total_confusion_matrix" and tuple(v.shape) == (n, n)
    assert v.dtype.name == config["dtype"]
    assert cls.from_config(config).get_config() == config
    assert cf.keras.metrics.get({"class_name": args[0], "config": config}).get_config() == config


def test_errors_as_keras():
    with pytest.raises(
        ValueError,
        match=r"Target class id 3 is out of range, which is "
        r"\[0, 3\).",
    ):
        cf.keras.metrics.IoU(3, [0, 3])
    with pytest.raises(cf.errors.InvalidArgumentError):  # Keras: Incompatible shapes
        cf.keras.metrics.MeanIoU(3).update_state([0, 1, 2], [0, 1])


def test_float_weights_truncate_with_a_warning_and_reset():
    m = cf.keras.metrics.MeanIoU(3)
    with pytest.warns(UserWarning, match="You are passing weight as `float`, but dtype is `int`"):
        m.update_state([0, 1, 2], [0, 1, 1], sample_weight=np.array([0.5, 1.5, 2.0]))
    assert m.total_cm.numpy().tolist() == [[0, 0, 0], [0, 1, 0], [0, 2, 0]]
    assert float(m.result()) == pytest.approx(0.16666667, abs=1e-7)
    m.reset_state()
    assert m.total_cm.numpy().tolist() == [[0] * 3] * 3 and float(m.result()) == 0.0
    m = cf.keras.metrics.MeanIoU(3, dtype="float32")
    m.update_state(
        np.array([0, 1, 2]), np.array([0, 1, 1]), sample_weight=np.array([0.5, 1.5, 2.0])
    )
    assert m.total_cm.numpy().tolist() == [[0.5, 0, 0], [0, 1.5, 0], [0, 2.0, 0]]
    assert float(m.result()) == pytest.approx(0.47619042, abs=1e-7)


def test_two_dimensional_weights_are_flattened():
    m = cf.keras.metrics.MeanIoU(3)
    m.update_state(
        np.array([[0, 1], [2, 2]]),
        np.array([[0, 1], [1, 2]]),
        sample_weight=np.array([[1, 2], [3, 4]]),
    )
    assert m.total_cm.numpy().tolist() == [[1, 0, 0], [0, 2, 0], [0, 3, 4]]
    assert float(m.result()) == pytest.approx(0.6571428, abs=1e-7)


def test_string_aliases():
    M = cf.keras.metrics
    assert type(M.get("binary_io_u")) is M.BinaryIoU
    for name in ("io_u", "mean_io_u", "one_hot_io_u", "one_hot_mean_io_u"):
        with pytest.raises(TypeError):  # known to Keras, but num_classes is required
            M.get(name)
    with pytest.raises(ValueError):
        M.get("mean_iou")  # not a Keras name

"""keras.utils.bounding_boxes (framework/keras/utils/bounding_boxes.py).

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15); the
/work/apis1-progs/bounding_boxes.py program compares every format pair with TF."""
import itertools

import numpy as np
import pytest

import cuflow as cf

B = cf.keras.utils.bounding_boxes
BOXES = np.array([[10.0, 20.0, 30.0, 60.0], [5.0, 5.0, 15.0, 12.0], [-1.0, -1.0, -1.0, -1.0]])
ANCHORS = np.array([[10.0, 10.0, 30.0, 40.0], [0.0, 0.0, 8.0, 8.0]])
GT = np.array([[12.0, 8.0, 33.0, 44.0], [1.0, 2.0, 7.0, 9.0]])


def test_convert_format_values_and_round_trips():
    out = B.convert_format(BOXES, "xywh", "center_yxhw")
    np.testing.assert_allclose(out, [[50, 25, 60, 30], [11, 12.5, 12, 15],  # TF 2.21
                                     [-1.5, -1.5, -1, -1]])
    out = B.convert_format(BOXES, "center_yxhw", "rel_center_xywh", height=80, width=40)
    np.testing.assert_allclose(out, [[0.5, 0.125, 1.5, 0.375], [0.125, 0.0625, 0.3, 0.1875],
                                     [-0.025, -0.0125, -0.025, -0.0125]], rtol=1e-6)
    for a, b in itertools.permutations(B.SUPPORTED_FORMATS, 2):
        there = B.convert_format(BOXES, a, b, height=80, width=40)
        back = B.convert_format(there, b, a, height=80, width=40)
        np.testing.assert_allclose(back, BOXES, rtol=1e-5, atol=1e-5)
    assert B.convert_format(BOXES, "xyxy", "yxyx", dtype="float64").dtype == cf.float64
    out = B.convert_format({"boxes": BOXES, "labels": [1, 2, 3]}, "xyxy", "xywh")
    assert out["boxes"].numpy()[0].tolist() == [10, 20, 20, 40]
    with pytest.raises(ValueError, match="Invalid source or target"):
        B.convert_format(BOXES, "xyxy", "abc")
    with pytest.raises(ValueError, match="must receive `height` and `width`"):
        B.convert_format(BOXES, "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="last dimension of 4"):
        B.convert_format(BOXES[:, :3], "xyxy", "yxyx")


def test_clip_affine_crop_pad():
    bb = {"boxes": np.array([[[-5.0, 2.0, 50.0, 90.0], [45.0, 85.0, 60.0, 95.0]]]),
          "labels": np.array([[1, 2]])}
    out = B.clip_to_image_size(bb, height=80, width=40)
    assert out["boxes"].numpy().tolist() == [[[0, 2, 40, 80], [40, 80, 40, 80]]]  # TF 2.21
    assert out["labels"].numpy().tolist() == [[1, -1]]
    with pytest.raises(ValueError, match="must be set"):
        B.clip_to_image_size(bb)
    bx = np.array([[[10.0, 20.0, 30.0, 60.0], [0.0, 0.0, 5.0, 5.0]]], "float32")
    f = lambda v: np.array([v], "float32")  # noqa: E731
    out = B.affine_transform(bx, f(30.0), f(0.1), f(-0.2), f(1.2), f(5.0), f(0.0), 80, 40)
    np.testing.assert_allclose(out, [[[-11.0032, -5.8248, 38.4681, 47.7444],  # TF 2.21
                                      [-35.7388, -11.6094, -26.8256, -3.4133]]], atol=2e-4)
    assert B.crop(bx, 15, 5, 30, 20).numpy().tolist() == [[[5, 5, 20, 30], [0, 0, 0, 0]]]
    assert B.pad(bx, 3, 4).numpy().tolist() == [[[14, 23, 34, 63], [4, 3, 9, 8]]]


def test_delta_encoding():
    d = B.encode_box_to_deltas(ANCHORS, GT, "xyxy", "xyxy", variance=[0.1, 0.1, 0.2, 0.2])
    np.testing.assert_allclose(d, [[0.3333, 1.25, 0.9116, 0.244],  # TF 2.21
                                   [1.875, 0.0, -0.6677, -1.4384]], atol=1e-4)
    for enc in ["center_yxhw", "center_xywh"]:
        d = B.encode_box_to_deltas(ANCHORS, GT, "xyxy", "xyxy", encoding_format=enc)
        np.testing.assert_allclose(B.decode_deltas_to_boxes(ANCHORS, d, "xyxy", "xyxy",
                                                            encoded_format=enc), GT, rtol=1e-5)
    with pytest.raises(ValueError, match="length 4"):
        B.encode_box_to_deltas(ANCHORS, GT, "xyxy", "xyxy", variance=[1, 2])


def test_iou_and_ciou():
    out = B.compute_iou(BOXES, ANCHORS, "xyxy", use_masking=True, mask_val=-5)
    np.testing.assert_allclose(out, [[0.4, 0.0], [0.0152, 0.072], [-5, -5]], atol=1e-4)  # TF
    batched = B.compute_iou(np.stack([ANCHORS, GT]), np.stack([GT, GT]), "xyxy")
    assert batched.shape == (2, 2, 2)
    np.testing.assert_allclose(batched[1], B.compute_iou(GT, GT, "xyxy"))
    np.testing.assert_allclose(np.diag(B.compute_iou(GT, GT, "xyxy").numpy()), 1.0, rtol=1e-6)
    np.testing.assert_allclose(B.compute_ciou(ANCHORS, GT, "xyxy"), [0.6578, 0.4988],
                               atol=1e-4)  # TF 2.21
    with pytest.raises(ValueError, match="image_shape"):
        B.compute_iou(ANCHORS / 40, GT / 40, "rel_xyxy")
    with pytest.raises(ValueError, match="batched"):
        B.compute_iou(ANCHORS[0], GT, "xyxy")

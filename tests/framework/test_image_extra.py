"""sample_distorted_bounding_box against TF 2.21's boxes for the same seeds, and its
contract (the crop covers enough of a box, stays inside the image)."""
import numpy as np
import pytest

import cuflow as cf

BOXES = [[[0.1, 0.2, 0.5, 0.9], [0.3, 0.3, 0.8, 0.6]]]


def test_stateful_stream_matches_tf_call_after_call():
    want = [([10, 11, 0], [26, 34, -1]), ([6, 21, 0], [27, 36, -1]),
            ([13, 13, 0], [22, 21, -1])]
    cf.random.set_seed(None)     # op seeds then pair with TF's default graph seed
    for begin, size in want:
        b, s, box = cf.image.sample_distorted_bounding_box([40, 60, 3], BOXES, seed=7,
                                                           min_object_covered=0.3)
        assert (b.numpy().tolist(), s.numpy().tolist()) == (begin, size)
        assert box.dtype == cf.float32 and box.shape == [1, 1, 4]


def test_stateless_matches_tf_and_is_repeatable():
    for _ in range(2):
        b, s, box = cf.image.stateless_sample_distorted_bounding_box(
            [40, 60, 3], BOXES, seed=[5, 9], min_object_covered=0.3,
            aspect_ratio_range=[0.5, 2.0], area_range=[0.1, 0.5])
        assert (b.numpy().tolist(), s.numpy().tolist()) == ([0, 5, 0], [20, 32, -1])
        np.testing.assert_allclose(box.numpy(), [[[0.0, 5 / 60, 0.5, 37 / 60]]], rtol=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_crop_contract(seed):
    b, s, _ = cf.image.stateless_sample_distorted_bounding_box(
        [50, 70, 3], BOXES, seed=[seed, 1], min_object_covered=0.5)
    (y, x, _), (h, w, _) = b.numpy(), s.numpy()
    assert 0 <= y and y + h <= 50 and 0 <= x and x + w <= 70 and h > 0 and w > 0
    covered = []
    for by0, bx0, by1, bx1 in BOXES[0]:
        r = (int(by0 * 50), int(bx0 * 70), int(by1 * 50), int(bx1 * 70))
        inter = max(min(y + h, r[2]) - max(y, r[0]), 0) * max(min(x + w, r[3]) - max(x, r[1]),
                                                             0)
        covered.append(inter / ((r[2] - r[0]) * (r[3] - r[1])))
    assert max(covered) >= 0.5 or (h, w) == (50, 70)      # else: the whole image


def test_no_boxes_needs_the_flag():
    with pytest.raises(cf.errors.InvalidArgumentError, match="No bounding boxes"):
        cf.image.stateless_sample_distorted_bounding_box([30, 20, 1], np.zeros([1, 0, 4]),
                                                         seed=[3, 4])
    b, s, _ = cf.image.stateless_sample_distorted_bounding_box(
        [30, 20, 1], np.zeros([1, 0, 4]), seed=[3, 4], use_image_if_no_bounding_boxes=True)
    assert s.numpy()[2] == -1

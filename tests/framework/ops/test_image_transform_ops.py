"""image_projective_transform against outputs recorded from TF 2.21's
``tf.raw_ops.ImageProjectiveTransformV3`` (fixtures/tf_image_projective_transform.npz:
two 5x7x2 images, six rotation/scale/shift/perspective transforms, every interpolation x
fill mode, fill_value 3.5)."""
import itertools
import os

import numpy as np
import pytest

from cuflow.ops.image_transform_ops import image_projective_transform_v3 as project

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures",
                       "tf_image_projective_transform.npz")


@pytest.mark.parametrize("interp,mode", list(itertools.product(
    ["NEAREST", "BILINEAR"], ["REFLECT", "WRAP", "CONSTANT", "NEAREST"])))
def test_matches_recorded_tf(interp, mode):
    d = np.load(FIXTURE)
    for j in range(0, 6, 2):
        shape = [6, 4] if j == 2 else [5, 7]
        got = project(d["img"], d["ts"][j:j + 2], shape, 3.5, interp, mode).numpy()
        np.testing.assert_allclose(got, d[f"{interp}_{mode}_{j}"], atol=1e-3)


def test_identity_and_single_transform_broadcast():
    img = np.arange(24, dtype="float32").reshape(2, 3, 4, 1)
    same = project(img, [[1, 0, 0, 0, 1, 0, 0, 0]], [3, 4]).numpy()
    np.testing.assert_array_equal(same, img)
    flip = project(img, [[-1, 0, 3, 0, 1, 0, 0, 0]], [3, 4], interpolation="NEAREST").numpy()
    np.testing.assert_array_equal(flip, img[:, :, ::-1])
    u8 = project(img.astype("uint8"), [[1, 0, 0.5, 0, 1, 0, 0, 0]], [3, 4],
                 fill_mode="NEAREST")
    assert u8.dtype.name == "uint8"

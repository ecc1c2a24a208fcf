"""cf.keras.applications behaviour without TensorFlow: construction arguments, weights
handling, training / fine-tuning, preprocess_input and decode_predictions."""
import json
import os
import subprocess
import sys

import cuflow as cf
import numpy as np
import pytest

A = None


def setup_module():
    global A
    A = cf.keras.applications


def test_import_cuflow_does_not_load_applications():
    code = ("import sys, cuflow; assert 'cuflow.keras.applications' not in sys.modules; "
            "assert cuflow.keras; assert 'cuflow.keras.applications.resnet' not in sys.modules; "
            "cuflow.keras.applications.ResNet50; "
            "assert 'cuflow.keras.applications.resnet' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_namespace_modules_and_dir():
    assert A.resnet50.ResNet50 is A.ResNet50
    assert A.vgg16.VGG16 is A.VGG16
    assert A.mobilenet_v2.MobileNetV2 is A.MobileNetV2
    assert "EfficientNetB7" in dir(A) and "densenet" in dir(A)
    with pytest.raises(AttributeError):
        getattr(A, "NoSuchNet")  # noqa: B009


@pytest.mark.parametrize("pooling, shape", [(None, (None, 2, 2, 1280)), ("avg", (None, 1280)),
                                            ("max", (None, 1280))])
def test_pooling(pooling, shape):
    m = A.MobileNetV2(weights=None, include_top=False, input_shape=(64, 64, 3), pooling=pooling)
    assert m.output_shape == shape


def test_dynamic_spatial_input_and_input_tensor():
    m = A.ResNet50(weights=None, include_top=False)
    assert m.output_shape == (None, None, None, 2048)
    assert m(np.zeros((1, 64, 96, 3), "float32")).shape == (1, 2, 3, 2048)
    inp = cf.keras.Input((48, 48, 3))
    m = A.MobileNetV2(weights=None, include_top=False, input_tensor=inp)
    assert m.inputs[0] is inp and m.output_shape == (None, 2, 2, 1280)


def test_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="weights"):
        A.VGG16(weights="no/such/file.h5")
    with pytest.raises(ValueError, match="classes"):
        A.ResNet50(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="input_shape"):
        A.ResNet50(weights="imagenet", input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="at least 75x75"):
        A.InceptionV3(weights=None, include_top=False, input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="static"):
        A.DenseNet121(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="alpha"):
        A.MobileNetV2(weights="imagenet", alpha=0.6)
    with pytest.raises(ValueError, match="activations are allowed"):
        A.MobileNetV2(weights="imagenet", classifier_activation="relu", alpha=0.35,
                      input_shape=(96, 96, 3))


def test_imagenet_weights_missing_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as e:
        A.MobileNetV2(weights="imagenet", include_top=False, input_shape=(96, 96, 3))
    msg = str(e.value)
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5" in msg
    assert str(tmp_path / "models") in msg and "downloads are off" in msg


def test_weights_from_path_and_from_the_keras_cache(tmp_path, monkeypatch):
    src = A.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3), alpha=0.35)
    path = str(tmp_path / "w.weights.h5")
    src.save_weights(path)
    m = A.MobileNetV2(weights=path, include_top=False, input_shape=(96, 96, 3), alpha=0.35)
    for a, b in zip(src.weights, m.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # weights="imagenet" hands the cached file to model.load_weights (which reads Keras's
    # legacy .h5 files once the Keras-format loader is in)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    os.makedirs(tmp_path / "models")
    cached = (tmp_path / "models" /
              "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5")
    cached.write_bytes(b"")
    seen = []
    monkeypatch.setattr(cf.keras.Model, "load_weights", lambda self, p, **kw: seen.append(p))
    A.MobileNetV2(weights="imagenet", include_top=False, input_shape=(96, 96, 3), alpha=0.35)
    assert seen == [str(cached)]


def _loss_and_grads(model, x, y):
    with cf.GradientTape() as tape:
        out = model(x, training=True)
        loss = cf.reduce_mean(cf.keras.losses.sparse_categorical_crossentropy(y, out))
    return loss, tape.gradient(loss, model.trainable_weights)


@pytest.mark.parametrize("fn, kwargs", [
    pytest.param("ResNet50", {"input_shape": (32, 32, 3), "classes": 5},
                 marks=pytest.mark.slow),
    ("MobileNetV2", {"input_shape": (32, 32, 3), "classes": 5, "alpha": 0.35}),
    ("EfficientNetB0", {"input_shape": (32, 32, 3), "classes": 5}),
])
def test_forward_backward(fn, kwargs):
    model = getattr(A, fn)(weights=None, **kwargs)
    x = np.random.default_rng(0).uniform(0, 1, (2, 32, 32, 3)).astype("float32")
    loss, grads = _loss_and_grads(model, x, np.array([1, 3]))
    assert np.isfinite(loss.numpy())
    assert len(grads) == len(model.trainable_weights)
    assert all(g is not None and g.shape == w.shape
               for g, w in zip(grads, model.trainable_weights))
    assert model(x).shape == (2, 5)
    np.testing.assert_allclose(model(x).numpy().sum(axis=1), 1.0, rtol=1e-5)


def test_fine_tuning_frozen_base_keeps_weights_and_batchnorm_statistics():
    base = A.MobileNetV2(weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35)
    base.trainable = False
    inputs = cf.keras.Input((32, 32, 3))
    x = base(inputs, training=False)
    x = cf.keras.layers.GlobalAveragePooling2D()(x)
    outputs = cf.keras.layers.Dense(3)(x)
    model = cf.keras.Model(inputs, outputs)
    assert len(model.trainable_weights) == 2
    before = [w.numpy().copy() for w in base.weights]
    model.compile(optimizer="adam",
                  loss=cf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    model.fit(x, rng.integers(0, 3, 8), epochs=1, batch_size=4, verbose=0)
    for a, b in zip(before, base.weights):
        np.testing.assert_array_equal(a, b.numpy())
    # a frozen BatchNormalization runs in inference mode even when called with training=True
    np.testing.assert_allclose(base(x[:2], training=True).numpy(),
                               base(x[:2], training=False).numpy(), rtol=1e-5, atol=1e-6)


def test_training_updates_batchnorm_statistics():
    model = A.ResNet50(weights=None, input_shape=(32, 32, 3), classes=4)
    bn = model.get_layer("conv1_bn")
    mean = bn.moving_mean.numpy().copy()
    x = np.random.default_rng(2).uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.train_on_batch(x, np.array([0, 1, 2, 3]))
    assert not np.allclose(mean, bn.moving_mean.numpy())


def test_preprocess_input_modes():
    rng = np.random.default_rng(3)
    img = rng.uniform(0, 255, (2, 4, 4, 3)).astype("float32")
    caffe = A.resnet50.preprocess_input(img.copy())
    np.testing.assert_allclose(caffe, img[..., ::-1] - [103.939, 116.779, 123.68], rtol=1e-6)
    t = A.vgg16.preprocess_input(cf.constant(img))
    np.testing.assert_allclose(t.numpy(), caffe, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(A.mobilenet_v2.preprocess_input(img.copy()), img / 127.5 - 1,
                               rtol=1e-6)
    torch = (img / 255.0 - [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]
    np.testing.assert_allclose(A.densenet.preprocess_input(img.copy()), torch, rtol=1e-5)
    np.testing.assert_allclose(A.densenet.preprocess_input(cf.constant(img)).numpy(), torch,
                               rtol=1e-5)
    first = A.imagenet_utils.preprocess_input(img.transpose(0, 3, 1, 2).copy(),
                                              data_format="channels_first")
    np.testing.assert_allclose(first, caffe.transpose(0, 3, 1, 2), rtol=1e-6)
    ints = A.resnet.preprocess_input(np.full((1, 1, 1, 3), 200, np.uint8))
    assert ints.dtype == np.float32
    assert A.efficientnet.preprocess_input(img) is img
    with pytest.raises(ValueError, match="mode"):
        A.imagenet_utils.preprocess_input(img, mode="bgr")


def test_decode_predictions(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(A.imagenet_utils, "CLASS_INDEX", None)
    preds = np.zeros((2, 1000), "float32")
    preds[0, [5, 7]] = [0.7, 0.2]
    preds[1, 999] = 1.0
    with pytest.raises(FileNotFoundError, match="imagenet_class_index.json"):
        A.resnet50.decode_predictions(preds)
    os.makedirs(tmp_path / "models")
    with open(tmp_path / "models" / "imagenet_class_index.json", "w") as f:
        json.dump({str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}, f)
    out = A.resnet50.decode_predictions(cf.constant(preds), top=2)
    assert [r[:2] for r in out[0]] == [("n00000005", "class5"), ("n00000007", "class7")]
    assert out[1][0][1] == "class999" and len(out[1]) == 2
    with pytest.raises(ValueError, match="shape"):
        A.resnet50.decode_predictions(np.zeros((2, 10)))


def test_missing_keras_files_are_downloaded_from_keras_urls(http_server, monkeypatch):
    base, root, requests = http_server
    with open(root / "imagenet_class_index.json", "w") as f:
        json.dump({str(i): [f"n{i:08d}", f"class{i}"] for i in range(1000)}, f)
    monkeypatch.setattr(A.imagenet_utils, "CLASS_INDEX", None)
    monkeypatch.setattr(A.imagenet_utils, "_ORIGINS", (("imagenet_class_index", base),))
    preds = np.zeros((1, 1000), "float32")
    preds[0, 3] = 1.0
    assert A.resnet50.decode_predictions(preds, top=1)[0][0][1] == "class3"
    assert requests == ["/imagenet_class_index.json"]
    assert os.path.exists(os.path.join(os.environ["KERAS_HOME"], "models",
                                       "imagenet_class_index.json"))

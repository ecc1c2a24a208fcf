"""keras.utils.PyDataset in fit/evaluate/predict (numbers from Keras 3.15 on TF 2.21)."""
import random

import numpy as np
import pytest

import cuflow as cf

k = cf.keras
rng = np.random.default_rng(0)
X = rng.random((96, 4)).astype("float32")
Y = rng.integers(0, 2, 96).astype("float32")


class Seq(k.utils.PyDataset):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.epochs_begun = self.epochs_ended = 0

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return X[i * 16:(i + 1) * 16], Y[i * 16:(i + 1) * 16]

    def on_epoch_begin(self):
        self.epochs_begun += 1

    def on_epoch_end(self):
        self.epochs_ended += 1


def _model():
    m = k.Sequential([k.Input((4,)), k.layers.Dense(1, activation="sigmoid")])
    m.set_weights([np.full((4, 1), 0.1, "float32"), np.zeros(1, "float32")])
    m.compile(optimizer=k.optimizers.SGD(0.5), loss="binary_crossentropy")
    return m


def _gen():
    for i in range(0, 96, 16):
        yield X[i:i + 16], Y[i:i + 16]


@pytest.mark.parametrize("workers", [1, 3])
def test_fit_on_a_py_dataset_matches_keras(workers):
    m = _model()
    np.testing.assert_allclose(m.fit(_gen(), epochs=1, verbose=0).history["loss"],
                               [0.69317], atol=1e-5)
    seq = Seq(workers=workers, max_queue_size=2)
    h = m.fit(seq, epochs=2, verbose=0, shuffle=False)
    np.testing.assert_allclose(h.history["loss"], [0.69283, 0.69225], atol=1e-5)
    # TF 2.21: fit's EpochIterator.reset() adds an on_epoch_end before the first epoch
    assert (seq.epochs_begun, seq.epochs_ended) == (2, 3)
    assert float(m.evaluate(Seq(), verbose=0)) == pytest.approx(0.6809, abs=1e-4)
    assert m.predict(Seq(), verbose=0).shape == (96, 1)


def test_shuffle_changes_the_batch_order_only():
    seen = []

    class Recording(Seq):
        def __getitem__(self, i):
            seen.append(i)
            return super().__getitem__(i)
    random.seed(3)  # Keras shuffles PyDataset batches with Python's random
    _model().fit(Recording(), epochs=1, verbose=0)  # shuffle=True by default, as Keras
    probe, epoch = seen[:2], seen[2:]  # Keras-TF first reads 2 batches for the tf.data spec
    assert probe == [0, 1]
    assert sorted(epoch) == list(range(6)) and epoch != list(range(6))
    assert k.utils.Sequence is k.utils.PyDataset

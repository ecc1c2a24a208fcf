"""TF 2's top-level aliases of Keras namespaces (tf.initializers in the "Time series
forecasting" tutorial), loaded lazily."""
import subprocess
import sys

import cuflow as cf


def test_aliases_are_keras_modules():
    assert cf.initializers.zeros()([2]).numpy().tolist() == [0.0, 0.0]
    assert cf.optimizers.Adam is cf.keras.optimizers.Adam
    assert cf.losses.MeanSquaredError is cf.keras.losses.MeanSquaredError
    assert cf.metrics.Mean is cf.keras.metrics.Mean


def test_aliases_do_not_load_keras_at_import():
    code = "import sys, cuflow; print('cuflow.keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"

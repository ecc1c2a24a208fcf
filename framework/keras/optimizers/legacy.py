"""``tf.keras.optimizers.legacy``: as in TF 2.21 (Keras 3), the names exist but building one
raises Keras's ImportError pointing to the ``tf_keras`` package.

    >>> import cuflow as cf
    >>> try:
    ...     cf.keras.optimizers.legacy.Adam()
    ... except ImportError as e:
    ...     print(str(e)[:50])
    `keras.optimizers.legacy` is not supported in Kera
"""


class LegacyOptimizerWarning:
    """Stands for every ``keras.optimizers.legacy`` class; instantiating it raises."""

    def __init__(self, *args, **kwargs):
        raise ImportError(
            "`keras.optimizers.legacy` is not supported in Keras 3. When using `tf.keras`, to "
            "continue using a `tf.keras.optimizers.legacy` optimizer, you can install the "
            "`tf_keras` package (Keras 2) and set the environment variable "
            "`TF_USE_LEGACY_KERAS=True` to configure TensorFlow to use `tf_keras` when "
            "accessing `tf.keras`.")


Adagrad = Adam = Ftrl = Optimizer = RMSprop = SGD = LegacyOptimizerWarning

"""``keras.legacy.saving``: Keras 2's ``serialize_keras_object`` /
``deserialize_keras_object`` (the same functions as ``keras.utils.legacy``)."""
from ..utils.legacy import deserialize_keras_object, serialize_keras_object  # noqa: F401

"""``keras.applications.resnet50``: the ResNet50 module alias."""
from .resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401

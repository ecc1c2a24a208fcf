"""``keras.applications.resnet_v2``: ResNet50V2/101V2/152V2 (inputs scaled to [-1, 1])."""
from . import imagenet_utils as iu
from .resnet import ResNet50V2, ResNet101V2, ResNet152V2  # noqa: F401

preprocess_input, decode_predictions = iu.family("tf")

"""cf.keras.layers."""
from .base import Layer
from .core import Activation, Dense, Dropout, Flatten, InputLayer, Lambda, Reshape
from .symbolic import Input, KerasTensor

__all__ = ["Layer", "Activation", "Dense", "Dropout", "Flatten", "InputLayer", "Lambda",
           "Reshape", "Input", "KerasTensor"]

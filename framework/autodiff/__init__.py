"""Automatic differentiation: GradientTape, custom gradients, jacobians."""
from .custom_gradient import custom_gradient, recompute_grad
from .tape import GradientTape, UnconnectedGradients

__all__ = ["GradientTape", "UnconnectedGradients", "custom_gradient", "recompute_grad"]

"""``cf.nn``: activations, softmax, losses, normalization, convolution, pooling, dropout."""
from .ops.math_ops import sigmoid, tanh  # noqa: F401
from .ops.nn_ops import (batch_normalization, bias_add, compute_average_loss,  # noqa: F401
                         crelu, elu, embedding_lookup, fused_batch_norm, gelu, l2_loss,
                         l2_normalize, leaky_relu, log_poisson_loss, log_softmax,
                         log_sigmoid, moments, normalize_moments, relu, relu6,
                         scale_regularization_loss, selu, sigmoid_cross_entropy_with_logits,
                         silu, softmax, softmax_cross_entropy_with_logits, softplus,
                         softsign, sparse_softmax_cross_entropy_with_logits, swish,
                         weighted_cross_entropy_with_logits, weighted_moments, zero_fraction)
from .ops.nn_ops import dropout  # noqa: F401
from .ops.conv_ops import (conv1d, conv2d, conv2d_backprop_filter,  # noqa: F401
                           conv2d_backprop_input, conv2d_transpose, convolution,
                           depthwise_conv2d, separable_conv2d)
from .ops.pool_ops import (avg_pool, avg_pool1d, avg_pool2d, max_pool, max_pool1d,  # noqa: F401
                           max_pool2d, pool)

"""Reference NumPy implementation of backpropagation for the course.

This package is the one source of truth for the math that the notebooks teach and the graders
check. Every function follows one convention:

* A batch is rows. ``X`` has shape ``(m, n_in)``: ``m`` examples, ``n_in`` features each.
* A dense layer has ``W`` of shape ``(n_in, n_out)`` and ``b`` of shape ``(n_out,)``.
  Its pre-activation is ``Z = X @ W + b`` and its activation ``A = g(Z)``, both ``(m, n_out)``.
* Activation derivatives take the pre-activation ``z``. Where a formula uses the activation
  instead (sigmoid: ``a * (1 - a)``), the function name says so.
* Losses are means over the batch. The 1/m appears exactly once, in the output delta, so that
  every delta is the true derivative of the loss: ``delta_l = dL/dZ_l``.
* The four steps of backpropagation, each a separate function:

  1. forward  ``Z_l = A_{l-1} @ W_l + b_l``, ``A_l = g_l(Z_l)``      (:mod:`reference.forward`)
  2. deltas   ``delta_L = dL/dA_L * g'(Z_L)``,
     ``delta_l = (delta_{l+1} @ W_{l+1}.T) * g'(Z_l)``               (:mod:`reference.deltas`)
  3. weight gradients ``dW_l = A_{l-1}.T @ delta_l``,
     ``db_l = delta_l.sum(axis=0)``                                   (:mod:`reference.gradients`)
  4. updates  ``W <- W - lr * dW`` and friends                        (:mod:`reference.updates`)

Everything is float64; no function modifies its inputs unless its docstring says it updates them.
"""

from reference.activations import (
    ACTIVATIONS,
    Activation,
    get_activation,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    make_leaky_relu,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    sigmoid_grad_from_activation,
    softmax,
    softmax_backward,
    tanh,
    tanh_grad,
)
from reference.chain_rule import (
    add_backward,
    graph_forward_backward,
    mean_backward,
    multiply_backward,
    sigmoid_backward,
    square_backward,
)
from reference.datasets import digits, one_hot, xor
from reference.deltas import hidden_delta, output_delta
from reference.diagnostics import (
    SIGMOID_GRAD_MAX,
    dead_fractions,
    dead_unit_fraction,
    deep_gradient_norms,
    gradient_cost_ratio,
    gradient_norms,
    parameter_count,
    sigmoid_grad_bound,
)
from reference.forward import (
    LayerCache,
    dense_forward,
    forward_layers,
    network_forward,
    network_loss,
)
from reference.gradcheck import (
    check_network_gradients,
    numerical_gradient,
    relative_error,
)
from reference.gradients import (
    Gradients,
    backward,
    backward_layers,
    dense_gradients,
    network_deltas,
    network_gradients,
)
from reference.losses import (
    LOSSES,
    Loss,
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    binary_cross_entropy_from_logits_grad,
    binary_cross_entropy_grad,
    categorical_cross_entropy,
    categorical_cross_entropy_from_logits,
    categorical_cross_entropy_from_logits_grad,
    categorical_cross_entropy_grad,
    get_loss,
    mean_squared_error,
    mean_squared_error_grad,
    sigmoid_bce_output_delta,
    softmax_cce_output_delta,
)
from reference.network import Network, init_network
from reference.training import History, accuracy, iterate_minibatches, predict, train
from reference.two_layer import linear_backward, two_layer_step
from reference.updates import (
    SGD,
    Adam,
    Momentum,
    adam_step,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    momentum_step,
    sgd_step,
)

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "SGD",
    "SIGMOID_GRAD_MAX",
    "Activation",
    "Adam",
    "Gradients",
    "History",
    "LayerCache",
    "Loss",
    "Momentum",
    "Network",
    "accuracy",
    "adam_step",
    "add_backward",
    "backward",
    "backward_layers",
    "binary_cross_entropy",
    "binary_cross_entropy_from_logits",
    "binary_cross_entropy_from_logits_grad",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy",
    "categorical_cross_entropy_from_logits",
    "categorical_cross_entropy_from_logits_grad",
    "categorical_cross_entropy_grad",
    "check_network_gradients",
    "clip_by_global_norm",
    "clip_by_value",
    "dead_fractions",
    "dead_unit_fraction",
    "deep_gradient_norms",
    "dense_forward",
    "dense_gradients",
    "digits",
    "forward_layers",
    "get_activation",
    "get_loss",
    "global_norm",
    "gradient_cost_ratio",
    "gradient_norms",
    "graph_forward_backward",
    "hidden_delta",
    "identity",
    "identity_grad",
    "init_network",
    "iterate_minibatches",
    "leaky_relu",
    "leaky_relu_grad",
    "linear_backward",
    "make_leaky_relu",
    "mean_backward",
    "mean_squared_error",
    "mean_squared_error_grad",
    "momentum_step",
    "multiply_backward",
    "network_deltas",
    "network_forward",
    "network_gradients",
    "network_loss",
    "numerical_gradient",
    "one_hot",
    "output_delta",
    "parameter_count",
    "predict",
    "relative_error",
    "relu",
    "relu_grad",
    "sgd_step",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_bce_output_delta",
    "sigmoid_grad",
    "sigmoid_grad_bound",
    "sigmoid_grad_from_activation",
    "softmax",
    "softmax_backward",
    "softmax_cce_output_delta",
    "square_backward",
    "tanh",
    "tanh_grad",
    "train",
    "two_layer_step",
    "xor",
]

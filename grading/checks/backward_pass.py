"""Hidden graders of the backward pass of ``ps2_backward/backward.ipynb``: one layer's
gradients and a whole network's.

``dense_gradients(A_prev, delta)`` takes a layer's input ``(m, n_in)`` and its delta
``(m, n_out)`` and returns ``dW`` ``(n_in, n_out)`` and ``db`` ``(n_out,)``;
``network_backward(delta_L, weights, caches, hidden_grads)`` returns one ``dW`` and one ``db``
per layer, in layer order. Cases: batches of one to seven, square and non-square layers, depths
1 to 4 with a different activation per layer. A wrong answer is named by the runner, from the
catalogued mistakes of :mod:`grading.mistakes.backward_pass`; a reversed list of gradients is said
as such by :func:`grading.compare.expect_list`.

A slip costs once (:mod:`grading.carry_forward`): ``network_backward`` calls the student's
``dense_gradients`` and ``hidden_delta``, as the notebook asks (declared with
:func:`~grading.dependencies.uses_helpers`), so a wrong helper costs its own points only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

import reference
from grading import variant
from grading.calls import call_student, unpack_pair
from grading.cases import random_layers
from grading.compare import assert_close, expect_list, tolerances
from grading.dependencies import Helper, uses_helpers
from grading.registry import register


def _dense_gradient_cases(dense_gradients: Callable[..., Any],
                          ) -> Iterator[tuple[str, Any, Any, np.ndarray, np.ndarray,
                                              dict[str, float]]]:
    """(case, student dW, student db, reference dW, reference db, tolerances) for batches of
    1 to 7 and non-square layers. The tolerances follow the precision of the whole result (dW
    and db alike)."""
    exercise = "dense_gradients"
    for seed, (m, n_in, n_out) in enumerate(((5, 3, 3), (4, 3, 2), (7, 2, 5), (1, 4, 3))):
        rng = variant.rng(seed)
        A_prev, delta = rng.normal(size=(m, n_in)), rng.normal(size=(m, n_out))
        case = f"A_prev {A_prev.shape}, delta {delta.shape}, seed {seed}"
        result = call_student(exercise, case, dense_gradients, (A_prev, delta), "A_prev delta",
                              "dW = A_prev.T (n_in, m) @ delta (m, n_out) has the shape of W.")
        dW, db = unpack_pair(exercise, case, result, "(dW, db)")
        yield case, dW, db, *reference.dense_gradients(A_prev, delta), tolerances(result)


@register("backward.dense_gradients", part="dW = A_prev.T @ delta", weight=1)
def check_dense_gradients_dW(dense_gradients: Callable[..., Any]) -> None:
    """dW of shape (n_in, n_out) for every case."""
    for case, dW, _, right_dW, _, tolerance in _dense_gradient_cases(dense_gradients):
        assert_close("dense_gradients", f"{case} (in dW)", dW, right_dW, **tolerance)


@register("backward.dense_gradients", part="db = delta summed over the batch", weight=1)
def check_dense_gradients_db(dense_gradients: Callable[..., Any]) -> None:
    """db of shape (n_out,) for every case."""
    for case, _, db, _, right_db, tolerance in _dense_gradient_cases(dense_gradients):
        assert_close("dense_gradients", f"{case} (in db)", db, right_db, **tolerance)


def layer_delta(delta_next: Any, W_next: Any, Z: Any, g_grad: Callable[[Any], Any]) -> Any:
    """The notebook's hidden_delta, for a derivative function ``g_grad`` (the reference's
    takes an activation's name): ``(m, n_next) @ (n_next, n_l)``, times ``g_grad(Z)``, gives
    ``(m, n_l)``."""
    return (np.asarray(delta_next) @ np.asarray(W_next).T) * g_grad(Z)


@uses_helpers("backward.network_backward",
              Helper("dense_gradients", "backward.dense_gradients", reference.dense_gradients),
              Helper("hidden_delta", "backward.hidden_delta", layer_delta))
def network_backward_through(dense_gradients: Callable[..., Any],
                             hidden_delta: Callable[..., Any]) -> Callable[..., Any]:
    """The notebook's network_backward: from the last layer to the first, the student's
    dense_gradients for each layer and hidden_delta for the layer before it."""

    def network_backward(delta_L: Any, weights: Any, caches: Any, hidden_grads: Any) -> Any:
        L = len(weights)
        dWs, dbs = [None] * L, [None] * L
        delta = delta_L
        for layer in range(L - 1, -1, -1):
            A_prev, _, _ = caches[layer]
            dWs[layer], dbs[layer] = dense_gradients(A_prev, delta)
            if layer > 0:
                delta = hidden_delta(delta, weights[layer], caches[layer - 1][1],
                                     hidden_grads[layer - 1])
        return dWs, dbs

    return network_backward


#: (layer sizes, hidden activation names, batch size) of the networks to differentiate.
BACKWARD_NETWORKS = (((3, 4, 2), ("sigmoid",), 5), ((2, 3), (), 4),
                     ((4, 6, 5, 3), ("tanh", "relu"), 6),
                     ((5, 3, 4, 2, 2), ("leaky_relu", "sigmoid", "tanh"), 1))


def _network_backward_cases(network_backward: Callable[..., Any],
                            ) -> Iterator[tuple[str, Any, Any, list[np.ndarray],
                                                list[np.ndarray], dict[str, float]]]:
    """(case, student dWs, student dbs, reference dWs, reference dbs, tolerances) for depths
    1 to 4 with a different activation per layer; fails if an input was changed. The
    tolerances follow the precision of the whole result (every dW and db alike)."""
    exercise = "network_backward"
    for seed, (sizes, hidden, m) in enumerate(BACKWARD_NETWORKS):
        rng = variant.rng(seed)
        weights, biases = random_layers(rng, sizes)
        _, caches = reference.forward_layers(rng.normal(size=(m, sizes[0])), weights, biases,
                                              (*hidden, "identity"))
        caches = [tuple(cache) for cache in caches]  # plain tuples, as the notebook's forward
        delta_L = rng.normal(size=(m, sizes[-1]))
        case = f"layer sizes {sizes}, hidden activations {list(hidden)}, batch of {m}, seed {seed}"
        hidden_grads = [reference.get_activation(name).grad for name in hidden]
        result = call_student(exercise, case, network_backward,
                              (delta_L, weights, caches, hidden_grads),
                              "delta_L weights caches hidden_grads",
                              "Layer l's delta has the shape of its Z, (m, n_l).")
        dWs, dbs = unpack_pair(exercise, case, result, "(dWs, dbs)")
        yield (case, dWs, dbs, *reference.backward_layers(delta_L, weights, caches, hidden),
               tolerances(result))


@register("backward.network_backward", part="dWs, one per layer", weight=1)
def check_network_backward_dWs(network_backward: Callable[..., Any]) -> None:
    """Every layer's dW, in layer order; weights and caches left as they were."""
    for case, dWs, _, right_dWs, _, tolerance in _network_backward_cases(network_backward):
        expect_list("network_backward", case, dWs, right_dWs, "dWs", **tolerance)


@register("backward.network_backward", part="dbs, one per layer", weight=1)
def check_network_backward_dbs(network_backward: Callable[..., Any]) -> None:
    """Every layer's db, in layer order."""
    for case, _, dbs, _, right_dbs, tolerance in _network_backward_cases(network_backward):
        expect_list("network_backward", case, dbs, right_dbs, "dbs", **tolerance)

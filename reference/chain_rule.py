"""The chain rule on a computational graph, before any matrix: scalar nodes and their backward.

Every node of a graph computes one value from its inputs. Going backward, a node receives the
*upstream* gradient ``dL/d(output)`` and sends to each input its local derivative times that
upstream gradient (the chain rule). A value used by several nodes receives one gradient from
each, and they add.

The node functions work elementwise on floats or arrays of any shape (``mean_backward`` excepted:
it spreads one number over its input's shape). :func:`graph_forward_backward` is the small graph
of problem set 2's first exercise, one sigmoid unit on two samples::

    u_i = w * x_i      (multiply)        i = 1, 2
    z_i = u_i + b      (add)
    a_i = sigmoid(z_i) (sigmoid)
    e_i = a_i - y_i    (add, with -y_i)
    s_i = e_i ** 2     (square)
    L = (s_1 + s_2) / 2   (mean; no factor 1/2 on the squares in this graph)

``w`` and ``b`` each feed two nodes, so ``dw`` and ``db`` are sums of two paths.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from reference.activations import sigmoid

Array = np.ndarray

#: The keys of :func:`graph_forward_backward`'s result: forward values, then gradients.
GRAPH_VALUES = ("z1", "a1", "s1", "z2", "a2", "s2", "L")
GRAPH_GRADIENTS = ("ds1", "da1", "dz1", "ds2", "da2", "dz2", "dw", "db")


def add_backward(upstream: ArrayLike) -> tuple[Array, Array]:
    """Backward of ``out = p + q``: both local derivatives are 1, so both inputs get ``upstream``.

    upstream: ``dL/d(out)``, a float or an array of any shape. Returns ``(dp, dq)``, each a
    float array of ``upstream``'s shape.
    """
    upstream = np.asarray(upstream, dtype=float)
    return upstream.copy(), upstream.copy()


def multiply_backward(p: ArrayLike, q: ArrayLike, upstream: ArrayLike) -> tuple[Array, Array]:
    """Backward of ``out = p * q``: ``d out/dp = q`` and ``d out/dq = p``, times ``upstream``.

    p, q, upstream: floats or arrays of one shape. Returns ``(dp, dq)`` of that shape.
    """
    upstream = np.asarray(upstream, dtype=float)
    return upstream * np.asarray(q, dtype=float), upstream * np.asarray(p, dtype=float)


def square_backward(x: ArrayLike, upstream: ArrayLike) -> Array:
    """Backward of ``out = x ** 2``: ``2 * x * upstream``. x, upstream: one shape; returns it."""
    return 2.0 * np.asarray(x, dtype=float) * np.asarray(upstream, dtype=float)


def sigmoid_backward(z: ArrayLike, upstream: ArrayLike) -> Array:
    """Backward of ``out = sigmoid(z)``: ``sigmoid(z) * (1 - sigmoid(z)) * upstream``.

    z (the node's input, a pre-activation), upstream: one shape; returns it. Stable for
    ``|z|`` up to 1e3 (the local derivative is then 0, not nan).
    """
    s = sigmoid(z)
    return s * (1.0 - s) * np.asarray(upstream, dtype=float)


def mean_backward(values: ArrayLike, upstream: ArrayLike) -> Array:
    """Backward of ``out = mean(values)`` over all ``n`` entries: each entry gets ``upstream / n``.

    values: array of any shape (the node's input); upstream: a float. Returns a float array of
    ``values``' shape, every entry ``upstream / values.size``.
    """
    values = np.asarray(values, dtype=float)
    return np.full(values.shape, float(upstream) / values.size)


def graph_forward_backward(w: float, b: float, x: ArrayLike, y: ArrayLike) -> dict[str, float]:
    """Every value and gradient of the two-sample graph in this module's docstring.

    w, b: floats; x, y: the two samples' inputs and targets, each of shape ``(2,)``. Returns a
    dict of floats with the keys :data:`GRAPH_VALUES` (forward) and :data:`GRAPH_GRADIENTS`
    (``dL/d`` of each node, ``dw`` and ``db`` summed over the two paths).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    out: dict[str, Any] = {}
    z = w * x + b
    a = sigmoid(z)
    s = (a - y) ** 2
    ds = mean_backward(s, 1.0)                  # dL/ds_i = 1/2
    da = square_backward(a - y, ds)             # e_i = a_i - y_i passes it on unchanged
    dz = sigmoid_backward(z, da)
    dw = np.sum(multiply_backward(w, x, dz)[0])  # w feeds both samples: the two paths add
    db = np.sum(dz)
    for i in range(2):
        n = str(i + 1)
        out |= {"z" + n: z[i], "a" + n: a[i], "s" + n: s[i],
                "ds" + n: ds[i], "da" + n: da[i], "dz" + n: dz[i]}
    out |= {"L": np.mean(s), "dw": dw, "db": db}
    return {key: float(out[key]) for key in (*GRAPH_VALUES, *GRAPH_GRADIENTS)}

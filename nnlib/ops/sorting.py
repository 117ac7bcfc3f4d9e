"""Sorting along a dimension: sort and topk return (values, indices), like torch.

The values are a selection of x's elements, so the backward puts each output gradient back at the
place its element came from (every element is picked at most once), and zero elsewhere.
"""
import numbers
from collections import namedtuple

import numpy as np

from ..autograd import differentiable
from ..tensor import Tensor, make_result
from ._common import as_operand, dim_or_axis, normalize_dim

sort_result = namedtuple("sort_result", ["values", "indices"])
topk_result = namedtuple("topk_result", ["values", "indices"])


def _stable_order(data, axis, descending):
    """Indices that sort `data` along `axis`, equal elements keeping their order; NaN counts as the largest."""
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    # sort the reversed array ascending and reverse the result: descending, yet ties stay in their original order
    reversed_order = np.argsort(np.flip(data, axis), axis=axis, kind="stable")
    return data.shape[axis] - 1 - np.flip(reversed_order, axis)


def _pick(x, data, indices, axis, name):
    """The elements of `data` (x's data, at least 1-D) at `indices` along axis, as a graph node, and the indices."""
    values = np.take_along_axis(data, indices, axis=axis)

    def backward(g):
        grad = np.zeros_like(data)
        np.put_along_axis(grad, indices, g.reshape(indices.shape), axis=axis)
        return (grad.reshape(x.shape),)
    shape = () if x.ndim == 0 and values.size == 1 else values.shape  # a 0-d input gives 0-d results, as torch
    return make_result(values.reshape(shape), (x,), backward, name, saved=()), Tensor._wrap(indices.reshape(shape).copy())  # a copy: backward keeps `indices`


@differentiable
def sort(x, dim=-1, descending=False, stable=False, *, axis=None):
    """(values, indices) with values = x sorted along dim and x.gather(dim, indices) = values;
    dL/dx = dL/dvalues put back at `indices`.

    The sort is always stable (equal elements keep their order), whatever `stable` says; NaN sorts
    as the largest value, as in torch.
    """
    x = as_operand(x)
    d = normalize_dim(dim_or_axis(dim, axis, "sort", default=-1), x.ndim, "sort")
    data = x.data.reshape(x.shape or (1,))  # a 0-d tensor sorts as one element
    values, indices = _pick(x, data, _stable_order(data, d, descending).astype(np.int64), d, "sort")
    return sort_result(values, indices)


@differentiable
def topk(x, k, dim=-1, largest=True, sorted=True, *, axis=None):
    """The k largest (largest=False: smallest) elements along dim, as (values, indices), largest first;
    dL/dx = dL/dvalues put back at `indices`, zero for the elements not picked.

    The values always come sorted (sorted=False is allowed, and gives the same order). Among equal
    values the one with the lower index is picked first; torch may pick another of the equal ones.
    """
    x = as_operand(x)
    d = normalize_dim(dim_or_axis(dim, axis, "topk", default=-1), x.ndim, "topk")
    data = x.data.reshape(x.shape or (1,))
    size = data.shape[d]
    if not isinstance(k, numbers.Integral) or not 0 <= k <= size:
        raise ValueError(f"topk: k={k!r} is out of range for dimension {d} of size {size} of the input of shape "
                         f"{x.shape}; k must be an integer from 0 to {size}")
    order = _stable_order(data, d, descending=largest)
    values, indices = _pick(x, data, np.take(order, np.arange(k), axis=d).astype(np.int64), d, "topk")
    return topk_result(values, indices)

"""Every op nnlib can differentiate, one idea per file. Each op is one function: its forward and its
backward sit side by side, the formula is in its docstring, and its rows in tests/op_table.py drive its
gradient check and its PyTorch parity tests (that test file fails while an op has no row, or is missing
from the map below).

The map: a row per file, with the idea the file holds, then (indented) its ops. Ops marked * are not
differentiable (no backward, as in torch); ops marked + are composed of the other ops, so the graph of
those is their backward. The helpers the files share are in the private _common.py (and _erf.py).

elementwise.py    arithmetic per element; binary ops broadcast, and their backward sums back (unbroadcast)
    add sub mul div pow neg abs sign exp expm1 log log1p sqrt square sin cos clamp maximum minimum to_dtype
comparison.py     comparisons, which give boolean tensors (a step function has no useful gradient)
    eq* ne* lt* le* gt* ge*
activations.py    activation functions and the softmax family, finite for inputs like +-1e4
    relu leaky_relu sigmoid tanh gelu silu softmax log_softmax logsumexp
reductions.py     reductions over dim (None = all) with keepdim, and a running sum
    sum mean var std prod norm max min argmax* argmin* cumsum
shape.py          moving values without changing them: the backward moves the gradient back
    reshape transpose permute squeeze unsqueeze flatten expand repeat clone
indexing.py       x[index] and x[index] = v: the backward adds the gradient back at the indexed places
    getitem index_put
selection.py      choosing elements by an index tensor or a mask
    gather scatter scatter_add masked_fill tril triu one_hot*
sorting.py        sorting along a dimension, values with their indices
    sort topk
join.py           combining tensors or choosing between them, and the inverses (slices of the whole)
    cat stack pad where split+ chunk+ unbind+
linalg.py         matrix products (batched and 1-D operands, numpy.matmul's rules), outer products, einsum
    matmul linear outer einsum mm+ bmm+ dot+
conv.py           sliding windows over (H, W) by im2col and col2im; adaptive pooling by two matrix products
    conv2d max_pool2d avg_pool2d adaptive_avg_pool2d
embedding.py      rows of a table picked by integer ids (the op behind nn.Embedding)
    embedding
normalization.py  normalisation with a fused backward
    layer_norm batch_norm
recurrent.py      one time step of an LSTM or a GRU cell, its backward written out by hand
    lstm_cell gru_cell
losses.py         loss functions, each with reduction = 'mean', 'sum' or 'none'
    mse_loss l1_loss binary_cross_entropy binary_cross_entropy_with_logits cross_entropy nll_loss
"""
from .activations import gelu, leaky_relu, log_softmax, logsumexp, relu, sigmoid, silu, softmax, tanh
from .comparison import eq, ge, gt, le, lt, ne
from .elementwise import (abs, add, clamp, cos, div, exp, expm1, log, log1p, maximum, minimum, mul, neg, pow, sign, sin,
                          sqrt, square, sub, to_dtype)
from .indexing import getitem, index_put
from .join import cat, chunk, pad, split, stack, unbind, where
from .linalg import bmm, dot, einsum, linear, matmul, mm, outer
from .losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss,
                     nll_loss)
from .reductions import argmax, argmin, cumsum, max, mean, min, norm, prod, std, sum, var
from .selection import gather, masked_fill, one_hot, scatter, scatter_add, tril, triu
from .shape import clone, expand, flatten, permute, repeat, reshape, squeeze, transpose, unsqueeze
from .sorting import sort, topk

NOT_DIFFERENTIABLE = ("eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin", "one_hot")

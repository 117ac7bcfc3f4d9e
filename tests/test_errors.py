"""Bad input gets an error that names the shapes, dtypes or dimension involved."""
import numpy as np
import pytest

import nnlib


def test_broadcast_mismatch_names_both_shapes_and_the_dimension():
    with pytest.raises(ValueError, match=r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast.*dimension -1.*\[3, 4\]"):
        nnlib.ones(2, 3) + nnlib.ones(4)


def test_matmul_mismatch_names_both_shapes_and_inner_sizes():
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(4, 5\).*\(3\).*\(4\)"):
        nnlib.ones(2, 3) @ nnlib.ones(4, 5)


def test_matmul_batch_mismatch_is_named():
    with pytest.raises(ValueError, match=r"matmul \(batch dimensions\): shapes \(2,\) and \(3,\)"):
        nnlib.ones(2, 3, 4) @ nnlib.ones(3, 4, 5)


def test_matmul_of_a_scalar_is_refused():
    with pytest.raises(ValueError, match="at least 1 dimension"):
        nnlib.tensor(2.0) @ nnlib.ones(3)


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match=r"floating-point.*int64"):
        nnlib.tensor([1, 2, 3], requires_grad=True)


def test_object_or_ragged_data_is_refused_with_its_dtype():
    with pytest.raises(TypeError, match="dtype object"):
        nnlib.tensor(np.array([{}, 1], dtype=object))
    with pytest.raises(ValueError, match="rectangular"):
        nnlib.tensor([[1.0, 2.0], [3.0]])


def test_string_data_is_refused():
    with pytest.raises(TypeError, match="not numeric"):
        nnlib.tensor(["a", "b"])


def test_out_of_range_index_names_dimension_and_shape():
    x = nnlib.ones(3, 4)
    with pytest.raises(IndexError, match=r"shape \(3, 4\).*index 5 is out of bounds for dimension 1 with size 4"):
        x[0, 5]
    with pytest.raises(IndexError, match=r"index 7 is out of bounds for dimension 0 with size 3"):
        x[[0, 7]]


def test_float_index_tensor_is_refused():
    with pytest.raises(IndexError, match="integer or boolean.*float32"):
        nnlib.ones(3)[nnlib.tensor([0.0, 1.0])]


def test_dim_out_of_range_names_the_dim_and_ndim():
    with pytest.raises(IndexError, match=r"sum: dimension 2 is out of range for a tensor with 2 dimensions"):
        nnlib.ones(3, 4).sum(dim=2)
    with pytest.raises(IndexError, match="softmax: dimension -3"):
        nnlib.ones(3, 4).softmax(dim=-3)


def test_reshape_to_wrong_size_names_shapes():
    with pytest.raises(ValueError, match=r"shape \(3, 4\) \(12 elements\) as shape \(5, 2\)"):
        nnlib.ones(3, 4).reshape(5, 2)


def test_cat_mismatch_names_the_offending_tensor():
    with pytest.raises(ValueError, match=r"tensor 0 has shape \(2, 3\) but tensor 1 has shape \(2, 4\).*except in dimension 0"):
        nnlib.cat([nnlib.ones(2, 3), nnlib.ones(2, 4)], dim=0)


def test_stack_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"stack: tensor 0 has shape \(3,\) but tensor 1 has shape \(4,\)"):
        nnlib.stack([nnlib.ones(3), nnlib.ones(4)])


def test_where_needs_a_boolean_condition():
    with pytest.raises(TypeError, match="boolean.*float32"):
        nnlib.where(nnlib.ones(2), nnlib.ones(2), nnlib.zeros(2))


def test_item_on_many_elements_names_the_shape():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        nnlib.ones(2).item()


def test_gradcheck_reports_the_wrong_index_and_both_values():
    def wrong_square(x):
        # forward x^2 but with a backward that forgets the factor 2
        from nnlib.tensor import make_result
        return make_result(x.data ** 2, (x,), lambda g: (g * x.data,), "wrong_square")

    x = nnlib.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(nnlib.GradcheckError, match=r"input 0 .*index \(0,\).*finite differences give"):
        nnlib.gradcheck(wrong_square, [x])


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        nnlib.gradcheck(lambda x: x * 2, [nnlib.ones(2, requires_grad=True)])

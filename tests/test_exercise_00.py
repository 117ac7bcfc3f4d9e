"""Exercise 00 (the warm-up): plausible wrong answers lose the question's point, with a message that says why."""
import pytest

from coursetools.authoring import assert_only_this_question_fails, grade_each

WRONG = {  # label: (question, the learner's code, words the failure message must contain)
    "product rule forgotten (cos x only)": ("q1_gradient_of_f", '''
def gradient_of_f(values):
    return np.cos(values)
''', "gradient at 5 random points"),
    "the value of f, not its gradient": ("q1_gradient_of_f", '''
def gradient_of_f(values):
    x = nnlib.tensor(values, requires_grad=True)
    f = x * x.sin()
    return f.detach().numpy()
''', "gradient at 5 random points"),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return grade_each("00_start_here", {label: {question: code} for label, (question, code, _) in WRONG.items()},
                      tmp_path_factory.mktemp("wrong_answers"))


@pytest.mark.parametrize("label", WRONG)
def test_a_wrong_answer_loses_its_point_and_says_why(graded, label):
    question, _, says = WRONG[label]
    assert_only_this_question_fails(graded[label], question, says)

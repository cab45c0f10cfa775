"""A claim's evaluation answers: the pure checks in cme.rules.credit (docs/domain.md "Credit").

Each kind of question accepts only its own answers; in particular a rating of 0 (or 6) and a
choice the question does not offer are refused (two mutations that survived every test before)."""

from __future__ import annotations

from typing import Any

import pytest

from cme.platform.errors import InvalidInput
from cme.platform.schemas import Question, QuestionKind
from cme.rules import credit


def question(kind: QuestionKind, required: bool = True, question_id: str = "q1", **extra: Any) -> Question:
    return Question(question_id=question_id, text="A question?", kind=kind, required=required, **extra)


RATING = question(QuestionKind.RATING)
CHOICE = question(QuestionKind.CHOICE, choices=["Lecture", "Workshop"])
YES_NO = question(QuestionKind.YES_NO)
TEXT = question(QuestionKind.TEXT)


@pytest.mark.parametrize("answer", [1, 2, 3, 4, 5, 1.0, 4.5, 5.0])
def test_a_rating_from_1_to_5_is_an_answer(answer: float) -> None:
    assert credit.answered(RATING, answer)


@pytest.mark.parametrize("answer", [0, 0.0, 0.5, -1, 5.5, 6, True, False, "3", None, [3], {"r": 3}])
def test_a_rating_outside_1_to_5_or_not_a_number_is_no_answer(answer: Any) -> None:
    assert not credit.answered(RATING, answer)


def test_the_rating_bounds_are_one_to_five() -> None:
    assert (credit.RATING_LOW, credit.RATING_HIGH) == (1, 5)


@pytest.mark.parametrize("answer", ["Lecture", "Workshop"])
def test_an_offered_choice_is_an_answer(answer: str) -> None:
    assert credit.answered(CHOICE, answer)


@pytest.mark.parametrize("answer", ["Webinar", "lecture", "Lecture ", 1, True, ["Lecture"]])
def test_a_choice_not_offered_is_no_answer(answer: Any) -> None:
    assert not credit.answered(CHOICE, answer)


def test_a_choice_question_without_choices_takes_no_answer() -> None:
    bare = question(QuestionKind.CHOICE)
    assert not credit.answered(bare, "Lecture")


@pytest.mark.parametrize("answer", ["yes", "no", True, False])
def test_yes_or_no_is_an_answer(answer: Any) -> None:
    assert credit.answered(YES_NO, answer)


@pytest.mark.parametrize("answer", ["maybe", "Yes", "y"])
def test_other_words_are_no_yes_no_answer(answer: Any) -> None:
    assert not credit.answered(YES_NO, answer)


def test_a_text_answer_up_to_the_limit() -> None:
    assert credit.answered(TEXT, "Useful.")
    assert credit.answered(TEXT, "x" * credit.ANSWER_MAX_LENGTH)
    assert not credit.answered(TEXT, "x" * (credit.ANSWER_MAX_LENGTH + 1))
    assert not credit.answered(TEXT, 5)


@pytest.mark.parametrize("question_", [RATING, CHOICE, YES_NO, TEXT])
@pytest.mark.parametrize("answer", [None, "", "   "])
def test_nothing_or_blanks_answer_no_question(question_: Question, answer: Any) -> None:
    assert not credit.answered(question_, answer)


def test_every_required_question_answered_passes() -> None:
    questions = [question(QuestionKind.RATING, question_id="rate"), question(QuestionKind.TEXT, question_id="why")]
    credit.check_evaluation(questions, {"rate": 4, "why": "Clear."})


def test_each_unanswered_required_question_is_named() -> None:
    questions = [
        question(QuestionKind.RATING, question_id="rate"),
        question(QuestionKind.CHOICE, question_id="how", choices=["Lecture", "Workshop"]),
        question(QuestionKind.YES_NO, question_id="again"),
    ]
    with pytest.raises(InvalidInput) as refused:
        credit.check_evaluation(questions, {"rate": 0, "how": "Webinar", "again": "yes"})
    assert refused.value.code == "EVALUATION_INCOMPLETE"
    assert refused.value.message == "Please answer every required question of the evaluation."
    assert refused.value.details == [
        {"field": "evaluation.rate", "message": "required"},
        {"field": "evaluation.how", "message": "required"},
    ]


def test_an_optional_question_is_not_checked() -> None:
    optional = [question(QuestionKind.RATING, required=False, question_id="rate")]
    credit.check_evaluation(optional, {})
    credit.check_evaluation(optional, {"rate": 0})


def test_no_questions_need_no_answers() -> None:
    credit.check_evaluation([], {})

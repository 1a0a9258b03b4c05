"""Right and wrong answers of chapter 09's questions that are not multiple choice (tests/test_quiz_questions.py)."""

CASES: dict[str, dict] = {}

"""Notebook helpers (plots, diagrams, quizzes, reports) and the GPU runner. May import anything."""

"""Notebook helpers: plots, diagrams, quizzes, printing. Imports only paths and tools."""

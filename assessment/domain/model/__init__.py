"""The values of the domain: instruments, answers and results (frozen dataclasses)."""

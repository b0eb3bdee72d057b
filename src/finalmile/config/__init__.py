"""Typed settings and the embedded defaults used by ``make run``."""

"""Adapters: wire formats to and from Python objects. Pure code: no I/O, no database, no logging."""

"""Connectors move bytes to and from a pharmacy system (MLLP, HTTP)."""

"""Shippo (a shipping hub) through its official Python SDK."""

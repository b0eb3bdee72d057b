"""Emulated EasyPost v2 API."""

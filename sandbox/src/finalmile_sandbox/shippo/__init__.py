"""Emulated Shippo API."""

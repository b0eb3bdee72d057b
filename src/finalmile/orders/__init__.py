"""Canonical dispatch orders: contract, storage, service and API."""

"""Courier deliveries: in-house drivers or a third-party courier company."""

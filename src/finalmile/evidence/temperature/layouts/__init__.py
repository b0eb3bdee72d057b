"""Logger export layouts: one adapter per layout, found by name in the registry."""

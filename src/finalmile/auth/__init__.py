"""API keys: created once, stored hashed, checked per request with scopes."""

"""HTTP API: routers per domain, mounted by ``finalmile.api.router``."""

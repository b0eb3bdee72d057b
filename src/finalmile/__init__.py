"""finalmile: pharmacy-to-door middleware for specialty and home-infusion medications."""

__version__ = "0.1.0"

__all__ = ["__version__"]

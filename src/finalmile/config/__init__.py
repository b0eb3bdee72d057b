"""Typed settings and the embedded defaults used by ``make run``."""

from finalmile.config.demo_dates import days_since_samples, redate
from finalmile.config.settings import Environment, Settings, get_settings
from finalmile.config.temperature_limits import ClassLimits, resolve_limits
from finalmile.config.yaml_source import KeyPath, YamlDocument, load_yaml, read_source

__all__ = [
    "ClassLimits",
    "Environment",
    "KeyPath",
    "Settings",
    "YamlDocument",
    "days_since_samples",
    "get_settings",
    "load_yaml",
    "read_source",
    "redate",
    "resolve_limits",
]

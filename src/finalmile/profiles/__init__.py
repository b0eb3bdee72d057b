"""Connector profiles: each PMS's formats, transports, mappings and write-back, from YAML.

``connector`` holds the profile model, ``writeback`` its ``writeback`` section and ``registry``
loads every profile at startup. Only configuration lives here; the I/O is in ``connectors``.
"""

from finalmile.profiles.registry import ConnectorRegistry, load_connectors

__all__ = ["ConnectorRegistry", "load_connectors"]

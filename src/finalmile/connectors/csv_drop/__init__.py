"""A watched drop folder per CSV connector."""

from finalmile.connectors.csv_drop.watcher import DropFolderWatcher

__all__ = [
    "DropFolderWatcher",
]

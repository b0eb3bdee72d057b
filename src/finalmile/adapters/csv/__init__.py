"""CSV: delimited text read record by record, with the physical line each record starts on."""

from finalmile.adapters.csv.read import CsvRecord, read_records

__all__ = ["CsvRecord", "read_records"]

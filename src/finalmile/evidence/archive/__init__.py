"""The audit archive: everything that proves one order's delivery, as a JSON index and a PDF."""

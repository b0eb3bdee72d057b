"""Temperature logs: logger exports read into one canonical log, evaluated, stored."""

"""A watched drop folder per CSV connector."""

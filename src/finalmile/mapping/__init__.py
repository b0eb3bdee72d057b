"""Mappings: adapter output to the canonical DispatchOrder, one profile per connector."""

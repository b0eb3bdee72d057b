"""Carriers: labels, tracking and refunds through national carriers, couriers and drop shippers."""

"""Intake: raw inbound message -> stored message + committed orders -> outcome for the ACK."""

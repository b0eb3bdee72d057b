"""The inbound message store: every raw message, kept before anything else happens to it."""

"""Tracking: carrier webhooks and polling, driver updates, proof of delivery, chain of custody."""

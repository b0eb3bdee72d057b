"""Shipments: one live shipment per order, labels bought at most once, voids audited."""

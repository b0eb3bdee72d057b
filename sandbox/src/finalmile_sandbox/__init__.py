"""A local EasyPost v2 + Shippo emulation that the official SDKs run against unmodified.

Used by the demo (``finalmile sandbox``), the carrier tests and the label benchmark; never a fake of
finalmile's own code. ``docs/sandbox.md`` documents the rates, dates, trackers and fault controls.

Import what you need from its module (``server.SandboxServer``, ``engine.Sandbox``,
``clock.SandboxClock``, ``store.SandboxStore``, ``faults.Fault``, ...): this package module stays
empty so that ``finalmile`` can list the ``sandbox`` command (``cli``) without loading the app.
"""

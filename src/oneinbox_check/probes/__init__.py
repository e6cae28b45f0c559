"""Provider probes: one module per provider; see ``_base`` for the protocol."""

"""Provider probes: one module per provider; ``probe`` holds the contract, ``registry`` finds them."""

"""Fake provider APIs, one module per provider family, answering in the
shapes of providers.md (valid, invalid, restricted, rate-limited …).

Each fake holds ``keys``: key → state (``"valid"``, ``"restricted"``, …);
any other key gets the provider's documented invalid-key answer.
"""

"""The sandbox: fake provider APIs (ASGI apps answering in providers.md's shapes)
and a loopback DNS responder, used by ``demo``, ``sandbox serve``, the
end-to-end tests and the benchmarks. Nothing outside this package imports it
except ``cli`` and tests.
"""

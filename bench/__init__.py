"""Benchmarks of oneinbox-check: ``python -m bench`` (``--smoke`` for a seconds-long run).

Each benchmark is one small module with a ``run(ctx) -> list[Row]`` function;
``__main__`` runs them, prints every figure next to its budget, and writes
``results.json`` and the table in ``README.md``.
"""

"""The version, a static value: ``pyproject.toml`` reads it at build time
(``[tool.setuptools.dynamic]``), and ``--version`` prints it without
``importlib.metadata`` (which costs ~25 ms of start-up)."""

__version__ = "0.1.0"

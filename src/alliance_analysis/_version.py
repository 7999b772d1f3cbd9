"""The package version: the one source (pyproject.toml reads it through
``[tool.setuptools.dynamic]``; CITATION.cff repeats it and a test checks they agree)."""

__version__ = "0.1.0"

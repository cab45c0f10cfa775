"""Shared by every test: the layer and the repo root are on the path (pyproject pythonpath)."""

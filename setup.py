"""Entry point kept for ``python setup.py develop``; metadata lives in pyproject.toml."""

from setuptools import setup

setup()

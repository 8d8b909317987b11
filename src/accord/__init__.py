"""Accord: the shared workspace of a Security and Defence Partnership."""

__version__ = "0.1.0"

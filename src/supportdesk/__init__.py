"""Supportdesk: an offline-first desktop desk for support agents."""

__version__ = "0.1.0"

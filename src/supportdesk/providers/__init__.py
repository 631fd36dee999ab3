"""Async HTTP clients, one per provider, over one shared transport (no storage, no Qt).

Import the client you need from its module (`supportdesk.providers.support`, …): this package
imports nothing itself, so that its light parts (errors, redaction) cost nothing to import.
"""

"""Core: configuration, database, tenancy, errors and the generic building blocks.

Imports no domain: every other package may build on it.
"""

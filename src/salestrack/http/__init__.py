"""The HTTP kit: dependencies, routing, limits, OpenAPI, CSV answers and idempotency.

Sits on core and imports no domain.
"""

"""Running salestrack in production: health checks, metrics, request logs, request ids."""

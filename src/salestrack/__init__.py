"""salestrack: follow every lead from first contact to booking and payment."""

__version__ = "0.1.0"

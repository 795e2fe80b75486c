"""The photodedup engine: no Qt anywhere under this package."""

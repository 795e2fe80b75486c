"""The PySide6 desktop app (built on photodedup.core)."""

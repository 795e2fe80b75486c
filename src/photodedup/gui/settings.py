"""What the app remembers between runs: the options of core/settings.py, kept in QSettings.

Each option is read and written by its name (``settings.threshold``), converted by the type of
its default there: no option's name or default is written twice.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from photodedup.core.settings import OPTIONS, Options, default_of

SIMILARITY_RANGE = (0.05, 1.0)  # what the results' slider can show; a stored value outside is not used


class Settings:
    """The person's options (core.settings.Options), kept in a QSettings store."""

    def __init__(self, store: QSettings | None = None) -> None:
        object.__setattr__(self, "_store", store or QSettings())

    def __getattr__(self, name: str):
        if name not in OPTIONS:
            raise AttributeError(name)
        default = default_of(name)
        raw = self._store.value(self._key(name), None)
        if raw is None:
            return self.default_threshold if name == "threshold" else default
        try:
            value = self._read(raw, default)
            if name == "keeper_rules":
                return self._with_new_rules(value)
            if isinstance(default, float) and not SIMILARITY_RANGE[0] <= value <= SIMILARITY_RANGE[1]:
                raise ValueError(f"{value} out of range")
        except (TypeError, ValueError):
            return self.default_threshold if name == "threshold" else default
        return value

    def __setattr__(self, name: str, value) -> None:
        if name not in OPTIONS:
            raise AttributeError(f"no option {name!r}")
        default = default_of(name)
        if isinstance(default, bool):
            stored = "true" if value else "false"
        elif isinstance(default, list):
            stored = json.dumps(sorted(value) if name == "dismissed" else list(value))
        else:
            stored = float(value)
        self._store.setValue(self._key(name), stored)

    def options(self) -> Options:
        """Every option as now stored."""
        return Options(**{name: getattr(self, name) for name in OPTIONS})

    def sync(self) -> None:
        self._store.sync()

    @staticmethod
    def _key(name: str) -> str:
        return OPTIONS[name].metadata["key"] or name

    @staticmethod
    def _read(raw, default):
        if isinstance(default, bool):
            return str(raw).lower() == "true"
        if isinstance(default, list):
            value = json.loads(raw) if isinstance(raw, str) else []
            return [str(item) for item in value] if isinstance(value, list) else []
        return float(raw)

    @staticmethod
    def _with_new_rules(saved: list[str]) -> list[str]:
        """The saved keeper rules in order, checked, with any rule added since they were saved."""
        from photodedup.core.review.keeper import check_rules

        saved = check_rules(saved)
        return saved + [rule for rule in default_of("keeper_rules") if rule not in saved]

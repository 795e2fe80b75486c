"""Typed access to what the app remembers between runs (QSettings)."""

from __future__ import annotations

import json

from PySide6.QtCore import QSettings

from photodedup.core.match.group import DEFAULT_THRESHOLD


class Settings:
    """Folders, protected folders, exclusions, similarity and dismissed groups."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store or QSettings()

    def _list(self, key: str) -> list[str]:
        raw = self._store.value(key, "[]")
        try:
            value = json.loads(raw) if isinstance(raw, str) else []
        except ValueError:
            return []
        return [str(item) for item in value] if isinstance(value, list) else []

    def _set_list(self, key: str, values) -> None:
        self._store.setValue(key, json.dumps(list(values)))

    @property
    def folders(self) -> list[str]:
        return self._list("folders")

    @folders.setter
    def folders(self, values: list[str]) -> None:
        self._set_list("folders", values)

    @property
    def protected(self) -> list[str]:
        return self._list("protected")

    @protected.setter
    def protected(self, values: list[str]) -> None:
        self._set_list("protected", values)

    @property
    def excludes(self) -> list[str]:
        return self._list("excludes")

    @excludes.setter
    def excludes(self, values: list[str]) -> None:
        self._set_list("excludes", values)

    @property
    def dismissed(self) -> list[str]:
        return self._list("dismissed_groups")

    @dismissed.setter
    def dismissed(self, values) -> None:
        self._set_list("dismissed_groups", sorted(values))

    def _similarity(self, key: str, fallback: float) -> float:
        try:
            value = float(self._store.value(key, fallback))
        except (TypeError, ValueError):
            return fallback
        return value if 0.05 <= value <= 1.0 else fallback

    @property
    def threshold(self) -> float:
        """The similarity last used."""
        return self._similarity("threshold", self.default_threshold)

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._store.setValue("threshold", float(value))

    @property
    def default_threshold(self) -> float:
        """The similarity the person chose as theirs (Preferences; the results' Default button)."""
        return self._similarity("default_threshold", DEFAULT_THRESHOLD)

    @default_threshold.setter
    def default_threshold(self, value: float) -> None:
        self._store.setValue("default_threshold", float(value))

    @property
    def raw_jpeg_pairs_are_duplicates(self) -> bool:
        return str(self._store.value("raw_jpeg_pairs_are_duplicates", "false")).lower() == "true"

    @raw_jpeg_pairs_are_duplicates.setter
    def raw_jpeg_pairs_are_duplicates(self, value: bool) -> None:
        self._store.setValue("raw_jpeg_pairs_are_duplicates", "true" if value else "false")

    @property
    def carry_over(self) -> bool:
        """Write what the kept photo lacks (keywords, rating, GPS, ...) to its XMP sidecar before trashing a copy."""
        return str(self._store.value("carry_over", "true")).lower() == "true"

    @carry_over.setter
    def carry_over(self, value: bool) -> None:
        self._store.setValue("carry_over", "true" if value else "false")

    @property
    def keeper_rules(self) -> list[str]:
        """The keeper rules in order (core.keeper.RULES names); the defaults if unset or invalid."""
        from photodedup.core.review.keeper import DEFAULT_RULES, check_rules

        try:
            saved = check_rules(self._list("keeper_rules"))
        except ValueError:
            return list(DEFAULT_RULES)
        return saved + [rule for rule in DEFAULT_RULES if rule not in saved]  # rules added since they were saved

    @keeper_rules.setter
    def keeper_rules(self, values: list[str]) -> None:
        self._set_list("keeper_rules", values)

    def sync(self) -> None:
        self._store.sync()

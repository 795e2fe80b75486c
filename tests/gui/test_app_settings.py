"""The app keeps the options of core/settings.py in QSettings, by their names, with their defaults."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from photodedup.core.settings import Options
from photodedup.gui.settings import Settings


def test_options_round_trip_and_bad_values_fall_back_to_the_defaults(settings_file):
    store = QSettings(str(settings_file), QSettings.Format.IniFormat)
    settings = Settings(store)
    assert settings.options() == Options()  # nothing stored yet
    settings.folders, settings.protected, settings.threshold = ["/a", "/b"], ["/a"], 0.3
    settings.carry_over, settings.dismissed, settings.keeper_rules = False, {"y", "x"}, ["largest-file"]
    settings.sync()
    again = Settings(QSettings(str(settings_file), QSettings.Format.IniFormat)).options()
    assert (again.folders, again.protected, again.threshold, again.carry_over) == (["/a", "/b"], ["/a"], 0.3, False)
    assert again.dismissed == ["x", "y"]
    assert again.keeper_rules[0] == "largest-file" and set(again.keeper_rules) == set(Options().keeper_rules)
    store.setValue("threshold", "2.5")  # outside what the slider shows
    store.setValue("keeper_rules", '["prettiest"]')
    store.setValue("folders", "not json")
    assert (settings.threshold, settings.keeper_rules, settings.folders) == (Options().default_threshold,
                                                                          Options().keeper_rules, [])

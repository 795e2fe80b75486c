"""Trash: move chosen copies to the system trash safely, journal every action, restore."""

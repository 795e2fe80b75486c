"""Start-up on a Linux desktop without Qt's X11 libraries: every missing one named, as packages."""

from __future__ import annotations

from photodedup.gui import qt_libraries


def test_library_names_become_package_names():
    assert qt_libraries.package_name("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert qt_libraries.package_name("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert qt_libraries.package_name("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert qt_libraries.package_name("libxcb-render-util.so.0") == "libxcb-render-util0"


def test_the_message_lists_every_missing_library(monkeypatch):
    monkeypatch.setattr(qt_libraries, "missing_xcb_libraries",
                        lambda: ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    message = qt_libraries.explain_missing({"DISPLAY": ":0"})
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in message
    assert qt_libraries.explain_missing({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert qt_libraries.explain_missing({"WAYLAND_DISPLAY": "wayland-0"}) is None


def test_this_machine_has_what_the_window_needs():
    # The CI and developer machines run the screenshots under Xvfb: nothing may be missing there,
    # and where something is, the check must name real library files.
    assert all(".so" in name for name in qt_libraries.missing_xcb_libraries())

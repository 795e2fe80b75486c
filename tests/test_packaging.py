"""The desktop integration files and the launcher install (issue 9)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import ROOT
from PIL import Image

from photodedup.desktop_entry import APP_ID, install

RESOURCES = ROOT / "resources"


def desktop_entry(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_names_the_app_and_its_icon():
    entry = desktop_entry(RESOURCES / f"{APP_ID}.desktop")
    assert entry["Type"] == "Application" and entry["Name"] == "photodedup"
    assert entry["Exec"].split()[0] == "photodedup-gui" and entry["Icon"] == APP_ID
    assert "Graphics" in entry["Categories"].split(";")
    if shutil.which("desktop-file-validate"):
        done = subprocess.run(["desktop-file-validate", str(RESOURCES / f"{APP_ID}.desktop")], capture_output=True, text=True)
        assert done.returncode == 0 and "error" not in done.stdout.lower(), done.stdout


def test_metainfo_matches_the_desktop_file():
    root = ElementTree.parse(RESOURCES / f"{APP_ID}.metainfo.xml").getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.findtext("metadata_license") == "CC0-1.0" and root.find("description/p") is not None
    if shutil.which("appstreamcli"):
        done = subprocess.run(["appstreamcli", "validate", "--no-net", str(RESOURCES / f"{APP_ID}.metainfo.xml")],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_icon_sizes_are_square_pngs_with_transparency(size):
    with Image.open(RESOURCES / "icons" / f"photodedup-{size}.png") as icon:
        assert icon.size == (size, size) and icon.mode == "RGBA"
        assert icon.getpixel((0, 0))[3] == 0, "the corners are transparent"


def test_install_desktop_writes_launcher_icons_and_metainfo(tmp_path):
    written = install(tmp_path)
    entry = desktop_entry(tmp_path / "applications" / f"{APP_ID}.desktop")
    command = entry["Exec"].split(" %")[0].strip('"')
    assert command == "photodedup-gui" or os.access(command, os.X_OK)
    assert (tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").exists()
    assert (tmp_path / "icons" / "hicolor" / "48x48" / "apps" / f"{APP_ID}.png").exists()
    assert (tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml").exists()
    assert all(path.exists() for path in written)


def test_the_app_has_its_names_and_icon(qapp):
    from photodedup.gui.app import configure_application

    configure_application(qapp)
    assert qapp.applicationName() == "photodedup" and qapp.organizationName() == "photodedup"
    assert qapp.desktopFileName() == APP_ID
    assert not qapp.windowIcon().isNull() and qapp.windowIcon().availableSizes()

"""The app's QSettings (window layout, recent files, export choices): the one place naming them."""

from __future__ import annotations

from PySide6.QtCore import QSettings

SETTINGS_ORGANIZATION = "micrograd-gui"
SETTINGS_APPLICATION = "micrograd-gui"


def app_settings() -> QSettings:
    """The app's settings store."""
    return QSettings(SETTINGS_ORGANIZATION, SETTINGS_APPLICATION)

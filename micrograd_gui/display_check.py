"""Before the window opens: can Qt open one here? Qt itself aborts with a long plugin message when
it cannot; this says in one line what is missing and how to get it. Qt-free."""

from __future__ import annotations

import ctypes.util
import sys
from collections.abc import Callable, Mapping

NO_DISPLAY = (
    "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set): run micrograd-gui "
    "in a desktop session, or under a virtual screen with xvfb-run micrograd-gui"
)
NO_XCB_CURSOR = (
    "Qt needs the system library libxcb-cursor0 to open a window: install it "
    "(Debian, Ubuntu: sudo apt-get install libxcb-cursor0; Fedora: sudo dnf install xcb-util-cursor)"
)


def display_problem(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    find_library: Callable[[str], str | None] = ctypes.util.find_library,
) -> str | None:
    """What keeps Qt from opening a window, as one sentence, or None when nothing is known to."""
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen and chosen not in ("xcb", "wayland"):
        return None  # offscreen, vnc, eglfs, ...: no X server or compositor needed
    if chosen == "wayland":
        return None if environ.get("WAYLAND_DISPLAY") else NO_DISPLAY
    if not environ.get("DISPLAY"):
        if not chosen and environ.get("WAYLAND_DISPLAY"):
            return None  # Qt picks Wayland
        return NO_DISPLAY
    if find_library("xcb-cursor") is None:
        return NO_XCB_CURSOR
    return None

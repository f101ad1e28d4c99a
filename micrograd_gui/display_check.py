"""Before the window opens: can Qt open one here? Qt itself aborts with a long plugin message when
it cannot; this says in one line what is missing and how to get it. Qt-free."""

from __future__ import annotations

import ctypes
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


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds the library `soname`, as Qt's plugin would (dlopen)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def display_problem(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    can_load: Callable[[str], bool] = loadable,
) -> str | None:
    """What keeps Qt from opening a window, as one sentence, or None when nothing is known to.

    Only what Qt will really need is checked: libxcb-cursor only where Qt picks X11 (QT_QPA_PLATFORM
    says xcb, or it is unset outside a Wayland session), and by loading it, as Qt's plugin does."""
    if not platform.startswith("linux"):
        return None
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if chosen and chosen not in ("xcb", "wayland"):
        return None  # offscreen, vnc, eglfs, ...: no X server or compositor needed
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE") == "wayland"
    if chosen == "wayland" or (not chosen and wayland):
        return None if wayland or environ.get("DISPLAY") else NO_DISPLAY  # Qt uses Wayland (or falls back)
    if not environ.get("DISPLAY"):
        return NO_DISPLAY
    if not can_load("libxcb-cursor.so.0"):
        return NO_XCB_CURSOR
    return None

"""Where Qt cannot open a window, one line says what is missing (checked before Qt starts)."""

from __future__ import annotations

import subprocess
import sys

from micrograd_gui.display_check import NO_DISPLAY, NO_XCB_CURSOR, display_problem


def found(soname: str) -> bool:
    return True


def missing(soname: str) -> bool:
    return False


def test_no_display_is_named():
    """Linux with neither DISPLAY nor WAYLAND_DISPLAY: no display, say so and how to get one."""
    assert display_problem({}, "linux", found) == NO_DISPLAY
    assert "xvfb-run" in NO_DISPLAY
    assert display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux", found) == NO_DISPLAY


def test_a_missing_xcb_cursor_is_named():
    """An X display without libxcb-cursor: name the package to install."""
    assert display_problem({"DISPLAY": ":0"}, "linux", missing) == NO_XCB_CURSOR
    assert "libxcb-cursor0" in NO_XCB_CURSOR


def test_nothing_is_said_when_qt_can_open_a_window():
    """X with the library, Wayland, an offscreen platform, or another system: no message."""
    assert display_problem({"DISPLAY": ":0"}, "linux", found) is None
    assert display_problem({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, "linux", missing) is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", missing) is None
    assert display_problem({"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "w"}, "linux", missing) is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", missing) is None
    assert display_problem({}, "darwin", missing) is None
    assert display_problem({}, "win32", missing) is None


def test_the_library_is_looked_for_as_the_loader_finds_it():
    """loadable() loads the library as Qt's plugin would: the C library is found, a made-up one not."""
    from micrograd_gui.display_check import loadable

    assert loadable("libc.so.6")
    assert not loadable("libno-such-library-here.so.0")


def test_the_app_says_it_in_one_line_and_exits(tmp_path):
    """micrograd-gui with no display prints one line on stderr and exits 1, before Qt aborts."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "micrograd_gui"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("micrograd-gui: no display")

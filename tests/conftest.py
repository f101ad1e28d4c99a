"""Test set-up shared by every test: Qt runs offscreen, settings and recovery files go to a temporary place."""

import os
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# QSettings and QStandardPaths write under XDG dirs: keep the user's own untouched.
_home = tempfile.mkdtemp(prefix="micrograd-gui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_home, "cache")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")

"""Test set-up shared by every test: Qt runs offscreen, settings and recovery files go to a temporary place."""

import os
import shutil
import sys
import sysconfig
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# QSettings and QStandardPaths write under XDG dirs: keep the user's own untouched.
_home = tempfile.mkdtemp(prefix="micrograd-gui-tests-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_CACHE_HOME"] = os.path.join(_home, "cache")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")

# Every test draws with the bundled graphviz-pure, whatever Graphviz the machine has (micrograd_gui.render).
_search = os.pathsep.join([os.path.dirname(sys.executable), sysconfig.get_path("scripts"), os.environ.get("PATH", "")])
BUNDLED_DOT = shutil.which("graphviz-pure", path=_search)
if BUNDLED_DOT:
    os.environ["MICROGRAD_GUI_DOT"] = BUNDLED_DOT

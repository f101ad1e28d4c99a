"""Test set-up shared by every test: Qt runs offscreen, settings go to a temporary place."""

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

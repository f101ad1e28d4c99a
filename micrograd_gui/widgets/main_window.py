"""The main window: owns the document, the undo stack and the widgets around them."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMainWindow

from micrograd_gui.document import Document


class MainWindow(QMainWindow):
    """The app's window over one workspace document."""

    def __init__(self) -> None:
        super().__init__()
        self.document = Document()
        self.undo_stack = QUndoStack(self)
        self.setWindowTitle("micrograd-gui")
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

"""The Training dock: the Data panel and the Train panel, in tabs."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.data_panel import DataPanel
from micrograd_gui.widgets.file_dialogs import FileDialogs
from micrograd_gui.widgets.train_panel import TrainPanel

DOCK_WIDTH = 440  # the dock's first width: the table's columns, the buttons and the plots show whole


class TrainingTabs(QTabWidget):
    """The dock's tabs, as wide as DOCK_WIDTH when first docked (the graph keeps the rest: a net's
    picture needs the width to be read), or as their least width if that is more."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(self.minimumSizeHint().width(), DOCK_WIDTH), hint.height())


class TrainingDock(QDockWidget):
    """A dock (`trainingDock`, titled Training) with its tabs in `tabs` (`trainingTabs`): Data
    (`data_panel`) and Train (`train_panel`); more can be added with `add_tab`.

    It shows itself when a workspace with a data table comes in (opened, an example, a recovery).
    """

    def __init__(self, session: WorkspaceSession, dialogs: FileDialogs, parent: QWidget | None = None) -> None:
        super().__init__("Training", parent)
        self.setObjectName("trainingDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self._session = session
        self.tabs = TrainingTabs()
        self.tabs.setObjectName("trainingTabs")
        self.tabs.setDocumentMode(True)
        self.data_panel = DataPanel(session, dialogs)
        self.add_tab(self.data_panel, "Data", "The data rows: edit, import or generate them; show one in the graph")
        self.train_panel = TrainPanel(session)
        self.add_tab(self.train_panel, "Train", "Train the parameters on the data: step, run, watch the loss fall")
        self.setWidget(self.tabs)
        session.workspace_replaced.connect(self._on_workspace_replaced)

    def add_tab(self, panel: QWidget, title: str, tip: str) -> None:
        """Add a panel as a tab of the dock."""
        index = self.tabs.addTab(panel, title)
        self.tabs.setTabToolTip(index, tip)

    def _on_workspace_replaced(self) -> None:
        if self._session.document.data_table is not None:
            self.show()
            if not self.isWindow():  # docked, perhaps tabbed with another dock: its tab comes to the front
                self.raise_()

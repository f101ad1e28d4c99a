"""The Export dialog: the file (its format follows the suffix), the direction, what to draw, the PNG scale."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from micrograd_gui import assets
from micrograd_gui.exporting import (
    EXPORT_FORMATS,
    MAX_SCALE,
    MIN_SCALE,
    ExportError,
    ExportOptions,
    check_export_options,
)
from micrograd_gui.session import sentence

_W = TypeVar("_W", bound=QWidget)


def _named(widget: _W, object_name: str) -> _W:
    widget.setObjectName(object_name)
    return widget


class ExportDialog(QDialog):
    """Choose a file (its format follows the suffix), the direction, what to draw and the PNG scale."""

    def __init__(
        self,
        parent: QWidget | None,
        names: list[str],
        path: str,
        rankdir: str = "LR",
        scale: float = 2.0,
        default_root: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export")
        self._default_root = default_root

        self.path_edit = _named(QLineEdit(path), "exportPathEdit")
        self.browse_button = _named(QPushButton("Browse…"), "exportBrowseButton")
        self.format_combo = _named(QComboBox(), "exportFormatCombo")
        for suffix, title in EXPORT_FORMATS.items():
            self.format_combo.addItem(f"{title} ({suffix})", suffix)
        self.direction_combo = _named(QComboBox(), "exportDirectionCombo")
        self.direction_combo.addItem("Left to right", "LR")
        self.direction_combo.addItem("Top to bottom", "TB")
        self.direction_combo.setCurrentIndex(1 if rankdir == "TB" else 0)
        self.root_label = QLabel("&Draw:")
        self.root_combo = _named(QComboBox(), "exportRootCombo")
        self._names = list(names)
        self.scale_spin = _named(QDoubleSpinBox(), "exportScaleSpin")
        self.scale_spin.setRange(MIN_SCALE, MAX_SCALE)
        self.scale_spin.setSingleStep(0.5)
        self.scale_spin.setDecimals(2)
        self.scale_spin.setSuffix(" × 72 dpi")
        self.scale_spin.setValue(scale)
        self.error_label = _named(QLabel(), "exportErrorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {assets.ERROR_COLOUR.name()};")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportAcceptButton")

        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, path_row)
        form.addRow("F&ormat:", self.format_combo)
        form.addRow("D&irection:", self.direction_combo)
        form.addRow(self.root_label, self.root_combo)
        form.addRow("PNG &scale:", self.scale_spin)
        self.root_label.setBuddy(self.root_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.format_combo.currentIndexChanged.connect(self._on_format_chosen)
        self.path_edit.textChanged.connect(self._on_path_edited)
        self.browse_button.clicked.connect(self._browse)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_path_edited(path)
        self._fill_roots()
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    def suffix(self) -> str:
        return str(self.format_combo.currentData())

    def _fill_roots(self) -> None:
        current = self.root_combo.currentData()
        self.root_combo.clear()
        if self.suffix() == ".py":
            self.root_label.setText("&Backward from:")
            default = self._default_root or (self._names[-1] if self._names else "")
            self.root_combo.addItem(f"The default ({default or 'none'})", None)
            for name in self._names:
                self.root_combo.addItem(name, name)
        else:
            self.root_label.setText("&Draw:")
            self.root_combo.addItem("The whole workspace", None)
            for name in self._names:
                self.root_combo.addItem(f"Only what feeds {name}", name)
        index = self.root_combo.findData(current)
        self.root_combo.setCurrentIndex(max(index, 0))

    def _on_format_chosen(self) -> None:
        suffix = self.suffix()
        path = self.path_edit.text().strip()
        if path and Path(path).suffix.lower() != suffix:
            stem = path[: -len(Path(path).suffix)] if Path(path).suffix else path
            self.path_edit.blockSignals(True)
            self.path_edit.setText(stem + suffix)
            self.path_edit.blockSignals(False)
        self.scale_spin.setEnabled(suffix == ".png")
        self.direction_combo.setEnabled(suffix != ".py")
        self._fill_roots()

    def _on_path_edited(self, text: str) -> None:
        index = self.format_combo.findData(Path(text.strip()).suffix.lower())
        if index >= 0 and index != self.format_combo.currentIndex():
            self.format_combo.setCurrentIndex(index)
        else:
            self.scale_spin.setEnabled(self.suffix() == ".png")
            self.direction_combo.setEnabled(self.suffix() != ".py")
        self.error_label.hide()

    def _browse(self) -> None:
        filters = ";;".join(f"{title} (*{suffix})" for suffix, title in EXPORT_FORMATS.items())
        chosen = f"{EXPORT_FORMATS[self.suffix()]} (*{self.suffix()})"
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path_edit.text(), filters, chosen)
        if path:
            self.path_edit.setText(path)

    def options(self) -> ExportOptions:
        """The options as chosen (the path gets the chosen format's suffix if it has none)."""
        path = self.path_edit.text().strip()
        if path and not Path(path).suffix:
            path += self.suffix()
        return ExportOptions(
            path=path,
            rankdir=str(self.direction_combo.currentData()),
            root=self.root_combo.currentData(),
            scale=self.scale_spin.value(),
        )

    def accept(self) -> None:
        options = self.options()
        problem = "choose a file to export to" if not options.path else None
        if problem is None:
            try:
                check_export_options(options)
            except ExportError as error:
                problem = str(error)
        if problem is not None:
            self.error_label.setText(sentence(problem))
            self.error_label.show()
            return
        super().accept()

"""Each widget is built on a WorkspaceSession alone (no MainWindow) and driven there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtWidgets import QWidget

from micrograd_gui.commands import AddDefinitions
from micrograd_gui.document import Definition
from micrograd_gui.exporting import ExportOptions
from micrograd_gui.recovery import RecoveryFile, pending_recoveries
from micrograd_gui.session import WorkspaceSession
from micrograd_gui.widgets.background_jobs import BackgroundJobs
from micrograd_gui.widgets.backward_panel import BackwardPanel
from micrograd_gui.widgets.bug_lab_panel import BugLabPanel
from micrograd_gui.widgets.expression_bar import ExpressionBar
from micrograd_gui.widgets.file_actions import FileActions
from micrograd_gui.widgets.file_dialogs import FileDialogs
from micrograd_gui.widgets.grad_check_panel import GradCheckPanel
from micrograd_gui.widgets.grad_paths_panel import GradPathsPanel
from micrograd_gui.widgets.learning_dock import LearningDock
from micrograd_gui.widgets.name_combo import NameCombo
from micrograd_gui.widgets.op_buttons import OpButtons
from micrograd_gui.widgets.predict_panel import PredictPanel
from micrograd_gui.widgets.recent_files import RecentFiles
from micrograd_gui.widgets.recovery_keeper import RecoveryKeeper
from micrograd_gui.widgets.step_through_panel import StepThroughPanel
from micrograd_gui.widgets.value_form import ValueForm
from micrograd_gui.widgets.value_table import ValueTable
from tests.workspaces import LECTURE as LECTURE_VALUES

ROOT = Path(__file__).resolve().parents[2]
LECTURE = ROOT / "resources" / "examples" / "lecture.json"


class Messages:
    """What a session said, in order."""

    def __init__(self, session: WorkspaceSession) -> None:
        self.status: list[str] = []
        self.errors: list[str] = []
        session.status_shown.connect(self.status.append)
        session.error_shown.connect(self.errors.append)


@pytest.fixture
def session(qtbot):
    """A session with no window around it; its messages are collected in `session.said`."""
    host = QWidget()
    qtbot.addWidget(host)
    session = WorkspaceSession(host)
    session.said = Messages(session)
    yield session  # the host, and with it the session, lives until the test ends


def lecture(session: WorkspaceSession) -> None:
    assert session.push(AddDefinitions, session.document, list(LECTURE_VALUES))


def test_session_push_refuses_with_a_sentence_and_changes_nothing(session):
    """try_push returns the document's reason capitalized, emits it as an error, and pushes nothing."""
    lecture(session)
    count = session.undo_stack.count()
    reason = session.try_push(AddDefinitions, session.document, [Definition("a", data=1.0)])
    assert reason is not None and "already exists" in reason
    assert session.said.errors == [reason]
    assert session.undo_stack.count() == count
    assert session.document.data("a") == 2.0


def test_value_form_creates_a_leaf_on_a_session(session, qtbot):
    """ValueForm pushes one AddDefinitions; a bad number is refused with its reason."""
    form = ValueForm(session)
    qtbot.addWidget(form)
    form.name_edit.setText("x")
    form.data_edit.setText("1.5")
    assert form.create_value()
    assert session.document.data("x") == 1.5
    assert session.undo_stack.count() == 1
    form.name_edit.setText("y")
    form.data_edit.setText("lots")
    assert not form.create_value()
    assert "y" not in session.document
    assert session.said.errors and session.said.errors[-1].startswith("Not created. Data:")


def test_op_buttons_combine_values_on_a_session(session, qtbot):
    """OpButtons: A * B makes one new value computed from the operands."""
    lecture(session)
    buttons = OpButtons(session)
    qtbot.addWidget(buttons)
    buttons.set_operand("a", "A")
    buttons.set_operand("c", "B")
    buttons.buttons["*"].click()
    newest = session.document.names[-1]
    assert session.document.definition(newest).operands == ("a", "c")
    assert session.document.data(newest) == 20.0


def test_backward_panel_runs_backward_on_a_session(session, qtbot):
    """BackwardPanel fills the grads from the chosen value and says so; Zero grads clears them."""
    lecture(session)
    panel = BackwardPanel(session)
    qtbot.addWidget(panel)
    assert panel.backward_from.currentText() == "L"
    panel.backward_button.click()
    assert session.document.grad("a") == 6.0
    assert panel.status_label.text() == "Grads: d L / d value"
    panel.zero_grads_button.click()
    assert session.document.grad("a") == 0.0


def test_value_table_edits_a_leaf_on_a_session(session, qtbot):
    """ValueTable shows one row per value and a Data edit pushes SetLeafData."""
    lecture(session)
    table = ValueTable(session)
    qtbot.addWidget(table)
    model = table.value_model()
    assert model.rowCount() == 7
    row = model.row_of("a")
    assert model.setData(model.index(row, 2), "4")
    assert session.document.data("L") == -2 * (4 * -3 + 10)
    assert not model.setData(model.index(row, 2), "four")
    assert session.said.errors[-1].startswith("a unchanged")


def test_expression_bar_applies_an_expression_on_a_session(session, qtbot):
    """ExpressionBar: one expression is one undo step; a refusal shows in the bar and the session."""
    lecture(session)
    bar = ExpressionBar(session)
    qtbot.addWidget(bar)
    bar.edit.setText("y = tanh(a*b + c)")
    assert bar.apply()
    assert "y" in session.document and session.undo_stack.count() == 2
    bar.edit.setText("z = nope + 1")
    assert not bar.apply()
    assert bar.error() and session.said.errors[-1] == bar.error()


def test_step_through_panel_walks_on_a_session(session, qtbot):
    """StepThroughPanel steps from the root its combo names and asks for the picture's highlight."""
    lecture(session)
    root = NameCombo(session.document, "root", follow_newest=True)
    panel = StepThroughPanel(session, root)
    qtbot.addWidget(panel)
    qtbot.addWidget(root)
    highlights = []
    panel.highlight_changed.connect(lambda active, visited: highlights.append((active, visited)))
    assert panel.step()
    assert highlights[-1][0] == "L"
    assert "L.grad" in panel.explanation.text() or "d.grad" in panel.explanation.text()
    while panel.step():
        pass
    assert session.document.grad("a") == 6.0  # the finished walk is one recorded backward
    assert session.undo_stack.text(session.undo_stack.count() - 1).startswith("Backward from L")


def test_grad_check_panel_checks_on_a_session(session, qtbot):
    """GradCheckPanel runs backward and finds every leaf's grad agrees with a finite difference."""
    lecture(session)
    root = NameCombo(session.document, "root", follow_newest=True)
    panel = GradCheckPanel(session, root)
    qtbot.addWidget(panel)
    qtbot.addWidget(root)
    with qtbot.waitSignal(panel.check_finished, timeout=10_000):
        assert panel.run_check()
    results = panel.results()
    assert {r.name for r in results} == {"a", "b", "c", "f"}
    assert all(r.agrees for r in results)


def test_learning_dock_shows_the_tab_that_acted(session, qtbot):
    """LearningDock switches to the step-through tab when a step is taken."""
    lecture(session)
    root = NameCombo(session.document, "root", follow_newest=True)
    dock = LearningDock(session, root)
    qtbot.addWidget(dock)
    qtbot.addWidget(root)
    dock.tabs.setCurrentWidget(dock.grad_check)
    assert dock.step_through.step()
    assert dock.tabs.currentWidget() is dock.step_through


def test_predict_panel_quizzes_on_a_session(session, qtbot):
    """PredictPanel hides every grad, takes answers, scores them and shows every grad again when off."""
    lecture(session)
    session.document.backward("L")
    root = NameCombo(session.document, "root", follow_newest=True)
    panel = PredictPanel(session, root)
    qtbot.addWidget(panel)
    qtbot.addWidget(root)
    highlights = []
    panel.highlight_changed.connect(lambda asked, revealed: highlights.append((asked, revealed)))
    panel.mode_button.click()
    assert all(session.document.shown_grad(name) is None for name in session.document.names)
    assert highlights[-1] == ("L", [])
    panel.answer_edit.setText("1")
    assert panel.check_answer()
    panel.answer_edit.setText("4")
    assert panel.check_answer()
    assert panel.score.text() == "2 of 2 right"
    assert highlights[-1] == ("d", ["L", "f"])
    assert session.document.shown_grad("f") == 4.0 and session.document.shown_grad("a") is None
    panel.mode_button.click()
    assert session.document.shown_grad("a") == 6.0 and session.document.grad_overlay is None
    assert highlights[-1] == (None, [])


def test_grad_paths_panel_explains_on_a_session(session, qtbot):
    """GradPathsPanel lists the lecture's one path to the value its callback names, and asks the picture to
    highlight a path when one is current."""
    lecture(session)
    root = NameCombo(session.document, "root", follow_newest=True)
    panel = GradPathsPanel(session, root, lambda: "a")
    qtbot.addWidget(panel)
    qtbot.addWidget(root)
    paths = []
    panel.path_highlighted.connect(paths.append)
    assert panel.explain()
    assert panel.lines()[0] == "L → d → e → a: 1.0000 × -2.0000 × 1.0000 × -3.0000 = 6.0000"
    panel.view.setCurrentRow(0)
    assert paths[-1] == ["L", "d", "e", "a"]
    assert not GradPathsPanel(session, root, lambda: "").explain()
    assert session.said.errors[-1].startswith("Select a value")


def test_bug_lab_panel_runs_a_bug_on_a_session(session, qtbot):
    """BugLabPanel shows the lab's grads on the document's lens, and No bug takes the lens away."""
    assert session.push(AddDefinitions, session.document, [Definition("a", data=3.0), Definition("b", "+", ("a", "a"))])
    root = NameCombo(session.document, "root", follow_newest=True)
    panel = BugLabPanel(session, root)
    qtbot.addWidget(panel)
    qtbot.addWidget(root)
    changes = []
    panel.bug_changed.connect(changes.append)
    panel.choose("assign")
    assert session.document.shown_grad("a") == 1.0 and session.document.expected_grad("a") == 2.0
    assert "a.grad 1.0000 (correct 2.0000)" in panel.result_label.text()
    assert "lecture" in panel.explanation.text()
    panel.choose("none")
    assert session.document.grad_overlay is None and changes == [True, False]


def test_background_jobs_report_on_the_ui_thread(qtbot):
    """A job's result, or its error, comes back to `done` on the UI thread."""
    import threading

    jobs = BackgroundJobs()
    seen = []

    def done(result, error):
        seen.append((result, error, threading.current_thread()))

    jobs.start("ok", lambda: threading.current_thread().name, done)
    jobs.start("bad", lambda: 1 / 0, done)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    results = {type(e).__name__ if e else r for r, e, _ in seen}
    assert results == {"micrograd-gui-ok", "ZeroDivisionError"}
    assert all(thread is threading.main_thread() for _, _, thread in seen)
    assert jobs.pending() == 0


def test_recent_files_remember_newest_first(qtbot, tmp_path):
    """RecentFiles keeps the newest first, without repeats, and its menu opens the chosen file."""
    host = QWidget()
    qtbot.addWidget(host)
    recent = RecentFiles(host)
    for name in ("one", "two", "one"):
        recent.add(str(tmp_path / name))
    assert recent.paths() == [str(tmp_path / "one"), str(tmp_path / "two")]
    recent.fill_menu()
    asked = []
    recent.open_requested.connect(asked.append)
    recent.menu.actions()[1].trigger()
    assert asked == [str(tmp_path / "two")]
    recent.clear()
    assert recent.paths() == []


def test_recovery_keeper_copies_unsaved_work_and_removes_it_when_clean(session, qtbot, tmp_path):
    """RecoveryKeeper writes the unsaved work in the background and removes it once the stack is clean."""
    keeper = RecoveryKeeper(session, BackgroundJobs(), lambda: "/somewhere/mine.json")
    keeper.recovery = RecoveryFile(tmp_path / "recovery")
    keeper.interval_ms = 10
    with qtbot.waitSignal(keeper.recovery_written, timeout=10_000):
        lecture(session)
    saved = json.loads(keeper.recovery.path.read_text())
    assert saved["original_path"] == "/somewhere/mine.json"
    assert [v["name"] for v in saved["workspace"]["values"]][-1] == "L"
    session.undo_stack.setClean()
    assert not keeper.recovery.path.exists()
    assert pending_recoveries(keeper.recovery.directory) == []


class AnsweringDialogs(FileDialogs):
    """FileDialogs that answer from a script instead of opening a dialog."""

    def __init__(self, parent: QWidget, save_path: str = "", export: ExportOptions | None = None) -> None:
        super().__init__(parent)
        self.save_path, self.export = save_path, export
        self.asked: list[str] = []

    def ask_save_changes(self, display_name: str) -> str:
        self.asked.append(f"save changes to {display_name}")
        return "discard"

    def ask_save_path(self, suggested: str) -> str | None:
        self.asked.append(f"save path ({Path(suggested).name})")
        return self.save_path

    def ask_export_options(self, names, path, rankdir, scale, default_root):
        self.asked.append(f"export ({rankdir}, {default_root})")
        return self.export


def test_file_actions_open_save_and_export_on_a_session(session, qtbot, tmp_path):
    """FileActions works on a session and its dialogs alone: open, save (title follows), export."""
    host = session.parent()
    out = tmp_path / "graph.dot"
    dialogs = AnsweringDialogs(host, save_path=str(tmp_path / "mine"), export=ExportOptions(str(out)))
    files = FileActions(session, dialogs, lambda: "TB")
    titles: list[str] = []
    files.title_changed.connect(titles.append)
    files.recovery_keeper.recovery = RecoveryFile(tmp_path / "recovery")
    assert files.open_workspace(LECTURE)
    assert session.document.names[-1] == "L" and titles[-1].startswith("lecture.json")
    session.push(AddDefinitions, session.document, [Definition("z", data=1.0)])
    assert files.is_modified()
    files.save_as()
    with qtbot.waitSignal(files.saved, timeout=10_000):
        pass
    assert not files.is_modified() and titles[-1].startswith("mine.json")
    assert json.loads((tmp_path / "mine.json").read_text())["values"][-1]["name"] == "z"
    with qtbot.waitSignal(files.exported, timeout=10_000):
        files.export()
    assert dialogs.asked[-1] == "export (TB, None)"
    assert out.read_text().startswith("digraph")


def test_file_actions_may_close_asks_only_with_unsaved_work(session, tmp_path):
    """may_close() says yes at once when clean, and asks the dialogs when there is unsaved work."""
    dialogs = AnsweringDialogs(session.parent())
    files = FileActions(session, dialogs, lambda: "LR")
    files.recovery_keeper.recovery = RecoveryFile(tmp_path / "recovery")
    assert files.may_close() and dialogs.asked == []
    lecture(session)
    assert files.may_close()
    assert dialogs.asked == ["save changes to untitled"]


def test_file_actions_take_only_workspace_files_from_a_drop(session, tmp_path):
    """dropped_workspace picks the first local file that opens as a workspace among the dropped URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.txt")), QUrl.fromLocalFile(str(tmp_path / "b.json"))])
    assert FileActions.dropped_workspace(mime) == str(tmp_path / "b.json")
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / n)) for n in ("a.gif", "B.PY", "c.json")])
    assert FileActions.dropped_workspace(mime) == str(tmp_path / "B.PY")
    text_only = QMimeData()
    text_only.setText("b.json")
    assert FileActions.dropped_workspace(text_only) is None


def test_value_actions_delete_with_dependents_only_when_asked_yes(session, qtbot):
    """ValueActions deletes a value's dependents only after `ask` agrees; a refusal deletes nothing."""
    from micrograd_gui.widgets.value_actions import ValueActions

    lecture(session)
    table = ValueTable(session)
    qtbot.addWidget(table)
    answers = [False, True]
    asked = []

    def ask(name, dependents):
        asked.append((name, list(dependents)))
        return answers.pop(0)

    edits = ValueActions(session, table, ask)
    assert not edits.delete_values(["e"])
    assert "e" in session.document and session.said.errors[-1].startswith("Nothing deleted")
    assert edits.delete_values(["e"])
    assert asked[0] == ("e", ["d", "L"]) and "e" not in session.document and "L" not in session.document
    assert edits.rename_value("a", "alpha") and "alpha" in session.document

"""Work on worker threads, with its result handed back on the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

Done = Callable[[Any, BaseException | None], None]


class BackgroundJobs(QObject):
    """Runs each job's `work()` on a worker thread of its own, so the disk and Graphviz never
    hold the UI thread; its `done(result, error)` then runs on the UI thread (a queued signal).
    A job that finishes after this object is gone is dropped."""

    job_finished = Signal(int, object, object)  # job number, result, error: emitted from the worker thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._done: dict[int, Done] = {}
        self._count = 0
        self.job_finished.connect(self._on_finished)

    def start(self, name: str, work: Callable[[], Any], done: Done) -> None:
        """Run `work` in a worker thread named after `name`; `done(result, error)` runs on the UI thread."""
        self._count += 1
        job = self._count
        self._done[job] = done

        def run() -> None:
            result: Any = None
            error: BaseException | None = None
            try:
                result = work()
            except Exception as caught:
                error = caught
            try:
                self.job_finished.emit(job, result, error)
            except RuntimeError:  # deleted meanwhile: nobody is waiting
                pass

        threading.Thread(target=run, name=f"micrograd-gui-{name}", daemon=True).start()

    def pending(self) -> int:
        """How many jobs have not reported back yet."""
        return len(self._done)

    @Slot(int, object, object)
    def _on_finished(self, job: int, result: object, error: object) -> None:
        done = self._done.pop(job, None)
        if done is not None:
            done(result, error if isinstance(error, BaseException) else None)

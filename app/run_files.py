"""The window's file jobs: save a run, open a saved run and replay it, leave the replay, and
export the run as a Chrome trace or its plots as images.

A saved run remembers its lesson, the page it ran on (Challenges), its settings and its figures;
opening it checks all of that against this app's lessons before anything on screen changes, so a
damaged file leaves a message and an untouched window.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog

from app.lesson import LessonTab
from app.svg_export import write_svg
from demos import recording
from demos.trace import write_trace

if TYPE_CHECKING:
    from app.main_window import MainWindow

log = logging.getLogger(__name__)
# What a lesson's figure code may raise on figures that parse but do not fit it.
FIGURE_ERRORS = (KeyError, TypeError, ValueError, IndexError, AttributeError, ArithmeticError)


class RunFiles:
    """Save, open, replay and export for one window."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self._watched: set[int] = set()  # lessons whose local runs end a replay

    # ---------------------------------------------------------------- save
    def save_run(self) -> None:
        """File -> Save run...: events, settings and figures of the run on screen."""
        w = self.window
        empty = not w.current_lesson().current_store().count
        if not w.replay.active and (empty or w.runs.is_running()):
            w.show_banner("Save a run once it has finished (run a lesson first).")
            return
        path, _ = QFileDialog.getSaveFileName(
            w, "Save run", f"run{recording.SUFFIX}", f"Concurrency Lab run (*{recording.SUFFIX})"
        )
        if path:
            self.save_run_to(path)

    def save_run_to(self, path: str) -> bool:
        """Write the run on screen (or the whole run being replayed) to ``path``."""
        w = self.window
        rec = w.replay.recording
        if rec is None:
            lesson = w.current_lesson()
            rec = recording.from_store(
                lesson.current_store(),
                lesson.title,
                lesson.run_params(),
                self._figures(lesson),
                lesson.run_page(),
            )
        try:
            recording.save(rec, path)
        except OSError as exc:
            w.show_banner(f"Could not write {path}: {exc.strerror or exc}")
            return False
        except (TypeError, ValueError) as exc:  # a figure JSON cannot hold
            w.show_banner(f"Could not save the run: {exc}")
            return False
        w.statusBar().showMessage(f"Run saved to {path}", 5000)
        return True

    def _figures(self, lesson: LessonTab) -> dict[str, Any]:
        """A local lesson's own figures, or the lab's last report if it is this lesson's."""
        if lesson.runs_locally:
            figures = lesson.saved_figures()
            return {"figures": figures} if figures else {}
        last = self.window.last_result or {}
        return dict(last) if last.get("lesson") == lesson.title else {}

    # ---------------------------------------------------------------- open
    def open_run(self) -> None:
        """File -> Open run...: replay a saved run."""
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open run",
            "",
            f"Concurrency Lab run (*{recording.SUFFIX});;All files (*)",
        )
        if path:
            self.open_run_from(path)

    def open_run_from(self, path: str) -> bool:
        """Load a run and show it paused at its start, in its own lesson's tab (and page)."""
        w = self.window
        if w.runs.any_running():
            w.show_banner("Cancel or reset the running lesson before opening a run.")
            return False
        try:
            rec = recording.load(path)
            index, lesson = self._check(rec, path)
        except recording.RecordingError as exc:
            w.show_banner(str(exc))
            return False
        if w.replay.active:
            self.leave_replay()
        w.tabs.setCurrentIndex(index)
        show_page = getattr(lesson, "show_page", None)
        if show_page is not None:
            show_page(rec.page)
        lesson.clear_plots()  # other tabs keep their own last runs
        w.sampler.clear()
        lesson.last_params = {**lesson.param_defaults(), **rec.params}
        w.replay.store = lesson.current_store()  # local lessons draw from their own
        w.replay.load(rec)
        lesson.clock = w.replay.now_ns
        w.replay.seek(rec.duration_ns)  # figures that read the events see the whole run
        try:
            self._show_figures(lesson, rec.result)
        except FIGURE_ERRORS as exc:
            log.warning("saved figures do not fit %s", lesson.title, exc_info=exc)
            self.leave_replay()
            lesson.clear_result("-")
            w.show_banner(
                recording.damaged(path, f"its figures do not fit the lesson ({exc!r})").args[0]
            )
            return False
        w.replay.seek(0)
        lesson.timeline.set_follow(True)
        self._watch_local_runs(lesson)
        page = f" - {rec.page}" if rec.page else ""
        w.replay_bar.title.setText(f"Replay: {rec.lesson}{page}")
        w.replay_bar.show()
        w.banner.hide()
        w.update_actions()
        return True

    def _check(self, rec: recording.Recording, path: str) -> tuple[int, LessonTab]:
        """The tab that shows ``rec``; RecordingError if no lesson or page of this app fits."""
        titles = self.window.lessons.titles
        if rec.lesson not in titles:
            raise recording.damaged(path, f"it names no lesson of this app ({rec.lesson!r})")
        index = titles.index(rec.lesson)
        lesson = self.window.lessons[index]
        page_named = getattr(lesson, "page_named", None)
        if page_named is not None:
            page = page_named(rec.page)
            if page is None:
                why = f"has no page {rec.page!r}" if rec.page else "needs a page; it names none"
                raise recording.damaged(path, f"{rec.lesson} {why}")
            defaults = page.param_defaults()
        elif rec.page:
            raise recording.damaged(path, f"{rec.lesson} has no pages, yet it names {rec.page!r}")
        else:
            defaults = lesson.param_defaults()
        problem = recording.param_problem(rec.params, defaults)
        if problem is not None:
            raise recording.damaged(path, problem)
        return index, lesson

    @staticmethod
    def _show_figures(lesson: LessonTab, result: dict[str, Any]) -> None:
        lesson.clear_result("A saved run: press Play (Space) to replay it.")
        figures = result.get("figures")
        if figures:
            lesson.show_saved_figures(figures)
        report = result.get("report")
        if report:
            lesson.show_result(float(result.get("elapsed_s", 0.0)), report)

    def _watch_local_runs(self, lesson: LessonTab) -> None:
        """A local lesson started during its replay ends the replay (keeping its new run)."""
        if id(lesson) not in self._watched:
            self._watched.add(id(lesson))
            lesson.localRunChanged.connect(self._on_local_run_changed)

    def _on_local_run_changed(self) -> None:
        if self.window.replay.active and self.window.runs.any_running():
            self.leave_replay(clear=False)

    # ---------------------------------------------------------------- leave
    def leave_replay(self, clear: bool = True) -> None:
        """Back to live runs (``clear=False``: a live run already uses the store)."""
        w = self.window
        w.replay.stop(clear=clear)
        w.replay_bar.hide()
        for lesson in w.lessons.built():
            if lesson.clock is not None:  # the lesson that showed the replay
                lesson.clock = None
                if clear:
                    lesson.clear_plots()
        w.update_actions()

    # -------------------------------------------------------------- export
    def export_trace(self) -> None:
        """File -> Export trace...: the current run as Chrome Trace JSON."""
        w = self.window
        if not w.current_lesson().current_store().count:
            w.show_banner("Nothing to export yet: run a lesson first.")
            return
        path, _ = QFileDialog.getSaveFileName(
            w, "Export trace", "concurrency-lab.trace.json", "Chrome trace (*.json)"
        )
        if path:
            self.export_trace_to(path)

    def export_trace_to(self, path: str) -> bool:
        """Write the trace; show a message on failure."""
        w = self.window
        try:
            lesson = w.current_lesson()
            write_trace(lesson.current_store(), path, {"lesson": lesson.title})
        except OSError as exc:
            w.show_banner(f"Could not write {path}: {exc.strerror or exc}")
            return False
        w.statusBar().showMessage(f"Trace written to {path}", 5000)
        return True

    def export_plot(self, which: str) -> None:
        """File -> Export ... image: PNG or SVG by the file name's suffix."""
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export image", f"{which}.png", "PNG image (*.png);;SVG drawing (*.svg)"
        )
        if path:
            self.export_plot_to(which, path)

    def export_plot_to(self, which: str, path: str) -> bool:
        """Write the current lesson's timeline or CPU plot to ``path`` (.png or .svg)."""
        w = self.window
        lesson = w.current_lesson()
        widget = lesson.timeline if which == "timeline" else lesson.cpu_plot
        try:
            if Path(path).suffix.lower() == ".svg":
                write_svg(widget, path, f"Concurrency Lab - {lesson.title} - {which}")
            elif not widget.grab().save(path):
                raise OSError(f"could not write {path}")
        except OSError as exc:
            w.show_banner(f"Could not export: {exc}")
            return False
        w.statusBar().showMessage(f"Image written to {path}", 5000)
        return True

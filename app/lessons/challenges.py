"""The Challenges tab: one page per concurrency challenge, chosen at the top.

Each page (``app/lessons/challenge_*.py``) brings its own scenario, controls and figures; the
tab hands Start, Join and the results to the page on screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from app.lesson import LessonTab, heading
from app.lessons.challenge_bars import BarChart
from app.lessons.challenge_deadlock import DeadlockPage
from app.lessons.challenge_nondeterminism import NondeterminismPage
from app.lessons.challenge_overhead import OverheadPage
from app.lessons.challenge_page import ChallengePage
from app.lessons.challenge_race import EXACT_COLOUR, LOST_COLOUR, RacePage
from app.lessons.challenge_scheduler import SchedulerPage
from app.lessons.challenge_starvation import StarvationPage
from app.settings import read_int
from app.theme import style_plot
from app.wheel_guard import steady
from demos.intervals import IntervalStore

PAGE_CLASSES: list[type[ChallengePage]] = [
    RacePage,
    SchedulerPage,
    DeadlockPage,
    StarvationPage,
    OverheadPage,
    NondeterminismPage,
]

__all__ = ["ChallengesTab", "EXACT_COLOUR", "LOST_COLOUR", "PAGE_CLASSES"]


class ChallengesTab(LessonTab):
    """Lesson: what goes wrong with shared state, one challenge at a time."""

    title = "Challenges"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lab_page: ChallengePage | None = (
            None  # no lab run yet (construction gave the page its defaults)
        )

    def build_side_panel(self, layout: QVBoxLayout) -> None:
        """The challenge selector and, below it, the page of the selected challenge."""
        layout.addWidget(heading("Concurrency challenges"))
        self.challenge = QComboBox()
        steady(self.challenge)  # the wheel scrolls the panel, not the page
        self.challenge.setAccessibleName("Challenge")
        self.challenge.setToolTip("Which challenge to explore (applies on the next Start)")
        # Pages in a plain column, only the current one shown: a hidden page takes no room, and
        # wrapped text keeps its height (a QStackedWidget sized every page like the largest
        # and cut the ends of paragraphs).
        self.pages = QWidget()
        pages_layout = QVBoxLayout(self.pages)
        pages_layout.setContentsMargins(0, 0, 0, 0)
        self.page_list: list[ChallengePage] = []
        for cls in PAGE_CLASSES:
            page = cls(self)
            self.page_list.append(page)
            self.challenge.addItem(cls.name)
            pages_layout.addWidget(page)
        self.challenge.currentIndexChanged.connect(self._select)
        last = read_int(self.settings, "challenges/page", 0, 0, len(self.page_list) - 1)
        self.challenge.setCurrentIndex(last)
        self._select(last)  # also when it is page 0 (no change, no signal)
        self._lab_page = None  # the page of the last lab run
        layout.addWidget(self.challenge)
        layout.addWidget(self.pages)

    def _select(self, index: int) -> None:
        for i, page in enumerate(self.page_list):
            page.setVisible(i == index)
        self.settings.setValue("challenges/page", index)

    @property
    def page(self) -> ChallengePage:
        """The challenge on screen."""
        return self.page_list[self.challenge.currentIndex()]

    @property
    def scenario(self) -> str:  # type: ignore[override]
        """The page's scenario."""
        return self.page.scenario

    @property
    def speaker_notes(self) -> str:  # type: ignore[override]
        """The page's notes."""
        return self.page.speaker_notes

    def params(self) -> dict[str, Any]:
        """The page's parameters."""
        return self.page.params()

    # The run on screen: a local page shows its own; otherwise the timeline shows the lab's
    # store, whose run came from the page that last started one (the page on screen if none).
    @property
    def shown_run_page(self) -> ChallengePage:
        """The page whose run is on screen."""
        page = self.page
        if getattr(page, "runs_locally", False) or self._lab_page is None:
            return page
        return self._lab_page

    @property
    def last_params(self) -> dict[str, Any]:
        """The parameters of the run on screen (its page's)."""
        return self.shown_run_page.last_params

    @last_params.setter
    def last_params(self, params: dict[str, Any]) -> None:
        """Start gives the page on screen its run's parameters: that page ran last."""
        page = self.page
        page.last_params = dict(params)
        if not getattr(page, "runs_locally", False):
            self._lab_page = page

    def param_defaults(self) -> dict[str, Any]:
        """The page on screen's parameters with defaults."""
        return self.page.param_defaults()

    def run_page(self) -> str:
        """The name of the page whose run is on screen."""
        return self.shown_run_page.name

    def page_named(self, name: str) -> ChallengePage | None:
        """The page called ``name``, or None."""
        return next((page for page in self.page_list if page.name == name), None)

    def show_page(self, name: str) -> None:
        """Put the page called ``name`` on screen (a saved run reopens on its page)."""
        page = self.page_named(name)
        if page is not None:
            self.challenge.setCurrentIndex(self.page_list.index(page))

    def saved_figures(self) -> dict[str, Any]:
        """A local page's figures of its run."""
        return self.shown_run_page.saved_figures()

    def show_saved_figures(self, figures: dict[str, Any]) -> None:
        """The page on screen shows a saved run's figures."""
        self.page.show_saved_figures(figures)

    def join_deadline_s(self) -> float:
        """The page's deadline."""
        return self.page.join_deadline_s()

    def clear_result(self, message: str) -> None:
        """Every page forgets its figures (a reset concerns them all)."""
        for page in self.page_list:
            page.clear_result(message)

    def show_result(self, elapsed_s: float, report: dict[str, Any]) -> None:
        """The page that ran shows its figures."""
        self.shown_run_page.show_result(elapsed_s, report)

    def prediction_figures(self) -> dict[str, Any]:
        """The figures of the page that ran (the race page's lost updates), for its question."""
        figures = getattr(self.shown_run_page, "prediction_figures", None)
        return figures() if figures is not None else {}

    def set_dark(self, on: bool) -> None:
        """The pages' bar charts go dark with the stage (they stayed white when presenting)."""
        super().set_dark(on)
        for chart in self.findChildren(BarChart):
            style_plot(chart, on)

    def refresh_plots(self) -> None:
        """Plots, then the page's live figures (a local page draws its own timeline)."""
        if not self.runs_locally:
            super().refresh_plots()
        self.page.refresh()

    def current_store(self) -> IntervalStore:
        """A local page (the scheduler game) keeps its own store; lab pages use the lab's."""
        page_store = getattr(self.page, "store", None) if self.runs_locally else None
        return page_store if page_store is not None else self.store

    # A page whose threads run in this process (the scheduler game) takes the window's controls
    # through the local-run extension point; lab pages leave these unused.
    @property
    def runs_locally(self) -> bool:  # type: ignore[override]
        """True while the page on screen runs locally (False during construction)."""
        return bool(getattr(self, "page_list", None)) and bool(
            getattr(self.page, "runs_locally", False)
        )

    def start_local(self) -> None:
        """The page starts its run."""
        self.page.start_local()  # type: ignore[attr-defined]

    def is_running_locally(self) -> bool:
        """The page's run is live."""
        return self.runs_locally and self.page.is_running_locally()  # type: ignore[attr-defined]

    async def join_local(self, timeout_s: float) -> float | None:  # noqa: ASYNC109
        """The page's join."""
        return await self.page.join_local(timeout_s)  # type: ignore[attr-defined]

    async def cancel_local(self) -> bool:
        """The page's cancel."""
        return await self.page.cancel_local()  # type: ignore[attr-defined]

    async def reset_local(self) -> None:
        """Every local page forgets its run."""
        for page in self.page_list:
            if getattr(page, "runs_locally", False):
                await page.reset_local()  # type: ignore[attr-defined]

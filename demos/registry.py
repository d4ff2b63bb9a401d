"""The lessons, declared once, in the deck's order.

Everything that lists lessons reads this: ``python -m demos`` (and its ``--json``), the app's tab
order and presenter digits, the README's lesson table (a test compares them). A new lesson is one
``demos`` module, one ``app.lessons`` module and one line here, placed where it belongs in the
deck's story.

By convention a lesson's tab lives in ``app.lessons.<id>`` as the class ``<CamelCaseId>Tab``,
and its terminal twin is the module named in ``twin``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Page:
    """One page of a lesson with several (the Challenges), with its own twin."""

    id: str
    title: str
    twin: str  # the command that runs it in a terminal
    summary: str


@dataclass(frozen=True)
class LessonEntry:
    """One lesson: what the tab, the lesson list and the presenter digits are made from."""

    id: str
    title: str
    twin: str  # the command that runs it in a terminal, with its main options
    summary: str  # what it shows, in one line
    pages: tuple[Page, ...] = field(default=())
    tab: str = ""  # a shorter label for the tab bar, where the title is long (ten tabs fit 1366 px)
    views: tuple[Page, ...] = field(default=())  # parts of the tab with a twin of their own

    @property
    def tab_label(self) -> str:
        """What the tab bar shows (the full title is the tab's tooltip)."""
        return self.tab or self.title

    @property
    def app_module(self) -> str:
        """The module of the lesson's tab."""
        return f"app.lessons.{self.id}"

    @property
    def app_class(self) -> str:
        """The class name of the lesson's tab."""
        return "".join(part.capitalize() for part in self.id.split("_")) + "Tab"

    def as_json(self) -> dict[str, object]:
        """``{"id", "title", "twin"}`` (and its pages, for a lesson that has them)."""
        data: dict[str, object] = {"id": self.id, "title": self.title, "twin": self.twin}
        if self.pages:
            data["pages"] = [asdict(page) for page in self.pages]
        if self.views:
            data["views"] = [asdict(view) for view in self.views]
        return data


CHALLENGE_PAGES: tuple[Page, ...] = (
    Page(
        "race",
        "Race condition",
        "python -m demos.race --threads 4 --increments 10000 [--lock]",
        "an unprotected read-modify-write loses updates; a Lock makes the count exact",
    ),
    Page(
        "scheduler",
        "You are the scheduler",
        "python -m demos.scheduler --schedule 1,2,1,2,1,2 [--threads 2] [--increments 1]",
        "real threads run counter += 1 one bytecode step at a time, in the order you choose",
    ),
    Page(
        "deadlock",
        "Deadlock",
        "python -m demos.deadlock [--philosophers 5] [--fix ordering|timeout]",
        "locks taken in opposite orders wait for ever; a detector finds the cycle, fixes avoid it",
    ),
    Page(
        "starvation",
        "Starvation",
        "python -m demos.starvation [--greedy 2] [--polite 2] [--duration-s 2] [--fair]",
        "greedy threads take most turns at a plain Lock; a FIFO lock shares them out",
    ),
    Page(
        "sync_overhead",
        "Synchronization overhead",
        "python -m demos.sync_overhead [--threads 4] [--operations 1000000]",
        "a lock around every increment against counting locally and merging once",
    ),
    Page(
        "nondeterminism",
        "Debugging complexity",
        "python -m demos.nondeterminism --runs 100 [--print]",
        "one racy program run M times gives many totals; a print changes them",
    ),
)

LESSONS: tuple[LessonEntry, ...] = (
    LessonEntry(
        "process_thread",
        "Program, process and thread",
        "python -m demos.process_thread --workers 4 [--increments 10000]",
        "threads share their process's memory; each process has its own; thread vs process cost",
        tab="Process and thread",
    ),
    LessonEntry(
        "thread_states",
        "Thread states",
        "python -m demos.thread_states [--scenario deck|mix|futures]",
        "is_alive() is all Python says about a thread; Future states belong to pools",
    ),
    LessonEntry(
        "parallelism",
        "Concurrency vs parallelism",
        "python -m demos.parallelism --workers 2 [--one-core] [--work io]",
        "CPU-bound threads interleave on a GIL build; processes run in parallel on separate cores",
        tab="Concurrent vs parallel",
    ),
    LessonEntry(
        "multithreading",
        "Multithreading",
        "python -m demos.multithreading --threads 2 --steps 5 --step-ms 1000 --kind io",
        "threads overlap while they wait on I/O and take turns while they compute",
    ),
    LessonEntry(
        "gil_or_not",
        "GIL or no GIL",
        "python -m demos.gil_or_not --workers 2 --total-ms 1000 [--python PATH]",
        "one CPU-bound job as threads, processes and subinterpreters on each Python you have",
    ),
    LessonEntry(
        "coroutines",
        "Coroutines",
        "python -m demos.coroutines --tasks 1000 --io-ms 200 [--limit N] [--blocking]",
        "many coroutines wait at once on one thread; one blocking call stalls them all",
        views=(
            Page(
                "asyncio_modern",
                "Modern asyncio",
                "python -m demos.asyncio_modern --scenario "
                "taskgroup|timeout|cancel|queue|sockets|overhead",
                "TaskGroup vs gather, timeout, cancellation, a bounded Queue, loopback sockets, "
                "and the memory of a task vs a thread",
            ),
        ),
    ),
    LessonEntry(
        "challenges",
        "Challenges",
        "python -m demos.race --threads 4 --increments 10000 [--lock]",
        "races, deadlocks, starvation, synchronization overhead and debugging, one page each",
        CHALLENGE_PAGES,
    ),
    LessonEntry(
        "primitives",
        "Synchronization primitives",
        "python -m demos.primitives lock|semaphore|barrier|queue|condition|event|rlock [options]",
        "Lock, Semaphore(N), Barrier(parties), a bounded Queue, Condition, Event and RLock, each "
        "keeping its promise",
        tab="Sync primitives",
    ),
    LessonEntry(
        "processes",
        "Multiprocessing",
        "python -m demos.processes --workers 2 --payload-kb 1024 [--serial-pct 20]",
        "processes scale CPU work over cores; start-up and pickling data between them cost",
        views=(
            Page(
                "start_methods",
                "Start methods",
                "python -m demos.start_methods [--repeats 5] [--methods all|fork|spawn|forkserver]",
                "start-up cost per method; a child forked while a thread held a lock stays stuck",
            ),
        ),
    ),
    LessonEntry(
        "pools",
        "Pools",
        "python -m demos.pools --kind process --tasks 10000 --task-us 50 --chunksize 1 --workers 2",
        "Executor.map over tiny tasks: chunksize 1 drowns in IPC, chunks near the core count",
        views=(
            Page(
                "pool_futures",
                "submit + as_completed",
                "python -m demos.pool_futures --kind process --futures 12 --task-ms 200 "
                "--workers 2 --cancel 2",
                "results in the order tasks end; each Future's state on its lane; cancel() "
                "before it runs",
            ),
        ),
    ),
    LessonEntry(
        "when_to_use",
        "When to use what",
        "python -m demos.when_to_use [--io-jobs 8 --io-ms 150] [--cpu-jobs 4 --cpu-ms 150]",
        "one I/O-bound and one CPU-bound workload measured sequential, threads, asyncio, processes",
    ),
)


def lesson_by_id(lesson_id: str) -> LessonEntry:
    """The lesson with this id; KeyError names the known ids."""
    for entry in LESSONS:
        if entry.id == lesson_id:
            return entry
    known = ", ".join(entry.id for entry in LESSONS)
    raise KeyError(f"no lesson {lesson_id!r}; the lessons are: {known}")


def lesson_ids() -> list[str]:
    """Every id ``python -m app --lesson`` takes: the lessons' and the Challenges pages'."""
    return [id_ for entry in LESSONS for id_ in (entry.id, *(page.id for page in entry.pages))]


def twin_commands() -> list[str]:
    """Every terminal twin's command (lessons and pages), in tab order."""
    commands: list[str] = []
    for entry in LESSONS:
        if entry.pages:
            commands.extend(page.twin for page in entry.pages)
        else:
            commands.append(entry.twin)
        commands.extend(view.twin for view in entry.views)
    return commands

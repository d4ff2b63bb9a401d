"""``python -m demos``: the lessons and the commands that run them in a terminal."""

from __future__ import annotations

LESSONS: list[tuple[str, str, str]] = [
    (
        "Program, process and thread",
        "python -m demos.process_thread --workers 4 [--increments 10000] [--json]",
        "threads share their process's memory; each process has its own; thread vs process cost",
    ),
    (
        "Thread states",
        "python -m demos.thread_states [--scenario deck|mix|futures] [--json]",
        "is_alive() is all Python says about a thread; Future states belong to pools",
    ),
    (
        "Multithreading",
        "python -m demos.multithreading --threads 2 --steps 5 --step-ms 1000 --kind io [--json]",
        "threads overlap while they wait on I/O and take turns while they compute",
    ),
    (
        "Race condition",
        "python -m demos.race --threads 4 --increments 10000 [--lock] [--json]",
        "an unprotected read-modify-write loses updates; a Lock makes the count exact",
    ),
    (
        "You are the scheduler",
        "python -m demos.scheduler --schedule 1,2,1,2,1,2 [--threads 2] [--increments 1] [--json]",
        "real threads run counter += 1 one bytecode step at a time, in the order you choose",
    ),
    (
        "Starvation",
        "python -m demos.starvation [--greedy 2] [--polite 2] [--duration-s 2] [--fair] [--json]",
        "greedy threads take most turns at a plain Lock; a FIFO lock shares them out",
    ),
    (
        "Synchronization overhead",
        "python -m demos.sync_overhead [--threads 4] [--operations 1000000] [--json]",
        "a lock around every increment against counting locally and merging once",
    ),
    (
        "Debugging complexity",
        "python -m demos.nondeterminism --runs 100 [--print] [--json]",
        "one racy program run M times gives many totals; a print changes them",
    ),
    (
        "Deadlock",
        "python -m demos.deadlock [--philosophers 5] [--fix ordering|timeout] [--json]",
        "locks taken in opposite orders wait for ever; a detector finds the cycle, fixes avoid it",
    ),
    (
        "Concurrency vs parallelism",
        "python -m demos.parallelism --workers 2 [--one-core] [--work io] [--json]",
        "CPU-bound threads interleave under the GIL; processes run in parallel on separate cores",
    ),
    (
        "Synchronization primitives",
        "python -m demos.primitives lock|semaphore|barrier|queue [options] [--json]",
        "Lock, Semaphore(N), Barrier(parties) and a bounded Queue, each keeping its promise",
    ),
    (
        "Multiprocessing",
        "python -m demos.processes --workers 2 --payload-kb 1024 [--serial-pct 20] [--json]",
        "processes scale CPU work over cores; start-up and pickling data between them cost",
    ),
    (
        "Coroutines",
        "python -m demos.coroutines --tasks 1000 --io-ms 200 [--limit N] [--blocking] [--json]",
        "many coroutines wait at once on one thread; one blocking call stalls them all",
    ),
    (
        "When to use what",
        "python -m demos.when_to_use [--io-jobs 8 --io-ms 150] [--cpu-jobs 4 --cpu-ms 150] "
        "[--switch-interval-ms 5] [--json]",
        "one I/O-bound and one CPU-bound workload measured sequential, threads, asyncio, processes",
    ),
]


def main() -> int:
    """Print the lesson list."""
    print("Concurrency Lab lessons (each prints a summary; --json adds one JSON line):\n")
    for title, command, what in LESSONS:
        print(f"  {title}\n    {command}\n    {what}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

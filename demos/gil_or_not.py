"""GIL or no GIL: one CPU-bound pure-Python job, cut into N equal chunks, run four ways on the
Python this twin runs on (``--python PATH`` for another one):

- one thread, the chunks one after another: the baseline every speedup is measured against;
- N threads in one interpreter (one GIL, on a standard build: they take turns);
- N processes (spawn): one interpreter each, on separate cores;
- N subinterpreters (PEP 734) in one process, each with its own GIL, where this Python has
  them (``concurrent.interpreters`` on 3.14+, the interpreters-pep-734 backport on 3.12-3.13).

Start-up (getting the workers ready) and data passing (the payload to each worker and back)
are timed apart from the work. The verdict reads the figures and the GIL as this Python reports
it (``sys._is_gil_enabled()`` where present).

    python -m demos.gil_or_not --workers 2 --total-ms 1000 [--data-kb 1024] [--python PATH] --json
"""

from __future__ import annotations

import json
import platform
import sys
import sysconfig
from collections.abc import Mapping
from typing import Any

from demos import gil_or_not_models as models
from demos.exit_status import current, note_failure, report, twin_main
from demos.gil_or_not_result import (
    MODEL_LABELS,
    MODELS,
    GilOrNotResult,
    Interpreter,
    ModelFigures,
)
from demos.platform_support import usable_cores
from demos.scenario import Param, Scenario, Value

SCENARIO = Scenario(
    "demos.gil_or_not",
    "one CPU-bound job as threads, processes and subinterpreters, on the Python it runs on",
    (
        Param(
            "workers",
            int,
            2,
            1,
            8,
            caption="&Workers",
            help="How many equal chunks the job is cut into, one per worker",
        ),
        Param(
            "total_ms",
            int,
            1000,
            100,
            5000,
            unit="ms",
            caption="Work si&ze",
            help="How long the whole job takes in one thread, before it is cut into chunks",
        ),
        Param(
            "data_kb",
            int,
            1024,
            0,
            16384,
            unit="KB",
            caption="&Data per worker",
            help="A list of numbers each worker is sent and sends back (timed apart from the "
            "work): threads share it, processes and subinterpreters copy it",
        ),
    ),
)
DEFAULTS = SCENARIO.defaults()
LIMITS = SCENARIO.limits()
BYTES_PER_NUMBER = 8  # the payload is a list of numbers counted as 64-bit values


def validate(values: Mapping[str, object]) -> dict[str, Value]:
    """The settings checked against the scenario."""
    return SCENARIO.validate(values)


def interpreter() -> Interpreter:
    """This Python, as it reports itself."""
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    return Interpreter(
        version=platform.python_version(),
        implementation=sys.implementation.name,
        executable=sys.executable,
        gil_enabled=bool(gil),
        free_threaded=bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    )


def chunks(workers: int, total_ms: int) -> list[int]:
    """``workers`` equal chunks of ``total_ms`` of work, in spin iterations (calibrated here)."""
    from demos.workloads import iterations_per_ms

    each = round(iterations_per_ms() * total_ms / workers)
    return [each] * workers


def payload(data_kb: int) -> list[int]:
    """The data each worker is sent and sends back."""
    return list(range(data_kb * 1024 // BYTES_PER_NUMBER))


def measure(workers: int, total_ms: int, data_kb: int) -> GilOrNotResult:
    """Run the job every way this Python can and collect the figures (printing as it goes)."""
    iterations = chunks(workers, total_ms)
    data = payload(data_kb)
    timeout_s = total_ms / 1000.0 * 4 + 60.0  # a loaded machine, a cold start
    runs: dict[str, ModelFigures] = {}
    base = models.run_baseline(iterations)
    runs["baseline"] = _figures(base, base.elapsed_s)
    _say("baseline", runs["baseline"])
    for name, runner in models.MODEL_RUNNERS.items():
        runs[name] = _figures(runner(iterations, data, timeout_s), base.elapsed_s)
        _say(name, runs[name])
    module, why = models.subinterpreter_module()
    if module is None:
        runs["subinterpreters"] = ModelFigures(False, why=why, how=models.HOW)
    else:
        timed = models.run_subinterpreters(module, iterations, data, timeout_s)
        runs["subinterpreters"] = _figures(timed, base.elapsed_s)
    _say("subinterpreters", runs["subinterpreters"])
    return GilOrNotResult(
        workers=workers,
        total_ms=total_ms,
        data_kb=data_kb,
        usable_cores=usable_cores(),
        interpreter=interpreter(),
        models={m: runs[m] for m in MODELS},
    )


def _figures(timed: models.Timings, baseline_s: float) -> ModelFigures:
    speedup = baseline_s / timed.elapsed_s if timed.elapsed_s > 0 else 0.0
    return ModelFigures(True, timed.elapsed_s, speedup, timed.startup_s, timed.data_s)


def _say(name: str, f: ModelFigures) -> None:
    label = f"{MODEL_LABELS[name]:<16}"
    if not f.available:
        print(f"  {label} not available: {f.why} ({f.how})", flush=True)
    elif name == "baseline":
        print(f"  {label} {f.elapsed_s:6.2f} s", flush=True)
    else:
        print(
            f"  {label} {f.elapsed_s:6.2f} s  speedup {f.speedup:4.2f}x  start-up "
            f"{f.startup_s * 1000:7.1f} ms  data {f.data_s * 1000:7.1f} ms",
            flush=True,
        )


def write_trace(result: GilOrNotResult, path: str) -> None:
    """One lane per model: its start-up, data round and work, one after another."""
    from demos.events import Kind, Lane, State
    from demos.intervals import IntervalStore
    from demos.trace import write_trace as write

    store = IntervalStore()
    t = 0
    for lane_id, name in enumerate(MODELS):
        f = result.model(name)
        kind = Kind.PROCESS if name == "processes" else Kind.THREAD
        store.add_lane(Lane(lane_id, kind, MODEL_LABELS[name], 0))
        if not f.available:
            continue
        events = []
        for state, seconds in ((State.NEW, f.startup_s), (State.WAITING, f.data_s)):
            if seconds > 0:
                events.append((t, lane_id, int(state), name))
                t += int(seconds * 1e9)
        events.append((t, lane_id, int(State.RUNNING), f"{name}: the work"))
        t += int(f.elapsed_s * 1e9)
        events.append((t, lane_id, int(State.DONE), f"{f.speedup:.2f}x"))
        store.add_events(events)
    write(store, path, {"result": result.as_json()})


@twin_main
def main(argv: list[str] | None = None) -> int:
    """The terminal twin: the job four ways on this Python."""
    _parser, args, params = SCENARIO.parse(argv, __doc__)
    me = interpreter()
    print(
        f"{me.label}, {usable_cores()} usable cores: {args.workers} workers sharing "
        f"{args.total_ms} ms of pure-Python work, {args.data_kb} KB of data each",
        flush=True,
    )
    try:
        result = measure(int(params["workers"]), int(params["total_ms"]), int(params["data_kb"]))
    except (TimeoutError, RuntimeError, OSError) as exc:
        note_failure(f"{type(exc).__name__}: {exc}")
        raise
    print(result.verdict())
    line = result.as_json()
    if args.trace:
        write_trace(result, args.trace)
        print(f"trace written to {args.trace} (open it in Perfetto or chrome://tracing)")
    if args.json:
        print(json.dumps(line, sort_keys=True))
    sys.stdout.flush()
    return report(current())


def as_result(data: Any) -> GilOrNotResult:
    """The typed result from a JSON line of this twin."""
    return GilOrNotResult.from_json(data)


if __name__ == "__main__":
    raise SystemExit(main())

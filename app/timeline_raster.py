"""The timeline's rasteriser: many visible intervals reduced, all in numpy, to at most one bar
per lane and pixel column, so a frame stays cheap at a million intervals.

Pure numpy, no Qt: ``app.timeline`` draws the runs it returns.
"""

from __future__ import annotations

import numpy as np

from demos.events import TERMINAL_STATES, State

EMPTY = -1  # raster cell with no state (before a lane starts, after it ends)
FIRST_TERMINAL = min(TERMINAL_STATES)
# The raster tests "state >= first terminal": that needs the terminal states to be the last ones.
assert {s for s in State if s >= FIRST_TERMINAL} == TERMINAL_STATES


def rasterise(
    start: np.ndarray,
    rows: np.ndarray,
    states: np.ndarray,
    n_rows: int,
    width: int,
    x0_ns: float,
    dx_ns: float,
    now_col: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reduce visible intervals to runs of pixel columns: (row, first column, length, state).

    Inputs are the visible intervals in store order (so, per lane, in time order). Each cell of
    the ``n_rows x width`` grid takes the state of the last interval starting at or before its
    right edge; terminal states and columns after ``now_col`` are empty.
    """
    # float64 holds perf_counter_ns exactly for 104 days of uptime: ample for pixel columns.
    col = np.subtract(start, x0_ns, dtype=np.float64)
    col *= 1.0 / dx_ns
    np.clip(col, 0, width - 1, out=col)
    key = col.astype(np.int32)
    key += rows.astype(np.int32) * np.int32(width)
    # Per lane a later interval has a larger position, so "last started" is a max of positions.
    grid = np.full(n_rows * width, -1, dtype=np.int32)
    np.maximum.at(grid, key, np.arange(len(start), dtype=np.int32))
    grid = np.maximum.accumulate(grid.reshape(n_rows, width), axis=1)
    cells = np.where(grid >= 0, states[np.maximum(grid, 0)], EMPTY).astype(np.int8)
    cells[cells >= FIRST_TERMINAL] = EMPTY
    if now_col + 1 < width:
        cells[:, max(now_col + 1, 0) :] = EMPTY
    # Run-length encode each row; a run never spans two rows because every row opens one.
    change = np.ones((n_rows, width), dtype=bool)
    change[:, 1:] = cells[:, 1:] != cells[:, :-1]
    first = np.flatnonzero(change)
    length = np.diff(np.append(first, n_rows * width))
    run_state = cells.ravel()[first]
    keep = run_state != EMPTY
    first, length, run_state = first[keep], length[keep], run_state[keep]
    return first // width, first % width, length, run_state

"""The "GIL or no GIL" figures: a speedup bar per interpreter and model, the start-up and
data-passing costs apart (a small table), and each interpreter's verdict."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from app.lesson import paragraph
from app.lessons.challenge_bars import BarChart
from app.palette import BLUE, BLUISH_GREEN, GREY, VERMILLION
from demos.gil_or_not_result import MODEL_LABELS, GilOrNotResult

BAR_MODELS = ("threads", "processes", "subinterpreters")
BAR_COLOURS = (VERMILLION, BLUE, BLUISH_GREEN)  # Okabe-Ito: told apart by colour-blind viewers
COST_MODELS = ("processes", "subinterpreters")  # threads start in microseconds and share data


def short_label(result: GilOrNotResult) -> str:
    """ "3.13.0 GIL on": what fits under a bar group."""
    i = result.interpreter
    return f"{i.version}{'t' if i.free_threaded else ''} GIL {'on' if i.gil_enabled else 'off'}"


def legend_html() -> str:
    """The colour of each model, as a line of text."""
    swatches = [
        f"<span style='color:{colour}'>&#9632;</span> {MODEL_LABELS[model]}"
        for model, colour in zip(BAR_MODELS, BAR_COLOURS, strict=True)
    ]
    return "Speedup over one thread: " + " &nbsp; ".join(swatches) + " &nbsp; (1.0x: no gain)"


def costs_html(results: list[GilOrNotResult]) -> str:
    """Start-up and data passing per interpreter and model: the costs the speedup leaves out
    (threads start in well under a millisecond and share their data, so they have no column)."""
    head = "".join(f"<th colspan=2>{model}</th>" for model in COST_MODELS)
    rows = [
        f"<tr><th></th>{head}</tr>",
        "<tr><th align=left>Python</th>" + "<th>start-up</th><th>data</th>" * 2 + "</tr>",
    ]
    for result in results:
        cells = ""
        for model in COST_MODELS:
            f = result.model(model)
            if f.available:
                cells += f"<td>{f.startup_s * 1000:.0f} ms</td><td>{f.data_s * 1000:.1f} ms</td>"
            else:
                cells += "<td colspan=2>not available</td>"
        rows.append(f"<tr><td>{short_label(result)}</td>{cells}</tr>")
    missing = next(
        (r.model("subinterpreters") for r in results if not r.model("subinterpreters").available),
        None,
    )
    how = f"<br>Subinterpreters: {missing.how}" if missing is not None and missing.how else ""
    return "<table cellspacing=0 cellpadding=3>" + "".join(rows) + "</table>" + how


class GilBars(QFrame):
    """Bars, legend, costs, verdicts and a status line in one framed box."""

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 4, 8, 4)
        self.legend = QLabel(legend_html())
        self.chart = BarChart(BAR_COLOURS, "speedup (x)")
        self.chart.setAccessibleName("Speedup per Python and model")
        self.chart.addItem(pg.InfiniteLine(pos=1.0, angle=0, pen=pg.mkPen(GREY, width=1)))
        self.costs = QLabel("")
        self.costs.setAccessibleName("Start-up and data-passing cost per Python and model")
        self.verdicts = paragraph("Tick the Pythons to compare and press Start (Space).")
        self.verdicts.setObjectName("bigFigure")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        row = QHBoxLayout()  # the bars and their costs side by side: the plots keep the height
        row.addWidget(self.chart, 1)
        row.addWidget(self.costs)
        column.addWidget(self.legend)
        column.addLayout(row)
        for widget in (self.verdicts, self.status):
            column.addWidget(widget)

    def show_results(self, results: list[GilOrNotResult]) -> None:
        """Bars for every interpreter measured so far; their costs and verdicts."""
        labels = [short_label(r) for r in results]
        series = [
            [r.model(m).speedup if r.model(m).available else 0.0 for r in results]
            for m in BAR_MODELS
        ]
        self.chart.set_bars(labels, series)
        self.costs.setText(costs_html(results) if results else "")
        self.verdicts.setText(
            "<br>".join(f"<b>{r.interpreter.label}</b>: {r.verdict()}" for r in results)
        )

    def clear(self, message: str) -> None:
        """No figures; ``message`` says what happens now."""
        self.chart.clear_bars()
        self.costs.setText("")
        self.verdicts.setText(message)
        self.status.setText("")

"""CpuPlotWidget offscreen: it builds, draws from a sampler, scales, and caps its curves."""

from __future__ import annotations

import pytest

from app.cpu_plot import MAX_WORKER_CURVES, CpuPlotWidget
from demos.cpu_sampler import CpuSampler
from demos.events import Kind, Lane

pytestmark = [pytest.mark.timeout(60), pytest.mark.gui]


@pytest.fixture
def sampler() -> CpuSampler:
    """A sampler with a few samples on a synthetic 0.1 s time axis."""
    sampler = CpuSampler(capacity=50)
    sampler.set_lanes([Lane(1, Kind.TASK, "task", 0)])
    for i in range(8):
        sampler.sample(now_s=i * 0.1)
    return sampler


@pytest.fixture
def widget(qtbot, sampler: CpuSampler) -> CpuPlotWidget:  # noqa: ANN001 - pytest-qt fixture
    """The widget under test, owned by qtbot."""
    plot = CpuPlotWidget(sampler)
    qtbot.addWidget(plot)
    return plot


def test_builds_with_reference_lines(widget: CpuPlotWidget, sampler: CpuSampler) -> None:
    assert len(widget.core_curves) == sampler.core_count
    assert len(widget.worker_curves) == MAX_WORKER_CURVES
    labels = [line.label.toPlainText() for line in widget._reference_lines()]
    assert labels[0] == "one core"
    assert labels[1].startswith("all ")
    assert labels[1].endswith(" cores")


def test_refresh_draws_total_and_readout(widget: CpuPlotWidget, sampler: CpuSampler) -> None:
    widget.set_lanes([Lane(1, Kind.TASK, "task", 0)])
    widget.refresh()
    x, y = widget.total_curve.getData()
    assert x is not None
    assert y is not None
    assert len(x) == len(y) == len(sampler)
    assert x[-1] == 0.0
    assert x[0] < 0  # seconds relative to now
    core_x, _ = widget.core_curves[0].getData()
    assert len(core_x) == len(sampler)
    # A task lane has no thread or process to measure: the readout does not claim 0%.
    assert widget.readout.full_text().startswith("No lab worker to measure · machine ")
    widget.set_lanes([Lane(2, Kind.THREAD, "Thread-1", 4242)])
    sampler.sample(now_s=1.0)
    widget.refresh()
    assert widget.readout.full_text().startswith("Workers use ")
    assert "% of one core" in widget.readout.full_text()

    widget.clear()
    x, _ = widget.total_curve.getData()
    assert x is None or len(x) == 0


def test_set_scale_enlarges_fonts(widget: CpuPlotWidget) -> None:
    before = widget.readout.font().pointSizeF()
    pen_before = widget.total_curve.opts["pen"].widthF()
    widget.set_scale(2.0)
    assert widget.readout.font().pointSizeF() == pytest.approx(2 * before)
    assert widget.total_curve.opts["pen"].widthF() == pytest.approx(2 * pen_before)
    assert before >= 10
    widget.set_scale(10.0)  # clamped to presenter range
    assert widget.readout.font().pointSizeF() == pytest.approx(3 * before)


def test_dark_mode_switches(widget: CpuPlotWidget) -> None:
    light = widget.total_curve.opts["pen"].color().name()
    widget.set_dark(True)
    assert widget.total_curve.opts["pen"].color().name() != light
    widget.set_dark(False)
    assert widget.total_curve.opts["pen"].color().name() == light


def test_many_lanes_stay_within_the_curve_cap(widget: CpuPlotWidget, sampler: CpuSampler) -> None:
    lanes = [Lane(i, Kind.THREAD, f"worker {i}", 0) for i in range(70)]
    sampler.set_lanes(lanes)
    widget.set_lanes(lanes)
    sampler.sample(now_s=1.0)
    widget.refresh()
    drawn = [c for c in widget.worker_plot.listDataItems() if c.isVisible()]
    assert len(drawn) <= MAX_WORKER_CURVES + 1  # thin curves plus the total
    assert len(widget.worker_plot.listDataItems()) <= MAX_WORKER_CURVES + 1
    assert f"{MAX_WORKER_CURVES} of 70" in widget.worker_plot.titleLabel.text
    # Fewer lanes later: unused curves are hidden, not deleted.
    widget.set_lanes(lanes[:3])
    widget.refresh()
    drawn = [c for c in widget.worker_curves if c.isVisible()]
    assert len(drawn) == 3


def test_the_readout_stays_on_one_line_when_narrow(
    widget: CpuPlotWidget, sampler: CpuSampler
) -> None:
    sampler.sample()
    widget.refresh()
    widget.show()  # laid out, as on screen: a hidden label gets no resize events
    label = widget.readout
    label.set_texts(*widget._readout_texts(150.0, 80.0))
    full, short = label.full_text(), widget._readout_texts(150.0, 80.0)[1]
    metrics = label.fontMetrics()
    label.resize(metrics.horizontalAdvance(full) + 10, 40)
    assert label.text() == full
    label.resize(metrics.horizontalAdvance(short) + 10, 40)
    assert label.text() == short, "the short wording when the full one does not fit"
    label.resize(metrics.horizontalAdvance(short) // 2, 40)
    assert label.text().endswith("…"), "cut with an ellipsis, never wrapped"
    assert metrics.horizontalAdvance(label.text()) <= label.contentsRect().width()
    assert not label.wordWrap()
    assert label.toolTip() == full
    assert label.minimumSizeHint().width() < metrics.horizontalAdvance(short)

import pytest

from public.charts import PLOT_LEFT, PLOT_RIGHT, forest_plots, timeline
from questions.models import StudyResult
from reviews.models import EvidenceLink
from tests.factories import make_question, make_study

pytestmark = pytest.mark.django_db
Kind = EvidenceLink.EffectKind


def finding_with(*results):
    finding = make_question().findings.get()
    for index, values in enumerate(results):
        StudyResult.objects.create(
            finding=finding, study=make_study(authors=f"Author{index} A"), **values
        )
    return finding


def test_ratios_are_drawn_on_a_log_scale_around_one():
    finding = finding_with(
        {"effect_value": 10.0, "effect_kind": Kind.ODDS_RATIO, "ci_low": 1.0, "ci_high": 100.0},
    )
    (plot,) = forest_plots(finding)
    row = plot.rows[0]
    assert plot.axis_label == "Odds ratio (log scale)"
    assert (row.x_low, row.x, row.x_high) == (PLOT_LEFT, (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_RIGHT)
    assert plot.null_x == PLOT_LEFT
    assert [tick.label for tick in plot.ticks] == ["1", "10", "100"]


def test_differences_are_drawn_around_zero_and_each_kind_gets_its_own_plot():
    finding = finding_with(
        {"effect_value": -1.0, "effect_kind": Kind.STANDARDIZED_MEAN_DIFFERENCE,
         "ci_low": -2.0, "ci_high": 0.0},
        {"effect_value": 50.0, "effect_kind": Kind.PERCENT},
        {"participants": 12},
    )  # fmt: skip
    smd, percent = forest_plots(finding)
    assert smd.null_x == PLOT_RIGHT  # zero is the interval's upper end
    assert percent.null_x is None
    assert percent.rows[0].x == (PLOT_LEFT + PLOT_RIGHT) / 2  # 50 on a 0-100 axis
    assert percent.rows[0].x_low is None  # no interval reported, none drawn


def test_a_plot_describes_itself_in_words():
    finding = finding_with({"effect_value": 2.0, "effect_kind": Kind.RISK_RATIO,
                            "ci_low": 1.5, "ci_high": 3.0})  # fmt: skip
    (plot,) = forest_plots(finding)
    assert plot.description == "Forest plot. Author0 2020: Risk ratio 2 (95% CI 1.5 to 3)."
    assert plot.id == f"forest-{finding.pk}-0"


def test_the_timeline_runs_from_first_to_last_seen_on_a_log_time_axis():
    finding = finding_with(
        {"first_seen_hours": 1.0, "last_seen_hours": 168.0},
        {"first_seen_hours": 24.0},
        {"effect_value": 3.0, "effect_kind": Kind.COUNT},
    )
    chart = timeline([finding])
    first, second = chart.rows
    assert first.x < second.x < first.x_high
    assert second.x_high is None
    assert first.text == "first seen at 1 hour, last seen at 7 days"
    assert [tick.label for tick in chart.ticks][:2] == ["15 min", "1 h"]


def test_no_timeline_without_a_timed_result():
    assert timeline([finding_with({"effect_value": 3.0, "effect_kind": Kind.COUNT})]) is None

"""Round states: the schedule, and an administrator's decision until the next date passes."""

from __future__ import annotations

from datetime import date, timedelta

from assessment.domain.rules.schedule import RoundState, Schedule

OPENS = date(2027, 1, 15)
CLOSES = date(2027, 4, 30)
DAY = timedelta(days=1)
SCHEDULED, OPEN, CLOSED = RoundState.SCHEDULED, RoundState.OPEN, RoundState.CLOSED


def states(schedule: Schedule, *days: date) -> list[RoundState]:
    return [schedule.state(day) for day in days]


def test_the_dates_decide_without_an_administrator() -> None:
    dated = Schedule(OPENS, CLOSES)
    assert states(dated, OPENS - DAY, OPENS, CLOSES, CLOSES + DAY) == [
        SCHEDULED,
        OPEN,
        OPEN,
        CLOSED,
    ]
    assert states(Schedule(None, None), date(1990, 1, 1), date(2990, 1, 1)) == [OPEN, OPEN]
    assert states(Schedule(None, CLOSES), CLOSES, CLOSES + DAY) == [OPEN, CLOSED]


def test_an_early_opening_holds_until_the_closing_date() -> None:
    opened_early = Schedule(OPENS, CLOSES, OPEN, OPENS - 10 * DAY)
    assert states(opened_early, OPENS - 10 * DAY, OPENS - DAY, CLOSES, CLOSES + DAY) == [
        OPEN,
        OPEN,
        OPEN,
        CLOSED,
    ]


def test_an_early_closing_holds_and_a_late_opening_stays_open() -> None:
    closed_early = Schedule(OPENS, CLOSES, CLOSED, OPENS + DAY)
    assert states(closed_early, OPENS + DAY, CLOSES, CLOSES + 100 * DAY) == [
        CLOSED,
        CLOSED,
        CLOSED,
    ]
    reopened = Schedule(OPENS, CLOSES, OPEN, CLOSES + 5 * DAY)
    assert states(reopened, CLOSES + 4 * DAY, CLOSES + 5 * DAY, CLOSES + 500 * DAY) == [
        CLOSED,
        OPEN,
        OPEN,
    ]
    assert reopened.deadline(CLOSES + 6 * DAY) is None


def test_deadline_and_days_left() -> None:
    dated = Schedule(OPENS, CLOSES)
    assert dated.deadline(OPENS - DAY) is None
    assert (dated.deadline(OPENS), dated.days_left(CLOSES - DAY), dated.days_left(CLOSES)) == (
        CLOSES,
        2,
        1,
    )
    assert dated.days_left(CLOSES + DAY) is None
    assert Schedule(OPENS, None).deadline(OPENS) is None
    assert Schedule(OPENS, CLOSES, CLOSED, OPENS).deadline(OPENS + DAY) is None


def test_a_closing_date_counts_from_the_day_after() -> None:
    dated = Schedule(OPENS, CLOSES)
    assert dated.closed_by_schedule_on(CLOSES) is None
    assert dated.closed_by_schedule_on(CLOSES + DAY) == CLOSES + DAY
    assert Schedule(OPENS, None).closed_by_schedule_on(CLOSES + DAY) is None

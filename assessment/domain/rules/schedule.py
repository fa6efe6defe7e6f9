"""When a round takes answers: its schedule, and an administrator's early opening or closing.

A round is *scheduled* before its opening date, *open* from that date through its closing
date (both days included, in UTC) and *closed* after it; a round without an opening date
is open from its creation, one without a closing date stays open. An administrator may
open or close a round at any moment; that decision holds until the next date of the
schedule passes, after which the schedule decides again. So a round opened early still
closes on its closing date, a round closed early stays closed, and a round opened again
after its closing date stays open until an administrator closes it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class RoundState(enum.StrEnum):
    """Whether a round takes answers now."""

    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Schedule:
    """A round's dates and the latest administrator decision (the state and its day)."""

    opens_on: date | None
    closes_on: date | None
    decided: RoundState | None = None
    decided_on: date | None = None

    def scheduled_state(self, today: date) -> RoundState:
        """The state the dates alone give on this day."""
        if self.opens_on is not None and today < self.opens_on:
            return RoundState.SCHEDULED
        if self.closes_on is not None and today > self.closes_on:
            return RoundState.CLOSED
        return RoundState.OPEN

    def state(self, today: date) -> RoundState:
        """The state on this day: the administrator's decision until a schedule date passes."""
        if self.decided is None or self.decided_on is None or self.decided_on > today:
            return self.scheduled_state(today)
        if any(self.decided_on < change <= today for change in self.changes()):
            return self.scheduled_state(today)
        return self.decided

    def changes(self) -> list[date]:
        """The days on which the schedule changes the state: opening, and the day after closing."""
        days = [self.opens_on] if self.opens_on is not None else []
        if self.closes_on is not None:
            days.append(self.closes_on + timedelta(days=1))
        return days

    def deadline(self, today: date) -> date | None:
        """The last day answers are taken, if the round is open and will close by itself."""
        if self.state(today) != RoundState.OPEN or self.closes_on is None:
            return None
        return self.closes_on if today <= self.closes_on else None

    def days_left(self, today: date) -> int | None:
        """Days until the deadline, the deadline itself included (1 on the last day)."""
        deadline = self.deadline(today)
        return (deadline - today).days + 1 if deadline is not None else None

    def closed_by_schedule_on(self, today: date) -> date | None:
        """The first day the round was closed by its closing date, if that day has come."""
        if self.closes_on is None:
            return None
        first_closed = self.closes_on + timedelta(days=1)
        return first_closed if first_closed <= today else None

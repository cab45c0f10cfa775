"""When an attendee who has not claimed is reminded (cme.rules.credit.reminder_day / reminder_due /
window_opens): N days before THEIR last day; a window shorter than N days: halfway through it."""

from __future__ import annotations

from datetime import date

from cme.rules import credit


def test_a_reminder_goes_the_given_days_before_the_last_day() -> None:
    # a live activity on May 14 with a 30-day window: last day June 13, reminded June 6
    assert credit.reminder_day(date(2031, 5, 14), date(2031, 6, 13), 7) == date(2031, 6, 6)
    assert credit.reminder_day(date(2031, 5, 14), date(2031, 6, 13), 10) == date(2031, 6, 3)


def test_a_window_shorter_than_that_is_reminded_halfway_through() -> None:
    # 5 days from May 14 to May 19: halfway is May 16 (2 whole days in)
    assert credit.reminder_day(date(2031, 5, 14), date(2031, 5, 19), 7) == date(2031, 5, 16)
    # exactly 7 days is not shorter: 7 days before, the window's first day
    assert credit.reminder_day(date(2031, 5, 14), date(2031, 5, 21), 7) == date(2031, 5, 14)
    # a one-day window: its only day
    assert credit.reminder_day(date(2031, 5, 14), date(2031, 5, 14), 7) == date(2031, 5, 14)


def test_their_own_last_day_decides_a_pharmacists_reminder() -> None:
    # an activity ending May 14 with a 90-day window: an MD's last day is August 12; a
    # pharmacist offered only ACPE has ACPE's 60 days (July 13), so is reminded on July 6
    end = date(2031, 5, 14)
    md_last, _ = credit.closing(["AMA_PRA_1"], "rss", end, 90, end)
    rph_last, _ = credit.closing(["ACPE"], "rss", end, 90, end)
    assert credit.reminder_day(end, md_last, 7) == date(2031, 8, 5)
    assert credit.reminder_day(end, rph_last, 7) == date(2031, 7, 6)


def test_a_reminder_is_due_from_its_day_to_the_last_day_only() -> None:
    on, last = date(2031, 6, 6), date(2031, 6, 13)
    assert not credit.reminder_due(on, last, date(2031, 6, 5))
    assert credit.reminder_due(on, last, on)
    assert credit.reminder_due(on, last, date(2031, 6, 9))  # a missed day is made up
    assert credit.reminder_due(on, last, last)
    assert not credit.reminder_due(on, last, date(2031, 6, 14))  # never after the window closed


def test_an_enduring_materials_window_opens_on_its_first_day() -> None:
    start, end = date(2031, 1, 1), date(2031, 12, 31)
    assert credit.window_opens("rss", start, end) == end
    assert credit.window_opens("enduring", start, end) == start
    assert credit.reminder_day(start, credit.claim_deadline(end, 30, "enduring"), 7) == date(2031, 12, 24)

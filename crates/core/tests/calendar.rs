//! The calendar against GOV.UK's published lists, and the timescale arithmetic's properties.

use std::num::NonZeroU32;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use escalations_core::calendar::{Division, GovUkBankHolidays, bank_holidays};
use escalations_core::{Calendar, Timescale};
use proptest::prelude::*;

const GOVUK: &str = include_str!("../../../tests/data/uk-bank-holidays.json");

#[test]
fn rules_reproduce_govuk_2019_to_2027_for_every_division_exactly() {
    let published = GovUkBankHolidays::parse(GOVUK).unwrap();
    for division in Division::ALL {
        let expected = published.all(division);
        let computed: Vec<_> = (2019..=2027)
            .flat_map(|year| bank_holidays(division, year).unwrap())
            .collect();
        assert!(
            expected.len() > 70,
            "{division}: the file lists {}",
            expected.len()
        );
        // Date, title and notes ("Substitute day") all match.
        assert_eq!(computed, expected, "{division}");
    }
}

#[test]
fn scotland_and_england_differ_where_the_law_does() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let england = Calendar::new(Division::EnglandAndWales);
    let scotland = Calendar::new(Division::Scotland);
    let ni = Calendar::new(Division::NorthernIreland);
    // 2 January, Easter Monday, August, St Andrew's Day.
    for (date, e, s) in [
        ("2026-01-02", true, false),
        ("2026-04-06", false, true),
        ("2026-08-03", true, false),
        ("2026-08-31", false, true),
        ("2026-11-30", true, false),
    ] {
        assert_eq!(
            england.is_working_day(d(date)).unwrap(),
            e,
            "england {date}"
        );
        assert_eq!(
            scotland.is_working_day(d(date)).unwrap(),
            s,
            "scotland {date}"
        );
    }
    // St Patrick's Day and the Twelfth (a Sunday in 2026, so Monday 13 July).
    assert!(!ni.is_working_day(d("2026-03-17")).unwrap());
    assert!(!ni.is_working_day(d("2026-07-13")).unwrap());
    assert!(england.is_working_day(d("2026-07-13")).unwrap());
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn due(t: Timescale, from: &str, cal: &Calendar) -> String {
    t.due(at(from), cal)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn n(v: u32) -> NonZeroU32 {
    NonZeroU32::new(v).unwrap()
}

#[test]
fn worked_cases_across_holidays_weekends_and_clock_changes() {
    let ew = Calendar::new(Division::EnglandAndWales);
    let sc = Calendar::new(Division::Scotland);
    let cases = [
        // Christmas and New Year run, England: Wed 23 Dec 2026 + 5 working days.
        // 24 (1), 29 (2), 30 (3), 31 (4), 1 Jan holiday, 4 Jan (5) → end of Mon 4 Jan.
        (
            Timescale::WorkingDays(n(5)),
            "2026-12-23T10:00:00Z",
            &ew,
            "2027-01-05T00:00:00Z",
        ),
        // Scotland also closes on 2 January; in 2027 that is a Saturday, so Monday 4 is the
        // substitute: 24, 29, 30, 31, 5 → end of Tue 5 Jan.
        (
            Timescale::WorkingDays(n(5)),
            "2026-12-23T10:00:00Z",
            &sc,
            "2027-01-06T00:00:00Z",
        ),
        // Easter 2026: Thu 2 April + 1 working day skips Good Friday and Easter Monday.
        (
            Timescale::WorkingDays(n(1)),
            "2026-04-02T12:00:00Z",
            &ew,
            "2026-04-07T23:00:00Z",
        ),
        // In Scotland Easter Monday is a working day.
        (
            Timescale::WorkingDays(n(1)),
            "2026-04-02T12:00:00Z",
            &sc,
            "2026-04-06T23:00:00Z",
        ),
        // Started on a Saturday: D0 never counts, Monday is day 1.
        (
            Timescale::WorkingDays(n(1)),
            "2026-11-21T12:00:00Z",
            &ew,
            "2026-11-24T00:00:00Z",
        ),
        // Started on a bank holiday (Christmas Day 2025, Thursday): 26 Dec is Boxing Day,
        // so Monday 29 is day 1.
        (
            Timescale::WorkingDays(n(1)),
            "2025-12-25T09:00:00Z",
            &ew,
            "2025-12-30T00:00:00Z",
        ),
        // Just after local midnight in winter (00:05 UTC = 00:05 GMT) counts from that date.
        (
            Timescale::WorkingDays(n(1)),
            "2026-11-24T00:05:00Z",
            &ew,
            "2026-11-26T00:00:00Z",
        ),
        // End of day straddling the October clock change: Fri 23 Oct 2026 + 1 working day =
        // Mon 26 Oct, after the change to GMT, so midnight is 00:00 UTC.
        (
            Timescale::WorkingDays(n(1)),
            "2026-10-23T12:00:00Z",
            &ew,
            "2026-10-27T00:00:00Z",
        ),
        // Friday 27 March 2026 + 1 working day = Monday 30 March, in BST: 23:00 UTC.
        (
            Timescale::WorkingDays(n(1)),
            "2026-03-27T12:00:00Z",
            &ew,
            "2026-03-30T23:00:00Z",
        ),
        // Hours are elapsed time, across the autumn change (25-hour local day).
        (
            Timescale::Hours(n(24)),
            "2026-10-24T12:00:00Z",
            &ew,
            "2026-10-25T12:00:00Z",
        ),
        (
            Timescale::Hours(n(72)),
            "2026-12-24T16:30:00Z",
            &ew,
            "2026-12-27T16:30:00Z",
        ),
        // Weeks and months count local dates.
        (
            Timescale::Weeks(n(2)),
            "2026-03-20T10:00:00Z",
            &ew,
            "2026-04-03T23:00:00Z",
        ),
        (
            Timescale::Months(n(1)),
            "2027-01-31T10:00:00Z",
            &ew,
            "2027-03-01T00:00:00Z",
        ),
        // 22:30 UTC is 23:30 BST, still 31 August: clamped to 30 September, ending 23:00 UTC.
        (
            Timescale::Months(n(1)),
            "2026-08-31T22:30:00Z",
            &ew,
            "2026-09-30T23:00:00Z",
        ),
        (
            Timescale::CalendarDays(n(1)),
            "2026-03-28T23:30:00Z",
            &ew,
            "2026-03-29T23:00:00Z",
        ),
    ];
    for (timescale, from, cal, expected) in cases {
        assert_eq!(
            due(timescale, from, cal),
            expected,
            "{timescale} from {from} in {}",
            cal.division()
        );
    }
}

#[test]
fn a_closure_day_between_christmas_and_new_year_moves_the_due_date() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let with_closures = Calendar::new(Division::EnglandAndWales).with_closure_days([
        d("2026-12-29"),
        d("2026-12-30"),
        d("2026-12-31"),
    ]);
    assert_eq!(
        due(
            Timescale::WorkingDays(n(2)),
            "2026-12-23T15:00:00Z",
            &with_closures
        ),
        "2027-01-05T00:00:00Z"
    );
}

fn any_division() -> impl Strategy<Value = Division> {
    prop::sample::select(Division::ALL.to_vec())
}

fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
    // 2019-01-01 to 2031-12-31.
    (1_546_300_800i64..1_956_441_600i64).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

fn any_timescale() -> impl Strategy<Value = Timescale> {
    (0usize..5, 1u32..40).prop_map(|(unit, count)| {
        let unit = ["hours", "working_days", "calendar_days", "weeks", "months"][unit];
        Timescale::from_unit(unit, count.min(Timescale::max_for(unit))).unwrap()
    })
}

proptest! {
    #[test]
    fn due_is_always_after_start(t in any_timescale(), start in any_instant(), div in any_division()) {
        let due = t.due(start, &Calendar::new(div)).unwrap();
        prop_assert!(due > start);
    }

    #[test]
    fn more_working_days_is_never_earlier(count in 1u32..30, start in any_instant(), div in any_division()) {
        let cal = Calendar::new(div);
        let fewer = Timescale::WorkingDays(n(count)).due(start, &cal).unwrap();
        let more = Timescale::WorkingDays(n(count + 1)).due(start, &cal).unwrap();
        prop_assert!(more > fewer);
    }

    #[test]
    fn an_added_closure_day_never_makes_a_due_date_earlier(
        count in 1u32..15, start in any_instant(), div in any_division(), offset in 0i64..30,
    ) {
        let plain = Calendar::new(div);
        let closure = start.date_naive() + Duration::days(offset);
        let closed = plain.clone().with_closure_days([closure]);
        let t = Timescale::WorkingDays(n(count));
        prop_assert!(t.due(start, &closed).unwrap() >= t.due(start, &plain).unwrap());
    }

    #[test]
    fn a_later_start_is_never_due_earlier(t in any_timescale(), start in any_instant(), gap in 0i64..200_000, div in any_division()) {
        let cal = Calendar::new(div);
        prop_assert!(t.due(start + Duration::seconds(gap), &cal).unwrap() >= t.due(start, &cal).unwrap());
    }

    #[test]
    fn day_based_due_dates_fall_on_local_midnight(t in any_timescale(), start in any_instant()) {
        let due = t.due(start, &Calendar::new(Division::EnglandAndWales)).unwrap();
        if !matches!(t, Timescale::Hours(_)) {
            let local = due.with_timezone(&chrono_tz::Europe::London);
            prop_assert_eq!(local.format("%H:%M:%S").to_string(), "00:00:00");
        }
    }
}

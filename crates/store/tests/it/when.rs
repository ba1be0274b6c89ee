use distroflow_store::{parse_at, parse_every, zone_name, zone_named};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::{at, berlin};

/// Thursday 2026-03-05, 14:02 in Berlin (CET, UTC+1).
fn now() -> Timestamp {
    at("2026-03-05T13:02:00Z")
}

fn ok(input: &str) -> Timestamp {
    parse_at(input, now(), &berlin()).unwrap_or_else(|e| panic!("{input}: {e}"))
}

fn err(input: &str) -> (String, Option<String>) {
    let e = parse_at(input, now(), &berlin()).unwrap_err();
    assert!(e.is_usage(), "{input}: {e:?}");
    (e.to_string(), e.hint())
}

#[test]
fn reads_every_documented_form() {
    assert_eq!(ok("2026-03-06T09:00:00+02:00"), at("2026-03-06T07:00:00Z"));
    assert_eq!(ok("2026-03-06T09:00:00Z"), at("2026-03-06T09:00:00Z"));
    assert_eq!(
        ok("2026-03-06T09:00[America/New_York]"),
        at("2026-03-06T14:00:00Z")
    );
    assert_eq!(ok("2026-03-06 09:00"), at("2026-03-06T08:00:00Z"));
    assert_eq!(ok("2026-03-06T09:00:30"), at("2026-03-06T08:00:30Z"));
    assert_eq!(ok("15:00"), at("2026-03-05T14:00:00Z"));
    assert_eq!(ok(" 23:59 "), at("2026-03-05T22:59:00Z"));
    assert_eq!(ok("today 18:30"), at("2026-03-05T17:30:00Z"));
    assert_eq!(ok("Tomorrow 09:00"), at("2026-03-06T08:00:00Z"));
    assert_eq!(ok("tomorrow 9:00"), at("2026-03-06T08:00:00Z"));
    assert_eq!(ok("in 2h"), at("2026-03-05T15:02:00Z"));
    assert_eq!(ok("in 30m"), at("2026-03-05T13:32:00Z"));
    assert_eq!(ok("+1h30m"), at("2026-03-05T14:32:00Z"));
    assert_eq!(ok("in 2 hours"), at("2026-03-05T15:02:00Z"));
    assert_eq!(ok("now"), now());
}

#[test]
fn a_past_time_is_refused_with_what_now_is() {
    let (msg, hint) = err("2026-01-01 09:00");
    assert_eq!(
        msg,
        "2026-01-01 09:00 CET is in the past (now is 2026-03-05 14:02 CET)"
    );
    assert_eq!(
        hint.as_deref(),
        Some("give a time in the future, e.g. `tomorrow 09:00` or `in 2h`")
    );

    let (msg, hint) = err("09:00");
    assert_eq!(
        msg,
        "2026-03-05 09:00 CET is in the past (now is 2026-03-05 14:02 CET)"
    );
    assert_eq!(
        hint.as_deref(),
        Some("`09:00` means today; for tomorrow write `tomorrow 09:00`")
    );

    let half_a_minute_on = at("2026-03-05T13:02:30Z");
    let e = parse_at("14:02", half_a_minute_on, &berlin()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "2026-03-05 14:02:00 CET is in the past (now is 2026-03-05 14:02:30 CET)",
        "seconds are shown when the minutes read the same"
    );
}

#[test]
fn unreadable_input_says_which_forms_work() {
    let (msg, hint) = err("next friday");
    assert_eq!(msg, "cannot read `next friday` as a time");
    assert!(hint.unwrap().contains("tomorrow 09:00"));
    let (msg, hint) = err("2026-05-01");
    assert_eq!(msg, "`2026-05-01` has no time of day");
    assert_eq!(hint.as_deref(), Some("add one, e.g. `2026-05-01 09:00`"));
    assert_eq!(
        err("in 2 fortnights").0,
        "cannot read `in 2 fortnights` as a delay"
    );
    assert_eq!(
        err("tomorrow noon").0,
        "cannot read the time of day in `tomorrow noon`"
    );
    assert_eq!(err("25:00").0, "cannot read `25:00` as a time");
}

#[test]
fn wall_clock_times_follow_daylight_saving_in_the_zone() {
    let tz = berlin();
    // Saturday before summer time starts (Sunday 2026-03-29, 02:00 -> 03:00).
    let sat = at("2026-03-28T08:00:00Z"); // 09:00 CET
    assert_eq!(
        parse_at("in 1d", sat, &tz).unwrap(),
        at("2026-03-29T07:00:00Z"),
        "09:00 CEST"
    );
    assert_eq!(
        parse_at("in 24h", sat, &tz).unwrap(),
        at("2026-03-29T08:00:00Z"),
        "10:00 CEST"
    );
    assert_eq!(
        parse_at("tomorrow 09:00", sat, &tz).unwrap(),
        at("2026-03-29T07:00:00Z")
    );
    // 02:30 does not exist that night: it means 03:30 CEST.
    assert_eq!(
        parse_at("2026-03-29 02:30", sat, &tz).unwrap(),
        at("2026-03-29T01:30:00Z")
    );
    // 02:30 happens twice when winter time returns: the first one (CEST).
    assert_eq!(
        parse_at("2026-10-25 02:30", sat, &tz).unwrap(),
        at("2026-10-25T00:30:00Z")
    );
}

#[test]
fn intervals_and_cron_expressions_are_read_and_bad_ones_explained() {
    assert_eq!(parse_every("30m").unwrap().as_str(), "30m");
    assert_eq!(parse_every(" 1H30M ").unwrap().to_string(), "1h30m");
    assert!(!parse_every("1w").unwrap().is_cron());
    let cron = parse_every("0  9 * * MON-FRI").unwrap();
    assert!(cron.is_cron());
    assert_eq!(cron.as_str(), "0 9 * * MON-FRI");
    assert!(parse_every("@daily").unwrap().is_cron());

    let msg = |s: &str| {
        let e = parse_every(s).unwrap_err();
        assert!(
            e.is_usage() && e.hint().unwrap().contains("0 9 * * 1-5"),
            "{s}"
        );
        e.to_string()
    };
    assert_eq!(
        msg("30s"),
        "`30s` is too often: the shortest interval is 1 minute"
    );
    assert_eq!(
        msg("0 0 9 * * *"),
        "`0 0 9 * * *` has 6 fields; a cron expression has 5"
    );
    assert!(msg("61 9 * * *").starts_with("`61 9 * * *` is not a valid cron expression"));
    assert_eq!(
        msg("fortnightly"),
        "cannot read `fortnightly` as an interval or a cron expression"
    );
}

#[test]
fn recurrences_keep_the_wall_clock_across_daylight_saving_in_berlin() {
    let tz = berlin();
    let next = |every: &str, from: &str| {
        parse_every(every)
            .unwrap()
            .next_after(at(from), &tz)
            .unwrap()
    };

    // Spring: 09:00 CET Saturday -> 09:00 CEST Sunday, 23 hours later.
    assert_eq!(
        next("1d", "2026-03-28T08:00:00Z"),
        at("2026-03-29T07:00:00Z")
    );
    assert_eq!(
        next("0 9 * * *", "2026-03-28T08:00:00Z"),
        at("2026-03-29T07:00:00Z")
    );
    assert_eq!(
        next("24h", "2026-03-28T08:00:00Z"),
        at("2026-03-29T08:00:00Z")
    );
    assert_eq!(
        next("1w", "2026-03-28T08:00:00Z"),
        at("2026-04-04T07:00:00Z")
    );
    // Autumn: 09:00 CEST Saturday -> 09:00 CET Sunday, 25 hours later.
    assert_eq!(
        next("1d", "2026-10-24T07:00:00Z"),
        at("2026-10-25T08:00:00Z")
    );
    assert_eq!(
        next("0 9 * * *", "2026-10-24T07:00:00Z"),
        at("2026-10-25T08:00:00Z")
    );
    // Hourly keeps ticking in real time through the skipped hour.
    assert_eq!(
        next("1h", "2026-03-29T00:30:00Z"),
        at("2026-03-29T01:30:00Z")
    );

    // A cron time inside the skipped hour runs once that day, right after
    // the change; in the repeated hour it runs once, not twice.
    let spring = parse_every("30 2 * * *").unwrap();
    let a = spring.next_after(at("2026-03-28T12:00:00Z"), &tz).unwrap();
    let b = spring.next_after(a, &tz).unwrap();
    assert_eq!(
        a.to_zoned(tz.clone()).date(),
        jiff::civil::date(2026, 3, 29)
    );
    assert_eq!(b, at("2026-03-30T00:30:00Z"), "02:30 CEST on Monday");
    let autumn_first = spring.next_after(at("2026-10-24T12:00:00Z"), &tz).unwrap();
    let autumn_second = spring.next_after(autumn_first, &tz).unwrap();
    assert_eq!(
        autumn_first,
        at("2026-10-25T00:30:00Z"),
        "the first 02:30 (CEST)"
    );
    assert_eq!(
        autumn_second,
        at("2026-10-26T01:30:00Z"),
        "then Monday 02:30 CET"
    );
}

#[test]
fn zones_are_named_for_storage_and_read_back() {
    let tz = zone_named("europe/berlin").unwrap();
    assert_eq!(zone_name(&tz).as_deref(), Some("Europe/Berlin"));
    assert_eq!(zone_name(&TimeZone::UTC).as_deref(), Some("UTC"));
    let fixed = zone_named("+05:30").unwrap();
    assert_eq!(zone_name(&fixed).as_deref(), Some("+05:30"));
    assert_eq!(zone_named("utc").unwrap(), TimeZone::UTC);
    let e = zone_named("Mars/Olympus").unwrap_err();
    assert_eq!(
        e.hint().as_deref(),
        Some("use an IANA name like Europe/Berlin or America/New_York, or UTC")
    );
}

#[test]
fn a_cron_expression_that_never_fires_is_refused_with_a_hint() {
    let never = parse_every("0 0 30 2 *").unwrap();
    let e = never.first_after(now(), &TimeZone::UTC).unwrap_err();
    assert!(e.is_usage(), "{e}");
    assert!(e.to_string().contains("never fires"), "{e}");
    assert!(e.hint().unwrap().contains("February"), "{e:?}");
    // The 29th of February fires, in the next leap year.
    let leap = parse_every("0 0 29 2 *").unwrap();
    let next = leap.first_after(now(), &TimeZone::UTC).unwrap();
    assert!(next > now());
    assert_eq!(
        parse_every("1d")
            .unwrap()
            .first_after(now(), &TimeZone::UTC)
            .unwrap(),
        now() + jiff::SignedDuration::from_hours(24)
    );
}

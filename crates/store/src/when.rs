//! When to post: `--at TIME` and `--every INTERVAL|CRON`, in a time zone.
//!
//! [`parse_at`] reads, case-insensitively:
//!
//! | form                           | meaning                                                  |
//! |--------------------------------|----------------------------------------------------------|
//! | `2026-05-01T09:00:00+02:00`, `…Z` | RFC 3339: that instant (the offset wins over the zone) |
//! | `2026-05-01T09:00[Europe/Berlin]` | that wall-clock time in the named zone                |
//! | `2026-05-01 09:00`, `2026-05-01T09:00:30` | that wall-clock time in the zone               |
//! | `09:00`, `9:30`, `09:00:30`    | today at that time; refused once it has passed           |
//! | `today 18:30`, `tomorrow 09:00`| that day at that time                                    |
//! | `in 2h`, `in 30m`, `+1h30m`, `in 1d` | from now (days are calendar days in the zone)      |
//! | `now`                          | now                                                      |
//!
//! A wall-clock time that a daylight-saving change skips (02:30 on the
//! spring-forward night) means the same time after the change (03:30); one
//! that happens twice means the first. A time before `now` is refused, so a
//! typo never posts at once. `HH:MM` never rolls over to tomorrow on its
//! own: the error says to write `tomorrow HH:MM`.
//!
//! [`parse_every`] reads an interval (`30m`, `2h`, `1d`, `1w`, `1h30m`; at
//! least one minute) or a five-field cron expression (`0 9 * * 1-5`: minute,
//! hour, day of month, month, day of week; names like `MON` and `JAN`, and
//! `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`). Both are read in
//! the job's time zone: `1d` and `0 9 * * *` keep 09:00 across a
//! daylight-saving change, while `24h` is exactly 24 hours.

use std::fmt;
use std::str::FromStr;

use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;
use distroflow_core::{Error, Result};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

use crate::duration::{Amount, DURATION_FORMS};

const AT_FORMS: &str = "RFC 3339 (2026-05-01T09:00:00+02:00), a local time (2026-05-01 09:00, \
                        09:00, today 18:30, tomorrow 09:00) or a delay (in 2h, in 30m, +1h)";

/// The system's time zone: `TZ` when set, else `/etc/localtime`; UTC when
/// neither can be read.
pub fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// A time zone by name: an IANA name (`Europe/Berlin`, case-insensitive),
/// `UTC`, a fixed offset (`+05:30`), or `local` for [`local_zone`].
pub fn zone_named(name: &str) -> Result<TimeZone> {
    let name = name.trim();
    if name.eq_ignore_ascii_case("local") || name.eq_ignore_ascii_case("system") {
        return Ok(local_zone());
    }
    if name.eq_ignore_ascii_case("utc") || name.eq_ignore_ascii_case("z") {
        return Ok(TimeZone::UTC);
    }
    if let Some(offset) = parse_offset(name) {
        return Ok(TimeZone::fixed(offset));
    }
    TimeZone::get(name).map_err(|_| {
        Error::usage(
            format!("unknown time zone `{name}`"),
            Some("use an IANA name like Europe/Berlin or America/New_York, or UTC".into()),
        )
    })
}

/// The name to store for `tz`, such that [`zone_named`] gives it back: its
/// IANA name, or its offset for a fixed zone. `None` for a zone with rules
/// but no name (a POSIX `TZ` string); store UTC times only with such a zone.
pub fn zone_name(tz: &TimeZone) -> Option<String> {
    if let Some(name) = tz.iana_name() {
        return Some(name.to_string());
    }
    tz.to_fixed_offset().ok().map(|o| {
        let secs = o.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs() / 60;
        format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
    })
}

/// `+HH:MM` or `-HH:MM`.
fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 25 || m > 59 {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

/// Reads `--at`: see the module docs for the forms. The result is never
/// before `now`.
pub fn parse_at(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
    let s = input.trim();
    let lower = s.to_ascii_lowercase();
    let now_z = now.to_zoned(tz.clone());
    let (ts, bare_clock) = if lower == "now" {
        (now, false)
    } else if let Some(delay) = lower
        .strip_prefix("in ")
        .or_else(|| lower.strip_prefix('+'))
    {
        let amount = Amount::parse(delay).ok_or_else(|| {
            Error::usage(
                format!("cannot read `{s}` as a delay"),
                Some(format!(
                    "write a delay like `in 2h`, `in 30m` or `+1h30m` ({DURATION_FORMS})"
                )),
            )
        })?;
        (amount.add_to(&now_z)?, false)
    } else if let Some(clock) = lower.strip_prefix("today ") {
        (on_day(now_z.date(), clock, s, tz)?, false)
    } else if let Some(clock) = lower.strip_prefix("tomorrow ") {
        let day = now_z.date().tomorrow().map_err(|e| out_of_range(s, e))?;
        (on_day(day, clock, s, tz)?, false)
    } else if let Some(t) = parse_clock(&lower) {
        (at_civil(now_z.date().to_datetime(t), tz, s)?, true)
    } else if s.len() <= 10 && s.parse::<Date>().is_ok() {
        return Err(Error::usage(
            format!("`{s}` has no time of day"),
            Some(format!("add one, e.g. `{s} 09:00`")),
        ));
    } else if let Some(ts) = parse_absolute(s, tz)? {
        (ts, false)
    } else {
        return Err(Error::usage(
            format!("cannot read `{s}` as a time"),
            Some(format!("write {AT_FORMS}")),
        ));
    };
    if ts < now {
        let hint = if bare_clock {
            format!("`{s}` means today; for tomorrow write `tomorrow {s}`")
        } else {
            "give a time in the future, e.g. `tomorrow 09:00` or `in 2h`".to_string()
        };
        let (when, now_text) = show_pair(ts, now, tz);
        return Err(Error::usage(
            format!("{when} is in the past (now is {now_text})"),
            Some(hint),
        ));
    }
    Ok(ts)
}

/// RFC 3339 with an offset, a zone-annotated time, or a civil date-time in `tz`.
fn parse_absolute(s: &str, tz: &TimeZone) -> Result<Option<Timestamp>> {
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(Some(ts));
    }
    if let Ok(z) = s.parse::<Zoned>() {
        return Ok(Some(z.timestamp()));
    }
    if s.contains('[') {
        return Err(Error::usage(
            format!("cannot read `{s}` as a time in a named zone"),
            Some("write e.g. `2026-05-01T09:00[Europe/Berlin]`".into()),
        ));
    }
    match s.parse::<DateTime>() {
        Ok(dt) => at_civil(dt, tz, s).map(Some),
        Err(_) => Ok(None),
    }
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`.
fn parse_clock(s: &str) -> Option<Time> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[1..].iter().any(|p| p.len() != 2)
    {
        return None;
    }
    let n = |i: usize| parts.get(i).map_or(Some(0), |p| p.parse::<i8>().ok());
    Time::new(n(0)?, n(1)?, n(2)?, 0).ok()
}

fn on_day(day: Date, clock: &str, input: &str, tz: &TimeZone) -> Result<Timestamp> {
    let t = parse_clock(clock).ok_or_else(|| {
        Error::usage(
            format!("cannot read the time of day in `{input}`"),
            Some("write it as HH:MM, e.g. `tomorrow 09:00`".into()),
        )
    })?;
    at_civil(day.to_datetime(t), tz, input)
}

/// A wall-clock time in `tz`; a skipped time moves forward, a repeated one
/// takes its first instant (RFC 5545's "compatible" choice).
fn at_civil(dt: DateTime, tz: &TimeZone, input: &str) -> Result<Timestamp> {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|e| out_of_range(input, e))
}

fn out_of_range(input: &str, e: jiff::Error) -> Error {
    Error::usage(format!("`{input}` is out of range: {e}"), None)
}

/// Two instants shown in `tz` to the minute, or to the second when the
/// minutes alone would read the same.
fn show_pair(a: Timestamp, b: Timestamp, tz: &TimeZone) -> (String, String) {
    let show = |t: Timestamp, f: &str| t.to_zoned(tz.clone()).strftime(f).to_string();
    let minutes = "%Y-%m-%d %H:%M %Z";
    if show(a, minutes) == show(b, minutes) {
        let seconds = "%Y-%m-%d %H:%M:%S %Z";
        (show(a, seconds), show(b, seconds))
    } else {
        (show(a, minutes), show(b, minutes))
    }
}

/// How often a job repeats: a fixed interval or a cron expression, read in
/// the job's time zone. Its text (`as_str`, `Display`) is what the job
/// table stores and what [`parse_every`] reads back.
#[derive(Clone)]
pub struct Recurrence {
    text: String,
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Interval(Amount),
    Cron(Box<Cron>),
}

/// Reads `--every`: an interval of at least a minute, or a five-field cron
/// expression (see the module docs).
pub fn parse_every(input: &str) -> Result<Recurrence> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let hint = || {
        Some(format!(
            "write an interval like {DURATION_FORMS}, or a cron expression with five fields \
             (minute hour day-of-month month day-of-week), e.g. `0 9 * * 1-5`"
        ))
    };
    if let Some(amount) = Amount::parse(&s) {
        if amount.is_zero() || amount.at_least().as_secs() < 60 {
            return Err(Error::usage(
                format!("`{s}` is too often: the shortest interval is 1 minute"),
                hint(),
            ));
        }
        return Ok(Recurrence {
            text: s.to_ascii_lowercase(),
            kind: Kind::Interval(amount),
        });
    }
    let fields = s.split(' ').count();
    if s.starts_with('@') || fields == 5 {
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        return match parser.parse(&s) {
            Ok(cron) => Ok(Recurrence {
                text: s,
                kind: Kind::Cron(Box::new(cron)),
            }),
            Err(e) => Err(Error::usage(
                format!("`{s}` is not a valid cron expression: {e}"),
                hint(),
            )),
        };
    }
    let what = if s.is_empty() {
        "an empty schedule is not an interval or cron expression".to_string()
    } else if fields > 1 && s.chars().any(|c| c == '*' || c.is_ascii_digit()) {
        format!("`{s}` has {fields} fields; a cron expression has 5")
    } else {
        format!("cannot read `{s}` as an interval or a cron expression")
    };
    Err(Error::usage(what, hint()))
}

impl Recurrence {
    /// The text as stored and shown (`30m`, `0 9 * * 1-5`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn is_cron(&self) -> bool {
        matches!(self.kind, Kind::Cron(_))
    }

    /// The first occurrence strictly after `ts`: for an interval, `ts` plus
    /// the interval (days as calendar days in `tz`); for cron, the next
    /// matching minute in `tz`.
    pub fn next_after(&self, ts: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
        let zoned = ts.to_zoned(tz.clone());
        match &self.kind {
            Kind::Interval(a) => a.add_to(&zoned),
            Kind::Cron(cron) => cron
                .find_next_occurrence(&zoned, false)
                .map(|z| z.timestamp())
                .map_err(|e| Error::Unexpected {
                    message: format!("no time matches `{}` after {zoned}: {e}", self.text),
                }),
        }
    }

    /// The first occurrence strictly after `ts`, or a usage error when
    /// there is none: a cron expression whose date never exists
    /// (`0 0 30 2 *`, the 30th of February) would otherwise be queued and
    /// never fire.
    pub fn first_after(&self, ts: Timestamp, tz: &TimeZone) -> Result<Timestamp> {
        self.next_after(ts, tz).map_err(|_| {
            Error::usage(
                format!(
                    "`{}` never fires: no date after {} matches it",
                    self.text,
                    ts.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M %Z")
                ),
                Some(
                    "check the day of month against the month (February has no 30th), \
                     e.g. `0 9 28 2 *`"
                        .into(),
                ),
            )
        })
    }

    /// The next due time of a job last due at `previous`, strictly after
    /// `now`: intervals keep their phase (`every 1h` from 09:15 stays on
    /// :15), and occurrences missed while nothing ran are skipped, not
    /// caught up one by one.
    pub fn next_due(
        &self,
        previous: Timestamp,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Result<Timestamp> {
        let start = match &self.kind {
            Kind::Cron(_) => return self.next_after(previous.max(now), tz),
            // An exact interval jumps straight to the last occurrence not after now.
            Kind::Interval(a) if a.days == 0 && now > previous => {
                let step = a.seconds * 1000;
                let behind = now.as_millisecond() - previous.as_millisecond();
                let jumps = behind / step;
                Timestamp::from_millisecond(previous.as_millisecond() + jumps * step)
                    .unwrap_or(previous)
            }
            Kind::Interval(_) => previous,
        };
        let mut next = self.next_after(start, tz)?;
        while next <= now {
            next = self.next_after(next, tz)?;
        }
        Ok(next)
    }
}

impl FromStr for Recurrence {
    type Err = Error;

    fn from_str(s: &str) -> Result<Recurrence> {
        parse_every(s)
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recurrence({:?})", self.text)
    }
}

impl PartialEq for Recurrence {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Recurrence {}

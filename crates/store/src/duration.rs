//! Human durations: `90s`, `2m`, `1h30m`, `2 hours`, `1d`, `1w`.
//!
//! Days and weeks are kept apart from hours: added to a zoned time they are
//! calendar days (09:00 stays 09:00 across a daylight-saving change), while
//! hours, minutes and seconds are exact.

use std::time::Duration;

use distroflow_core::{Error, Result};
use jiff::{Span, Timestamp, Zoned};

/// The forms a duration may take, for hints.
pub(crate) const DURATION_FORMS: &str = "90s, 30m, 2h, 1h30m, 1d, 1w (or words: 2 hours)";

/// A parsed duration: calendar days (weeks count 7) plus an exact part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Amount {
    pub(crate) days: i64,
    pub(crate) seconds: i64,
}

impl Amount {
    /// Parses a duration in jiff's friendly format (`90s`, `1h30m`,
    /// `1h 30m`, `2 hours`, `1.5h`, `1d`, `1w`, `1 day, 2 hours`; ISO 8601's
    /// `PT2H` too), case aside. Weeks and days are calendar days; months
    /// and years (of varying length), sub-second parts and negative or
    /// past (`ago`) spans are refused, as is anything over 100 years.
    pub(crate) fn parse(input: &str) -> Option<Amount> {
        let s = input.trim().to_ascii_lowercase();
        if s.starts_with(['-', '+']) || s.ends_with("ago") {
            return None;
        }
        let span: Span = s.parse().ok()?;
        let sub_second = span.get_milliseconds() != 0
            || span.get_microseconds() != 0
            || span.get_nanoseconds() != 0;
        if span.is_negative() || span.get_years() != 0 || span.get_months() != 0 || sub_second {
            return None;
        }
        let days = i64::from(span.get_weeks()) * 7 + i64::from(span.get_days());
        let seconds =
            i64::from(span.get_hours()) * 3600 + span.get_minutes() * 60 + span.get_seconds();
        let total = Amount { days, seconds };
        (total.days <= 36_500 && total.seconds <= 36_500 * 86_400).then_some(total)
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.days == 0 && self.seconds == 0
    }

    /// The shortest this amount can last (a calendar day is at least 23 hours).
    pub(crate) fn at_least(&self) -> Duration {
        Duration::from_secs((self.days * 23 * 3600 + self.seconds).max(0) as u64)
    }

    /// As an exact duration, counting a day as 24 hours.
    pub(crate) fn as_exact(&self) -> Duration {
        Duration::from_secs((self.days * 86_400 + self.seconds).max(0) as u64)
    }

    /// `zoned + self`: calendar days first, then the exact part.
    pub(crate) fn add_to(&self, zoned: &Zoned) -> Result<Timestamp> {
        let span = Span::new()
            .try_days(self.days)
            .and_then(|s| s.try_seconds(self.seconds))
            .and_then(|s| zoned.checked_add(s))
            .map_err(|e| Error::usage(format!("that time is out of range: {e}"), None))?;
        Ok(span.timestamp())
    }
}

/// Parses a duration for configuration (`"2m"`, `"24h"`, `"1d"` = 24 hours).
pub fn parse_duration(input: &str) -> Result<Duration> {
    Amount::parse(input).map(|a| a.as_exact()).ok_or_else(|| {
        Error::usage(
            format!("`{}` is not a duration", input.trim()),
            Some(format!("write durations like {DURATION_FORMS}")),
        )
    })
}

/// Formats a duration for people: `2m`, `1h30m`, `1d2h`, `45s`.
pub fn format_duration(d: Duration) -> String {
    let mut secs = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if secs >= size {
            out.push_str(&format!("{}{unit}", secs / size));
            secs %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_long_and_compound_forms() {
        let a = |s| Amount::parse(s).unwrap();
        assert_eq!(a("90s").seconds, 90);
        assert_eq!(a("2m").seconds, 120);
        assert_eq!(a("1h30m").seconds, 5400);
        assert_eq!(a("1h 30m").seconds, 5400);
        assert_eq!(a("2 hours").seconds, 7200);
        assert_eq!(a("1.5h").seconds, 5400);
        assert_eq!(a("PT2H").seconds, 7200);
        assert_eq!(
            a("1 day, 2 hours"),
            Amount {
                days: 1,
                seconds: 7200
            }
        );
        assert_eq!(
            a("1d"),
            Amount {
                days: 1,
                seconds: 0
            }
        );
        assert_eq!(
            a("1w"),
            Amount {
                days: 7,
                seconds: 0
            }
        );
        assert_eq!(
            a("1D2H"),
            Amount {
                days: 1,
                seconds: 7200
            }
        );
        for bad in [
            "",
            "2",
            "m",
            "2x",
            "2 months",
            "1y",
            "-1h",
            "1h ago",
            "500ms",
            "200000d",
            "99999999999999999999s",
        ] {
            assert_eq!(Amount::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn config_durations_count_days_as_24_hours() {
        assert_eq!(parse_duration("24h").unwrap(), Duration::from_secs(86_400));
        assert_eq!(parse_duration("1d").unwrap(), Duration::from_secs(86_400));
        let e = parse_duration("soon").unwrap_err();
        assert!(e.is_usage());
        assert_eq!(e.to_string(), "`soon` is not a duration");
    }

    #[test]
    fn formats_compactly() {
        assert_eq!(format_duration(Duration::from_secs(120)), "2m");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_secs(93_600)), "1d2h");
        assert_eq!(format_duration(Duration::from_millis(1500)), "2s");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }
}

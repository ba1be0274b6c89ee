//! `history`: every post attempt, newest first, filtered as the CLI's
//! `--platform`, `--status`, `--since` and `--limit` say.

use distroflow_core::{Error, PlatformId, Result};
use distroflow_store::{AttemptState, HistoryFilter, Store};
use jiff::{Span, Timestamp, Zoned};

use crate::wire::WireAttempt;

/// The filters of `history`, as given (names and spans are read here, so
/// that the CLI and the API refuse the same input with the same message).
#[derive(Clone, Debug)]
pub struct HistoryQuery {
    pub platform: Option<String>,
    pub status: Option<String>,
    pub since: Option<String>,
    pub limit: usize,
}

impl Default for HistoryQuery {
    fn default() -> Self {
        HistoryQuery {
            platform: None,
            status: None,
            since: None,
            limit: 50,
        }
    }
}

impl HistoryQuery {
    fn filter(&self, now: &Zoned) -> Result<HistoryFilter> {
        Ok(HistoryFilter {
            platform: self
                .platform
                .as_deref()
                .map(str::parse::<PlatformId>)
                .transpose()?,
            state: self.status.as_deref().map(parse_status).transpose()?,
            since: self
                .since
                .as_deref()
                .map(|s| parse_since(s, now))
                .transpose()?,
            limit: self.limit,
        })
    }
}

/// The attempts `query` selects. Attempts of runs that died are shown as
/// what they are: uncertain.
pub fn history(store: &Store, query: &HistoryQuery, now: &Zoned) -> Result<Vec<WireAttempt>> {
    let filter = query.filter(now)?;
    store.uncertain_or_running(now.timestamp())?;
    Ok(store
        .history_where(&filter)?
        .iter()
        .map(WireAttempt::from)
        .collect())
}

pub fn parse_status(s: &str) -> Result<AttemptState> {
    let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
    AttemptState::ALL
        .into_iter()
        .find(|st| st.as_str() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = AttemptState::ALL.iter().map(|st| st.as_str()).collect();
            Error::usage(
                format!("`{s}` is not an attempt status"),
                Some(format!("--status takes one of: {}", names.join(", "))),
            )
        })
}

/// `--since`: an RFC 3339 time, or a span back from `now` (`2d`, `12h`,
/// `1w`, `90 minutes`, `3 days ago`); days and weeks are calendar days in
/// `now`'s zone.
pub fn parse_since(s: &str, now: &Zoned) -> Result<Timestamp> {
    let text = s.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let refuse = || {
        Error::usage(
            format!("cannot read `{s}` as a time or a span"),
            Some(
                "--since takes an RFC 3339 time (2026-03-01T09:00:00Z) or a span back \
                 from now (2d, 12h, 1w, 90 minutes)"
                    .into(),
            ),
        )
    };
    let span: Span = text.parse().map_err(|_| refuse())?;
    now.checked_sub(span.abs())
        .map(|z| z.timestamp())
        .map_err(|_| refuse())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Zoned {
        "2026-03-05T12:00:00+01:00[Europe/Berlin]".parse().unwrap()
    }

    #[test]
    fn since_reads_rfc_3339_and_spans_back_from_now() {
        let at = |s: &str| parse_since(s, &now()).unwrap().to_string();
        assert_eq!(at("2026-03-01T09:00:00Z"), "2026-03-01T09:00:00Z");
        assert_eq!(at("2026-03-01T10:00:00+01:00"), "2026-03-01T09:00:00Z");
        assert_eq!(at("2d"), "2026-03-03T11:00:00Z");
        assert_eq!(at("12h"), "2026-03-04T23:00:00Z");
        assert_eq!(at("1w"), "2026-02-26T11:00:00Z");
        assert_eq!(at("90 minutes"), "2026-03-05T09:30:00Z");
        assert_eq!(at("3 days ago"), "2026-03-02T11:00:00Z");
        for bad in ["yesterday-ish", "", "2026-13-01"] {
            let e = parse_since(bad, &now()).unwrap_err();
            assert!(
                e.is_usage() && e.hint().unwrap().contains("RFC 3339"),
                "{bad}"
            );
        }
    }

    #[test]
    fn status_names_are_the_ones_history_prints() {
        assert_eq!(parse_status("posted").unwrap(), AttemptState::Posted);
        assert_eq!(
            parse_status("needs-human").unwrap(),
            AttemptState::NeedsHuman
        );
        let e = parse_status("ok").unwrap_err();
        assert!(e.hint().unwrap().contains("needs_human"), "{e:?}");
    }
}

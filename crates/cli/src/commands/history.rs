use distroflow_core::{Error, Home, Result};
use distroflow_store::{AttemptState, HistoryFilter};
use jiff::{Span, Timestamp, Zoned};
use serde::Serialize;

use crate::args::HistoryArgs;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Serialize)]
struct WireAttempt<'a> {
    id: i64,
    platform: &'a str,
    account: &'a str,
    state: &'a str,
    summary: &'a str,
    url: Option<&'a str>,
    post_id: Option<&'a str>,
    error_kind: Option<&'a str>,
    error: Option<&'a str>,
    content_hash: &'a str,
    created_at: String,
    finished_at: Option<String>,
}

pub(crate) fn run(args: HistoryArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let store = distroflow_store::Store::open_home(&home)?;
    // Attempts of runs that died are shown as what they are: uncertain.
    store.uncertain_or_running(jiff::Timestamp::now())?;
    let filter = HistoryFilter {
        platform: args
            .platform
            .as_deref()
            .map(crate::commands::parse_platform)
            .transpose()?,
        state: args.status.as_deref().map(parse_status).transpose()?,
        since: args
            .since
            .as_deref()
            .map(|s| parse_since(s, &Zoned::now()))
            .transpose()?,
        limit: args.limit,
    };
    let rows = store.history_where(&filter)?;
    if rows.is_empty() && !args.json {
        output::line("no posts yet");
    }
    for r in &rows {
        if args.json {
            output::json_line(&WireAttempt {
                id: r.id.0,
                platform: r.platform.as_str(),
                account: &r.account,
                state: r.state.as_str(),
                summary: &r.summary,
                url: r.url.as_deref(),
                post_id: r.post_id.as_deref(),
                error_kind: r.error_kind.as_deref(),
                error: r.error.as_deref(),
                content_hash: r.content_hash.as_str(),
                created_at: r.created_at.to_string(),
                finished_at: r.finished_at.map(|t| t.to_string()),
            });
        } else {
            let what = r.url.as_deref().or(r.error.as_deref()).unwrap_or_default();
            output::line(&format!(
                "{:>5}  {}  {:<10} {:<11} {:<40}  {what}",
                r.id.0,
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                r.platform.as_str(),
                r.state.as_str(),
                r.summary.chars().take(40).collect::<String>(),
            ));
        }
    }
    Ok(ExitStatus::Success)
}

fn parse_status(s: &str) -> Result<AttemptState> {
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
pub(crate) fn parse_since(s: &str, now: &Zoned) -> Result<Timestamp> {
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

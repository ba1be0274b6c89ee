use distroflow_core::{Home, Result};
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
    let rows = store.history(args.limit)?;
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

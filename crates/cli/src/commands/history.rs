use distroflow_app::HistoryQuery;
use distroflow_core::{Home, Result};
use jiff::Zoned;

use crate::args::HistoryArgs;
use crate::exit::ExitStatus;
use crate::output;

pub(crate) fn run(args: HistoryArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let store = distroflow_store::Store::open_home(&home)?;
    let query = HistoryQuery {
        platform: args.platform,
        status: args.status,
        since: args.since,
        limit: args.limit,
    };
    let rows = distroflow_app::history(&store, &query, &Zoned::now())?;
    if rows.is_empty() && !args.json {
        output::line("no posts yet");
    }
    for r in &rows {
        if args.json {
            output::json_line(r);
        } else {
            let what = r.url.as_deref().or(r.error.as_deref()).unwrap_or_default();
            // `created_at` is RFC 3339: the minute is its first 16 characters.
            let when = r
                .created_at
                .parse::<jiff::Timestamp>()
                .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|_| r.created_at.clone());
            output::line(&format!(
                "{:>5}  {}  {:<10} {:<11} {:<40}  {what}",
                r.id,
                when,
                r.platform,
                r.state,
                r.summary.chars().take(40).collect::<String>(),
            ));
        }
    }
    Ok(ExitStatus::Success)
}

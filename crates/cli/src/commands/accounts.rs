use distroflow_core::{Error, Home, Result};

use crate::args::AccountsArgs;
use crate::exit::ExitStatus;
use crate::output;

pub(crate) async fn run(args: AccountsArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let rows = distroflow_app::accounts(
        &home,
        &config,
        args.offline,
        None,
        crate::signals::requested(),
    )
    .await?;
    let Some(rows) = rows else {
        return Err(Error::usage(crate::signals::name(), None));
    };
    for row in &rows {
        if args.json {
            output::json_line(row);
        } else {
            let mut s = format!("{:<11} {}", row.platform, row.status.replace('_', " "));
            if let Some(u) = &row.username {
                s.push_str(&format!(" as {u}"));
            }
            if let Some(t) = &row.saved_at {
                s.push_str(&format!(" (saved {t})"));
            }
            if let Some(e) = &row.error {
                s.push_str(&format!(" (could not check: {e})"));
            }
            output::line(&s);
        }
    }
    Ok(ExitStatus::Success)
}

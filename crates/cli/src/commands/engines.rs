//! `distroflow engines`: the browser engines posts run on.

use distroflow_core::{Home, Result};

use crate::args::EnginesArgs;
use crate::commands::browser_options;
use crate::exit::ExitStatus;
use crate::output;

pub(crate) async fn run(args: EnginesArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let engines = distroflow_browser::Engines::new(config.endpoints()?, browser_options(&config));
    let status = engines.status().await;
    let mut all_ok = true;
    for s in &status {
        all_ok &= s.reachable;
        if args.json {
            output::json_line(&distroflow_app::wire::WireEngine::from(s));
        } else {
            let state = match (&s.version, &s.error) {
                (Some(v), _) => format!("reachable  {v}"),
                (None, Some(e)) => format!("unreachable  {e}"),
                (None, None) => "unreachable".into(),
            };
            let latency = s
                .latency
                .map(|l| format!("  {} ms", l.as_millis()))
                .unwrap_or_default();
            output::line(&format!(
                "{:<20} {:<12} {}  sessions {}/{}{latency}  {}",
                s.name,
                s.kind.as_str(),
                state,
                s.in_use,
                s.max_sessions,
                s.url
            ));
        }
    }
    Ok(if all_ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

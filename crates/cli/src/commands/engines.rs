//! `distroflow engines`: the browser engines posts run on.

use distroflow_core::{Home, Result};
use serde::Serialize;

use crate::args::EnginesArgs;
use crate::commands::browser_options;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Serialize)]
struct WireEngine<'a> {
    name: &'a str,
    kind: &'a str,
    url: &'a str,
    reachable: bool,
    version: Option<&'a str>,
    max_sessions: usize,
    in_use: usize,
    free: usize,
    latency_ms: Option<u128>,
    error: Option<&'a str>,
}

pub(crate) async fn run(args: EnginesArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let engines = distroflow_browser::Engines::new(config.endpoints()?, browser_options(&config));
    let status = engines.status().await;
    let mut all_ok = true;
    for s in &status {
        all_ok &= s.reachable;
        if args.json {
            output::json_line(&WireEngine {
                name: &s.name,
                kind: s.kind.as_str(),
                url: &s.url,
                reachable: s.reachable,
                version: s.version.as_deref(),
                max_sessions: s.max_sessions,
                in_use: s.in_use,
                free: s.max_sessions - s.in_use,
                latency_ms: s.latency.map(|l| l.as_millis()),
                error: s.error.as_deref(),
            });
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

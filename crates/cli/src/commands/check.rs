//! `distroflow check`, and the same content checks for `post`: what each
//! platform would get, fixed (split, truncated, hashtags as words) or
//! refused before any browser starts.

use distroflow_app::{overflow, parse_networks, post_from, validate};
use distroflow_core::{Check, Home, Network, Result};

use crate::args::CheckArgs;
use crate::commands::validate::content;
use crate::exit::ExitStatus;
use crate::output;

/// One human line (or several) for a check.
pub(crate) fn print_check(c: &Check, json: bool) {
    if json {
        output::json_line(c);
        return;
    }
    let count = c.weighted_length.or(c.length).unwrap_or(0);
    let unit = if c.weighted_length.is_some() {
        " weighted"
    } else {
        ""
    };
    let mark = if c.valid { "✓" } else { "✗" };
    let what = if c.platform == Network::HackerNews {
        "title "
    } else {
        ""
    };
    let mut s = format!(
        "{mark} {:<11} {what}{count}/{}{unit}",
        c.platform.as_str(),
        c.limit
    );
    if let (Some(t), Some(l), false) = (
        c.title_length,
        c.title_limit,
        c.platform == Network::HackerNews,
    ) {
        s.push_str(&format!(", title {t}/{l}"));
    }
    if c.parts.len() > 1 {
        s.push_str(&format!(", a thread of {}", c.parts.len()));
    }
    for (i, p) in c.parts.iter().enumerate() {
        let n = c.part_lengths.get(i).copied().unwrap_or(0);
        let prefix = if c.parts.len() > 1 {
            format!("[{}/{}, {n}] ", i + 1, c.parts.len())
        } else {
            String::new()
        };
        for (j, line) in p.lines().enumerate() {
            s.push_str(&format!(
                "\n  {}{line}",
                if j == 0 { prefix.as_str() } else { "" }
            ));
        }
    }
    for w in &c.warnings {
        s.push_str(&format!("\n  warning: {w}"));
    }
    for e in &c.errors {
        s.push_str(&format!("\n  error: {e}"));
    }
    output::line(&s);
}

pub(crate) fn run(args: CheckArgs) -> Result<ExitStatus> {
    let config = Home::from_env()?.load_config()?;
    let networks = parse_networks(&crate::commands::targets_or_default(&args.to, &config)?)?;
    let content = content(&args.content)?;
    let mode = overflow(content.fit)?;
    let post = post_from(&content, &networks)?;
    let mut limits = config.content_limits()?;
    distroflow_app::apply_instance_limits(&mut limits, &config, &networks);
    let v = validate(&networks, post, mode, &limits);
    for c in &v.checks {
        print_check(c, args.json);
    }
    Ok(if v.valid() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

use distroflow_core::{Error, Home, PlatformId, Result};
use distroflow_healer::{read_repairs, SelectorBook};
use serde::Serialize;

use crate::args::{HealAction, HealArgs, SelectorsAction, SelectorsArgs};
use crate::commands::healer;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Serialize)]
struct WireTarget<'a> {
    target: &'a str,
    candidates: &'a [String],
    learned: &'a [String],
    overridden: bool,
    fingerprint: bool,
    destructive: bool,
}

/// Unix seconds as RFC 3339 in UTC (`2025-01-31T09:30:00Z`).
fn rfc3339(unix_secs: u64) -> String {
    distroflow_app::wire::rfc3339(unix_secs).unwrap_or_else(|| unix_secs.to_string())
}

fn platform_filter(p: Option<&str>) -> Result<Option<&'static str>> {
    p.map(|p| p.parse::<PlatformId>().map(PlatformId::as_str))
        .transpose()
}

pub(crate) fn run(args: SelectorsArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let healer = healer(Some(&home))?;
    let book = healer.book();
    let memory = healer.memory();
    let in_platform =
        |name: &str, p: Option<&str>| p.is_none_or(|p| name.split('.').next() == Some(p));
    match args.action {
        SelectorsAction::List { platform, json } => {
            let p = platform_filter(platform.as_deref())?;
            for (name, t) in book.targets().filter(|(n, _)| in_platform(n, p)) {
                let learned = memory.learned(name);
                let learned = learned.as_slice();
                let fingerprint = memory.fingerprint(name).is_some();
                if json {
                    output::json_line(&WireTarget {
                        target: name,
                        candidates: &t.candidates,
                        learned,
                        overridden: book.is_overridden(name),
                        fingerprint,
                        destructive: t.destructive,
                    });
                } else {
                    let mut flags = Vec::new();
                    if !learned.is_empty() {
                        flags.push(format!("{} learned", learned.len()));
                    }
                    if book.is_overridden(name) {
                        flags.push("overridden".into());
                    }
                    if fingerprint {
                        flags.push("fingerprinted".into());
                    }
                    let flags = if flags.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", flags.join(", "))
                    };
                    output::line(&format!(
                        "{name}  {}  (+{} more){flags}",
                        learned.first().unwrap_or(&t.candidates[0]),
                        t.candidates.len() - 1
                    ));
                }
            }
        }
        SelectorsAction::Export { platform } => {
            // Every field of every target (candidates, `expect`,
            // `destructive`), learned selectors first: import is lossless.
            let p = platform_filter(platform.as_deref())?;
            let text = book.export_with_learned(p, |name| memory.learned(name));
            output::line(text.trim_end());
        }
        SelectorsAction::Import { file } => {
            let text = std::fs::read_to_string(&file).map_err(|e| {
                Error::usage(
                    format!("cannot read selector file {}: {e}", file.display()),
                    None,
                )
            })?;
            // Checked against the built-in targets, not this home's
            // overrides: an override cannot make a typo a target.
            let builtin = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)?;
            let n = builtin.check_import(&file.display().to_string(), &text)?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".toml"))
                .unwrap_or_else(|| "imported.toml".into());
            let path = home.write_private("selectors", &name, text.as_bytes())?;
            eprintln!("imported {n} targets into {}", path.display());
        }
        SelectorsAction::Reset { platform } => {
            let p = platform_filter(platform.as_deref())?;
            memory.forget(p)?;
            if p.is_none() {
                let dir = home.root().join("selectors");
                if dir.exists() {
                    std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                }
            }
            eprintln!(
                "forgot learned selectors and fingerprints{}",
                p.map(|p| format!(" of {p}"))
                    .unwrap_or_else(|| " and imported selector files".into())
            );
        }
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn heal(args: HealArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let HealAction::Log { json } = args.action;
    let repairs = read_repairs(&home)?;
    if json {
        for r in &repairs {
            output::json_line(&distroflow_app::wire::WireRepair::from(r));
        }
        return Ok(ExitStatus::Success);
    }
    if repairs.is_empty() {
        output::line("no repairs recorded");
        return Ok(ExitStatus::Success);
    }
    for r in &repairs {
        let cost = match (r.tier.as_str(), r.cost_usd) {
            ("model", Some(c)) => format!("  ${c:.4}"),
            ("model", None) => "  cost unknown".into(),
            _ => String::new(),
        };
        output::line(&format!(
            "{}  {:<10} {:<32} {:<12} score {:.2}  +{}ms  {}{cost}{}",
            rfc3339(r.time),
            r.platform,
            r.target,
            r.tier,
            r.score,
            r.latency_ms,
            r.selector,
            if r.confirmed { "" } else { "  (unconfirmed)" }
        ));
    }
    output::line(&summary(&repairs));
    Ok(ExitStatus::Success)
}

/// The last line of `heal log`: counts and the model cost, which is
/// unknown for calls to a model without a price (never a guess).
fn summary(repairs: &[distroflow_healer::Repair]) -> String {
    let model: Vec<_> = repairs.iter().filter(|r| r.tier == "model").collect();
    let known: f64 = model.iter().filter_map(|r| r.cost_usd).sum();
    let unknown = model.iter().filter(|r| r.cost_usd.is_none()).count();
    let cost = if unknown == 0 {
        format!("${known:.4}")
    } else if unknown == model.len() {
        "unknown (no price for the model: set [ai.prices.\"<model>\"] in config.toml)".into()
    } else {
        format!(
            "${known:.4} plus {unknown} calls at unknown cost \
             (no price for the model: set [ai.prices.\"<model>\"] in config.toml)"
        )
    };
    format!(
        "{} repairs; model calls: {}; estimated model cost: {cost}",
        repairs.len(),
        model.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repair(tier: &str, cost_usd: Option<f64>) -> distroflow_healer::Repair {
        distroflow_healer::Repair {
            time: 1_700_000_000,
            platform: "hackernews".into(),
            target: "hackernews.submit.title".into(),
            tier: tier.into(),
            old_selector: "#a".into(),
            selector: "#b".into(),
            score: 0.9,
            latency_ms: 10,
            tokens: if tier == "model" { 100 } else { 0 },
            cost_usd,
            confirmed: true,
            url: String::new(),
        }
    }

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // Out of jiff's range: the number, not a panic.
        assert_eq!(rfc3339(u64::MAX), u64::MAX.to_string());
        let r = repair("model", None);
        let v = serde_json::to_value(distroflow_app::wire::WireRepair::from(&r)).unwrap();
        assert_eq!(v["time"], "2023-11-14T22:13:20Z");
        assert!(v["cost_usd"].is_null());
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let old = serde_json::to_value(&r).unwrap();
        let old_keys: Vec<&str> = old
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, old_keys, "the same field names as before");
    }

    #[test]
    fn the_cost_of_unpriced_model_calls_is_unknown_never_zero() {
        let known = [
            repair("similarity", Some(0.0)),
            repair("model", Some(0.0125)),
        ];
        assert!(summary(&known).ends_with("model calls: 1; estimated model cost: $0.0125"));
        let unknown = [repair("similarity", Some(0.0)), repair("model", None)];
        let s = summary(&unknown);
        assert!(s.contains("estimated model cost: unknown"), "{s}");
        assert!(!s.contains('$'), "{s}");
        let mixed = [repair("model", Some(0.5)), repair("model", None)];
        let s = summary(&mixed);
        assert!(s.contains("$0.5000 plus 1 calls at unknown cost"), "{s}");
    }
}

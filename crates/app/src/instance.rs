//! A Mastodon instance's own limits, read from its `/api/v2/instance`
//! before validation: instances raise (or lower) the upstream 500.

use std::time::Duration;

use distroflow_core::{Config, Limits, Network, PlatformId};

/// How long the instance gets to answer before the limits table's
/// default (500) is used.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Sets Mastodon's text limit and URL length to the configured instance's
/// (`configuration.statuses.max_characters`, `characters_reserved_per_url`)
/// when Mastodon is a target, its instance is configured
/// (`DISTROFLOW_MASTODON_URL` or `[platforms.mastodon] url`; the default
/// mastodon.social takes the default 500) and `[limits.mastodon] text` does
/// not set the limit by hand. An instance that does not answer leaves the
/// table's limit, with a warning in the log.
pub fn apply_instance_limits(limits: &mut Limits, config: &Config, networks: &[Network]) {
    if !networks.contains(&Network::Mastodon) {
        return;
    }
    let by_hand = config
        .limits
        .iter()
        .any(|(k, o)| k.parse::<Network>().ok() == Some(Network::Mastodon) && o.text.is_some());
    let env_set =
        std::env::var(PlatformId::Mastodon.url_env_var()).is_ok_and(|v| !v.trim().is_empty());
    let configured = env_set
        || config.platforms.iter().any(|(k, p)| {
            k.parse::<PlatformId>().ok() == Some(PlatformId::Mastodon) && p.url.is_some()
        });
    if by_hand || !configured {
        return;
    }
    let Ok(base) = config.base_url(PlatformId::Mastodon) else {
        return;
    };
    match fetch(&base) {
        Ok((max, per_url)) => {
            tracing::debug!(max, per_url, "Mastodon instance limits from {base}");
            let l = limits.get_mut(Network::Mastodon);
            l.text = Some(max);
            l.url_length = Some(per_url);
        }
        Err(e) => tracing::warn!(
            "could not read {base}api/v2/instance ({e}); Mastodon's limit is taken as {}",
            limits.get(Network::Mastodon).text.unwrap_or(500)
        ),
    }
}

/// `(max_characters, characters_reserved_per_url)`, on a thread of its
/// own so that it can be called from async and sync code alike.
fn fetch(base: &url::Url) -> Result<(usize, usize), String> {
    let url = base.join("api/v2/instance").map_err(|e| e.to_string())?;
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                let client = reqwest::Client::builder()
                    .timeout(TIMEOUT)
                    .build()
                    .map_err(|e| e.to_string())?;
                let v: serde_json::Value = client
                    .get(url)
                    .header("Accept", "application/json")
                    .send()
                    .await
                    .and_then(|r| r.error_for_status())
                    .map_err(|e| e.without_url().to_string())?
                    .json()
                    .await
                    .map_err(|e| e.without_url().to_string())?;
                let statuses = &v["configuration"]["statuses"];
                let max = statuses["max_characters"]
                    .as_u64()
                    .filter(|n| *n > 0)
                    .ok_or("no configuration.statuses.max_characters")?;
                let per_url = statuses["characters_reserved_per_url"]
                    .as_u64()
                    .unwrap_or(23);
                Ok((max as usize, per_url.max(1) as usize))
            })
        })
        .join()
        .map_err(|_| "the lookup thread failed".to_string())?
    })
}

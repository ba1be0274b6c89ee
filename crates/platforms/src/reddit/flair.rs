//! Flairs, shared by both UIs: reading, choosing, explaining a refusal.

use super::*;

pub(super) async fn read_flairs(page: &dyn Page, script: &str) -> Result<Flairs> {
    let v = page.eval(script).await?;
    let options = v["flairs"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["id"].as_str().unwrap_or_default().to_string(),
                        f["text"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .filter(|(id, text)| !id.is_empty() && !text.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(Flairs {
        required: v["required"].as_bool().unwrap_or(false),
        options,
    })
}

/// The flair to pick, or the refusal that stops the post before any click.
pub(super) fn choose_flair(
    sub: &str,
    flairs: &Flairs,
    wanted: Option<&str>,
) -> Result<Option<(String, String)>> {
    match wanted {
        Some(name) => {
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            flairs
                .options
                .iter()
                .find(|(_, text)| norm(text) == norm(name))
                .cloned()
                .map(Some)
                .ok_or_else(|| flair_refusal(sub, flairs, Some(name), None))
        }
        None if flairs.required => Err(flair_refusal(sub, flairs, None, None)),
        None => Ok(None),
    }
}

pub(super) fn flair_refusal(
    sub: &str,
    flairs: &Flairs,
    unknown: Option<&str>,
    said: Option<&str>,
) -> Error {
    let available = if flairs.options.is_empty() {
        "none".to_string()
    } else {
        flairs
            .options
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let head = match (unknown, said) {
        (Some(name), _) => format!("r/{sub} has no post flair named \"{name}\""),
        (None, Some(said)) => format!("r/{sub} requires a flair (Reddit says \"{said}\")"),
        (None, None) => format!("r/{sub} requires a flair"),
    };
    Error::Rejected {
        platform: ID,
        message: format!("{head}; available: {available}; use --flair NAME"),
    }
}

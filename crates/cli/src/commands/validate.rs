//! The one validation lives in `distroflow_app` (`check`, `post
//! --dry-run`, `post`, `schedule`, the daemon and the server all decide
//! with it); this module turns the content options into its input and
//! prints its refusals.

use distroflow_app::{Content, Fit, Problem};
use distroflow_core::{Error, Result};

use crate::args::ContentArgs;
use crate::commands::read_text;
use crate::output;

/// The content the options describe (the text read from standard input
/// for `-`).
pub(crate) fn content(args: &ContentArgs) -> Result<Content> {
    let mut text_for = Vec::new();
    for spec in &args.text_for {
        let (platform, text) = spec.split_once('=').ok_or_else(|| {
            Error::usage(
                format!("--text-for `{spec}` is not PLATFORM=TEXT"),
                Some("e.g. --text-for x=\"the short version\"".into()),
            )
        })?;
        text_for.push((platform.to_string(), text.to_string()));
    }
    Ok(Content {
        text: read_text(args.text.as_deref())?,
        title: args.title.clone(),
        url: args.url.clone(),
        media: args.media.clone(),
        subreddit: args.subreddit.clone(),
        flair: args.flair.clone(),
        text_for,
        fit: Fit {
            split: args.fit.split,
            number: args.fit.number,
            truncate: args.fit.truncate,
        },
    })
}

/// Prints every refusal once (`error:` then its own `hint:`), or with
/// `--json` one object on stdout, and says how the command ends: exit 2,
/// nothing posted.
pub(crate) fn refuse(problems: &[Problem], json: bool) {
    if json {
        let wire: Vec<_> = problems
            .iter()
            .map(|p| output::WireError {
                kind: "invalid_content",
                platform: Some(p.platform.as_str()),
                message: &p.message,
                hint: p.hint.as_deref(),
                retry_after_secs: None,
            })
            .collect();
        output::print_refusal(&wire);
        return;
    }
    for p in problems {
        output::print_problem(&p.message, p.hint.as_deref());
    }
}

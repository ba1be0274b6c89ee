//! Completions and the man page, generated from the same clap definitions
//! as `--help`, so they always match the real command line.

use std::io::Write;

use clap::CommandFactory;
use distroflow_core::{Error, Result};
use roff::{bold, italic, roman, Roff};

use crate::args::{Cli, CompletionsArgs};
use crate::exit::ExitStatus;

/// `distroflow completions SHELL`: the script on stdout.
pub(crate) fn completions(args: CompletionsArgs) -> Result<ExitStatus> {
    write_stdout(&completion_script(args.shell))
}

pub(crate) fn completion_script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "distroflow", &mut buf);
    buf
}

/// `distroflow man`: the man page (roff) on stdout, e.g.
/// `distroflow man > distroflow.1`.
pub(crate) fn man() -> Result<ExitStatus> {
    let page =
        man_page().map_err(|e| Error::usage(format!("cannot render the man page: {e}"), None))?;
    write_stdout(&page)
}

/// The page for `distroflow` (name, synopsis, description, global
/// options), then a COMMANDS section with every subcommand's usage,
/// options and examples, so that one page documents every flag (clap_mangen's
/// own list of subcommands points at per-command pages we do not install).
pub(crate) fn man_page() -> std::io::Result<Vec<u8>> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for sub in cmd.get_subcommands() {
        command_section(&mut roff, sub, "distroflow");
    }
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(out)
}

fn command_section(roff: &mut Roff, cmd: &clap::Command, parent: &str) {
    if cmd.is_hide_set() {
        return;
    }
    let path = format!("{parent} {}", cmd.get_name());
    roff.control("SS", [path.as_str()]);
    if let Some(about) = cmd.get_long_about().or(cmd.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    let usage = cmd
        .clone()
        .bin_name(&path)
        .render_usage()
        .to_string()
        .trim_start_matches("Usage: ")
        .to_string();
    roff.control("PP", []).text([bold(usage)]);
    for arg in cmd.get_arguments() {
        if arg.is_hide_set() || matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        let mut names = Vec::new();
        if let Some(s) = arg.get_short() {
            names.push(format!("-{s}"));
        }
        if let Some(l) = arg.get_long() {
            names.push(format!("--{l}"));
        }
        let mut head = vec![bold(if names.is_empty() {
            String::new()
        } else {
            names.join(", ")
        })];
        if arg.get_action().takes_values() {
            let value = arg
                .get_value_names()
                .map(|v| v.join(" "))
                .unwrap_or_else(|| arg.get_id().as_str().to_uppercase());
            head.push(roman(if names.is_empty() { "" } else { " " }));
            head.push(italic(value));
        }
        roff.control("TP", []).text(head);
        if let Some(help) = arg.get_long_help().or(arg.get_help()) {
            roff.text([roman(help.to_string())]);
        }
    }
    if let Some(after) = cmd.get_after_long_help().or(cmd.get_after_help()) {
        roff.control("PP", []);
        for line in after.to_string().lines() {
            roff.text([roman(line.to_string())]).control("br", []);
        }
    }
    for sub in cmd.get_subcommands() {
        command_section(roff, sub, &path);
    }
}

/// A closed pipe (`distroflow man | head`) is not an error.
fn write_stdout(bytes: &[u8]) -> Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitStatus::Success),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitStatus::Success),
        Err(e) => Err(Error::usage(
            format!("cannot write to standard output: {e}"),
            None,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_that_knows_post() {
        use clap::ValueEnum;
        for shell in clap_complete::Shell::value_variants() {
            let script = String::from_utf8(completion_script(*shell)).unwrap();
            assert!(!script.trim().is_empty(), "{shell}: empty");
            assert!(script.contains("post"), "{shell}: no `post`");
            assert!(script.contains("distroflow"), "{shell}: no `distroflow`");
        }
    }

    #[test]
    fn the_man_page_documents_every_command_and_its_flags() {
        let page = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(page.contains(".TH distroflow"), "no title");
        assert!(page.contains(".SS \"distroflow post\""), "no post section");
        assert!(
            !page.contains("distroflow\\-post(1)"),
            "points at a page we do not ship"
        );
        assert!(page.contains("\\-\\-subreddit"), "post's flags are missing");
        assert!(
            page.contains("distroflow queue retry"),
            "nested commands are missing"
        );
    }
}

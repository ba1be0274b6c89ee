use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Publish your own content to X, Reddit, Hacker News and Instagram through
/// a real Chromium with your own logged-in sessions. No API keys.
#[derive(Debug, Parser)]
#[command(
    name = "distroflow",
    version,
    about,
    propagate_version = true,
    after_help = crate::examples::ROOT
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Publish a post to one or more platforms.
    #[command(after_help = crate::examples::POST)]
    Post(PostArgs),
    /// Show, without a browser, exactly what each platform would get: the
    /// text (or thread), its count against the limit, warnings and errors.
    #[command(after_help = crate::examples::CHECK)]
    Check(CheckArgs),
    /// Save a session for a platform (cookies, a login form, or a visible browser).
    #[command(after_help = crate::examples::LOGIN)]
    Login(LoginArgs),
    /// Forget the saved session of a platform.
    #[command(after_help = crate::examples::LOGOUT)]
    Logout(LogoutArgs),
    /// Show which platforms have a working session.
    #[command(after_help = crate::examples::ACCOUNTS)]
    Accounts(AccountsArgs),
    /// Run local copies of the platforms to try DistroFlow without real accounts.
    #[command(after_help = crate::examples::SANDBOX)]
    Sandbox(SandboxArgs),
    /// Inspect and share the selectors DistroFlow finds elements with.
    #[command(after_help = crate::examples::SELECTORS)]
    Selectors(SelectorsArgs),
    /// What self-healing did: the repair log.
    #[command(after_help = crate::examples::HEAL)]
    Heal(HealArgs),
    /// Every post attempt: when, where, and how it ended.
    #[command(after_help = crate::examples::HISTORY)]
    History(HistoryArgs),
    /// Replies to your own recent posts, collected from each platform and
    /// stored; --triage scores which need an answer (a model, batched and
    /// cached). Reads only: it never posts a reply.
    #[command(
        after_help = crate::examples::REPLIES,
        args_conflicts_with_subcommands = true
    )]
    Replies(RepliesArgs),
    /// Queue a post for later (once, or repeating).
    #[command(after_help = crate::examples::SCHEDULE)]
    Schedule(ScheduleArgs),
    /// The queue of scheduled posts: list, show, cancel, retry.
    #[command(after_help = crate::examples::QUEUE)]
    Queue(QueueArgs),
    /// Run scheduled posts as they fall due.
    #[command(after_help = crate::examples::DAEMON)]
    Daemon(DaemonArgs),
    /// Serve the local REST API (with live WebSocket progress) and run
    /// the scheduler.
    #[command(after_help = crate::examples::SERVE)]
    Serve(ServeArgs),
    /// The tokens of paired clients (the browser extension): list, revoke.
    #[command(after_help = crate::examples::TOKENS)]
    Tokens(TokensArgs),
    /// The "Share with DistroFlow" browser extension: where it is
    /// installed, to load it in chrome://extensions.
    #[command(after_help = crate::examples::EXTENSION)]
    Extension(ExtensionArgs),
    /// The browser engines posts run on: reachable or not, version,
    /// sessions in use and free, latency.
    #[command(after_help = crate::examples::ENGINES)]
    Engines(EnginesArgs),
    /// Print a shell completion script to standard output.
    #[command(after_help = crate::examples::COMPLETIONS)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output.
    #[command(after_help = crate::examples::MAN)]
    Man,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct EnginesArgs {
    /// One JSON object per engine per line.
    #[arg(long)]
    pub(crate) json: bool,
}

impl Command {
    /// Whether the command writes to `$DISTROFLOW_HOME` (sessions, the
    /// store, selectors), so that an unwritable home is refused before it
    /// starts. `check`, `accounts`, `heal log`, `engines` and a sandbox
    /// post only read it.
    pub(crate) fn writes_home(&self) -> bool {
        match self {
            Command::Post(a) => !a.sandbox,
            Command::Login(_)
            | Command::Logout(_)
            | Command::Schedule(_)
            | Command::Queue(_)
            | Command::Daemon(_)
            | Command::Serve(_)
            | Command::Tokens(_)
            | Command::Extension(_)
            | Command::History(_)
            | Command::Selectors(_) => true,
            // The replies and the triage cache; `replies eval` only reads.
            Command::Replies(a) => a.action.is_none(),
            _ => false,
        }
    }

    /// Whether the command reads `$DISTROFLOW_HOME` (completions and the
    /// man page do not).
    pub(crate) fn needs_home(&self) -> bool {
        !matches!(self, Command::Completions(_) | Command::Man)
    }

    /// Whether the command was asked for JSON output (errors then answer
    /// in JSON too).
    pub(crate) fn json(&self) -> bool {
        match self {
            Command::Post(a) => a.json,
            Command::Check(a) => a.json,
            Command::Accounts(a) => a.json,
            Command::History(a) => a.json,
            Command::Replies(a) => match &a.action {
                Some(RepliesAction::Eval { json, .. }) => *json,
                None => a.json,
            },
            Command::Schedule(a) => a.json,
            Command::Queue(a) => a.json,
            Command::Selectors(SelectorsArgs {
                action: SelectorsAction::List { json, .. },
            }) => *json,
            Command::Heal(HealArgs {
                action: HealAction::Log { json },
            }) => *json,
            Command::Tokens(TokensArgs {
                action: TokensAction::List { json },
            }) => *json,
            _ => false,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ScheduleArgs {
    /// When: RFC 3339 (2026-12-01T09:00:00+01:00), `2026-12-01 09:00`,
    /// `tomorrow 09:00`, `today 18:30`, `in 2h`.
    #[arg(long, value_name = "TIME")]
    pub(crate) at: String,
    /// Repeat: an interval (`30m`, `2h`, `1d`, `1w`) or a cron expression (`0 9 * * 1-5`).
    #[arg(long, value_name = "INTERVAL|CRON")]
    pub(crate) every: Option<String>,
    /// Time zone for --at and --every (IANA name); default: this machine's.
    #[arg(long, value_name = "ZONE")]
    pub(crate) tz: Option<String>,
    /// Where to post: comma-separated ids (x, reddit, hackernews, instagram, bluesky, mastodon, linkedin; aliases twitter, hn, ig, bsky) or `all`; default: `[post] to` in config.toml.
    #[arg(long, short = 't', value_name = "LIST")]
    pub(crate) to: Vec<String>,
    #[command(flatten)]
    pub(crate) content: ContentArgs,
    /// Post even if the same content went to the same account recently.
    #[arg(long)]
    pub(crate) force: bool,
    /// Refuse (exit 2) when a target has no saved session, instead of
    /// queueing the job with a warning (it would wait as `needs_login`).
    #[arg(long)]
    pub(crate) strict: bool,
    /// The queued job as one JSON object on stdout.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct QueueArgs {
    #[command(subcommand)]
    pub(crate) action: Option<QueueAction>,
    /// One JSON object per job per line.
    #[arg(long, global = true)]
    pub(crate) json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum QueueAction {
    /// Every job that is queued, running or failed (add --all for done and cancelled).
    #[command(after_help = crate::examples::QUEUE_LIST)]
    List {
        /// Also list done and cancelled jobs.
        #[arg(long)]
        all: bool,
    },
    /// One job in full.
    #[command(after_help = crate::examples::QUEUE_SHOW)]
    Show {
        /// The job's number (from `queue list`).
        id: i64,
    },
    /// Cancel a queued job.
    #[command(after_help = crate::examples::QUEUE_CANCEL)]
    Cancel {
        /// The job's number (from `queue list`).
        id: i64,
    },
    /// Run a failed job again now (a cancelled one only with --force).
    #[command(after_help = crate::examples::QUEUE_RETRY)]
    Retry {
        /// The job's number (from `queue list`).
        id: i64,
        /// Also run a job that was cancelled.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on (port 0: any free port, printed).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7777")]
    pub(crate) listen: String,
    /// Do not run scheduled posts (run `distroflow daemon` for them instead).
    #[arg(long)]
    pub(crate) no_daemon: bool,
    /// Allow an address off this machine (the token is then the only guard).
    #[arg(long)]
    pub(crate) allow_remote: bool,
    /// Replace the API token with a new random one before serving.
    #[arg(long)]
    pub(crate) rotate_token: bool,
    /// Print a one-time pairing code (valid 5 minutes) for the browser
    /// extension's options page, which exchanges it for a token of its own.
    #[arg(long)]
    pub(crate) pair: bool,
}

#[derive(Debug, Args)]
pub(crate) struct TokensArgs {
    #[command(subcommand)]
    pub(crate) action: TokensAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TokensAction {
    /// Every paired client's token: id, label, origin, when (never the token).
    #[command(after_help = crate::examples::TOKENS_LIST)]
    List {
        /// One JSON object per token per line.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a client's token (takes effect on its next request).
    #[command(after_help = crate::examples::TOKENS_REVOKE)]
    Revoke {
        /// The token's id (from `tokens list`), or its label if unique.
        id: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ExtensionArgs {
    #[command(subcommand)]
    pub(crate) action: ExtensionAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExtensionAction {
    /// Write the extension's files (once per version) and print the folder
    /// to pick in chrome://extensions > Load unpacked.
    #[command(after_help = crate::examples::EXTENSION)]
    Path,
}

#[derive(Debug, Args)]
pub(crate) struct DaemonArgs {
    /// Run what is due, then exit when nothing more is due (for cron and tests).
    #[arg(long)]
    pub(crate) exit_when_idle: bool,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// One JSON object per attempt per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// How many of the newest attempts to show.
    #[arg(long, short = 'n', default_value_t = 50)]
    pub(crate) limit: usize,
    /// Only this platform's attempts (x, reddit, hackernews, instagram, bluesky, mastodon,
    /// linkedin).
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Only attempts that ended so: posted, failed, needs_human, uncertain,
    /// running or pending.
    #[arg(long, value_name = "STATUS")]
    pub(crate) status: Option<String>,
    /// Only attempts made since then: RFC 3339 (2026-03-01T09:00:00Z) or
    /// a span back from now (`2d`, `12h`, `1w`, `90 minutes`).
    #[arg(long, value_name = "WHEN")]
    pub(crate) since: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RepliesArgs {
    #[command(subcommand)]
    pub(crate) action: Option<RepliesAction>,
    /// Only replies on these platforms: comma-separated ids (x, reddit,
    /// hackernews, instagram; aliases twitter, hn) or `all` (the default).
    #[arg(long, short = 't', value_name = "LIST")]
    pub(crate) to: Vec<String>,
    /// Replies to posts made since then: RFC 3339 or a span back from now
    /// (`7d`, `12h`, `2w`).
    #[arg(long, value_name = "WHEN", default_value = "7d")]
    pub(crate) since: String,
    /// One JSON object per reply per line, then one summary object.
    #[arg(long)]
    pub(crate) json: bool,
    /// Score each reply (needs_reply, priority 0-3, label, reason) with the
    /// configured model (DISTROFLOW_AI_BASE_URL, DISTROFLOW_AI_MODEL,
    /// OPENAI_API_KEY); without one, replies are listed unscored.
    #[arg(long)]
    pub(crate) triage: bool,
    /// Only replies scored at least this priority (0-3); implies --triage.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(0..=3))]
    pub(crate) min_priority: Option<u8>,
    /// Do not visit the platforms: list the replies already stored.
    #[arg(long)]
    pub(crate) offline: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RepliesAction {
    /// Score the built-in labelled set of 100 replies with each model:
    /// agreement, cost per 100 replies, and the cheapest model within 5
    /// points of the best.
    #[command(after_help = crate::examples::REPLIES_EVAL)]
    Eval {
        /// Models to compare, comma-separated, at the configured endpoint
        /// (default: DISTROFLOW_AI_MODEL).
        #[arg(long, value_name = "LIST")]
        models: Vec<String>,
        /// Also measure batching: calls, tokens and cost per 100 replies
        /// batched and one call per reply, and calls the cache saves on a
        /// second, overlapping pass.
        #[arg(long)]
        batching: bool,
        /// One JSON object per model per line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SelectorsArgs {
    #[command(subcommand)]
    pub(crate) action: SelectorsAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SelectorsAction {
    /// Every target with its selectors, learned repairs and fingerprints.
    #[command(after_help = crate::examples::SELECTORS_LIST)]
    List {
        /// Only this platform's targets.
        platform: Option<String>,
        /// One JSON object per target per line.
        #[arg(long)]
        json: bool,
    },
    /// Print the working selectors (learned ones first) as a file to share.
    #[command(after_help = crate::examples::SELECTORS_EXPORT)]
    Export {
        /// Only this platform's targets.
        platform: Option<String>,
    },
    /// Add a selector file (from `export`) to $DISTROFLOW_HOME/selectors/.
    #[command(after_help = crate::examples::SELECTORS_IMPORT)]
    Import {
        /// The TOML file.
        file: std::path::PathBuf,
    },
    /// Forget learned selectors and fingerprints (of one platform, or all,
    /// which also removes imported selector files).
    #[command(after_help = crate::examples::SELECTORS_RESET)]
    Reset {
        /// Only this platform (default: every platform).
        platform: Option<String>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct HealArgs {
    #[command(subcommand)]
    pub(crate) action: HealAction,
}

#[derive(Debug, Subcommand)]
pub(crate) enum HealAction {
    /// Every repair: when, which target, which tier, old and new selector, score, cost.
    #[command(after_help = crate::examples::HEAL_LOG)]
    Log {
        /// One JSON object per repair per line.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub(crate) struct PostArgs {
    /// Where to post: comma-separated ids (x, reddit, hackernews, instagram, bluesky, mastodon, linkedin; aliases twitter, hn, ig, bsky) or `all`; default: `[post] to` in config.toml.
    #[arg(long, short = 't', value_name = "LIST")]
    pub(crate) to: Vec<String>,
    #[command(flatten)]
    pub(crate) content: ContentArgs,
    /// Check everything and show the login status, but post nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Post even if the same content went to the same account recently.
    #[arg(long)]
    pub(crate) force: bool,
    /// Ignore DistroFlow's own rate limits for this run.
    #[arg(long)]
    pub(crate) no_rate_limit: bool,
    /// One JSON object per platform per line on stdout.
    #[arg(long)]
    pub(crate) json: bool,
    /// Post to the built-in local replicas with a sandbox account instead of the real sites.
    #[arg(long)]
    pub(crate) sandbox: bool,
}

/// Everything that decides whether a post is valid: `check`, `post` and
/// `schedule` take the same options, so they give the same verdict.
#[derive(Debug, Args)]
pub(crate) struct ContentArgs {
    /// Title (Hacker News, Reddit); one line.
    #[arg(long)]
    pub(crate) title: Option<String>,
    /// Link to share (an http or https URL).
    #[arg(long)]
    pub(crate) url: Option<String>,
    /// Attach an image or video (repeat for several); type, size, count
    /// and duration are checked per platform before posting.
    #[arg(long, value_name = "FILE")]
    pub(crate) media: Vec<std::path::PathBuf>,
    /// Subreddit to post to (Reddit), with or without `r/`.
    #[arg(long, value_name = "NAME")]
    pub(crate) subreddit: Option<String>,
    /// Post flair, for subreddits that require one (Reddit).
    #[arg(long, value_name = "NAME")]
    pub(crate) flair: Option<String>,
    /// Different text for one platform, e.g. --text-for x="short version" (repeatable).
    #[arg(long, value_name = "PLATFORM=TEXT")]
    pub(crate) text_for: Vec<String>,
    #[command(flatten)]
    pub(crate) fit: FitArgs,
    /// The text to post; `-` reads it from standard input.
    #[arg(value_name = "TEXT")]
    pub(crate) text: Option<String>,
}

/// What to do with text over a platform's limit (refused by default).
#[derive(Debug, Args, Clone, Copy)]
pub(crate) struct FitArgs {
    /// Make a thread where the platform has threads (X): break at
    /// paragraphs, then sentences, then words; never inside a URL or word.
    #[arg(long, conflicts_with = "truncate")]
    pub(crate) split: bool,
    /// With --split: number the posts (` 1/3`).
    #[arg(long, requires = "split")]
    pub(crate) number: bool,
    /// Cut at a word boundary and add an ellipsis.
    #[arg(long)]
    pub(crate) truncate: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Platforms to check: x, reddit, hackernews, instagram, bluesky, mastodon, linkedin
    /// (`all`: every one); comma-separated; default: `[post] to` in config.toml.
    #[arg(long, short = 't', value_name = "LIST")]
    pub(crate) to: Vec<String>,
    #[command(flatten)]
    pub(crate) content: ContentArgs,
    /// One JSON object per platform per line.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The platform (x, reddit, hackernews, instagram, bluesky, mastodon, linkedin).
    pub(crate) platform: String,
    /// Import cookies exported from your browser: a JSON array (Chrome, EditThisCookie,
    /// Playwright), a Playwright storage state (its `origins[].localStorage` too: Bluesky's
    /// session), or a Netscape cookies.txt.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["username", "password_stdin"])]
    pub(crate) cookies: Option<PathBuf>,
    /// Log in through the site's own form with this username (Hacker News; Bluesky's
    /// handle, with an app password; Mastodon's e-mail address).
    #[arg(long, requires = "password_stdin")]
    pub(crate) username: Option<String>,
    /// Read the password from standard input (never from the command line).
    #[arg(long, requires = "username")]
    pub(crate) password_stdin: bool,
    /// Save imported cookies without visiting the site to check them.
    #[arg(long)]
    pub(crate) no_check: bool,
    /// How long to wait for you to log in in the visible browser, in seconds.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub(crate) timeout: u64,
    /// Open this page of the site (a security check a post stopped at)
    /// in the visible browser, with the saved session, instead of the
    /// login page.
    #[arg(long, value_name = "URL", conflicts_with_all = ["cookies", "username"])]
    pub(crate) at: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// The platform whose saved session to delete.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub(crate) platform: Option<String>,
    /// Delete the saved sessions of every platform.
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AccountsArgs {
    /// One JSON object per platform per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Read the saved files only; do not visit the sites.
    #[arg(long)]
    pub(crate) offline: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Serve Hacker News on PORT, X on PORT+1, Reddit on PORT+2, Instagram
    /// on PORT+3, Bluesky on PORT+4, Mastodon on PORT+5 and LinkedIn on
    /// PORT+6 (default: free ports).
    #[arg(long, value_name = "PORT")]
    pub(crate) base_port: Option<u16>,
    /// Make DIR a DistroFlow home logged in to every replica (sessions and
    /// replica URLs in DIR/config.toml), so that `post`, `schedule`,
    /// `daemon`, `history` and `accounts` work against the sandbox with
    /// `export DISTROFLOW_HOME=DIR`. DIR must be new, empty, or an earlier
    /// sandbox home.
    #[arg(long, value_name = "DIR")]
    pub(crate) home: Option<std::path::PathBuf>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every flag and positional of every command, with its path.
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, clap::Command)>) {
        out.push((path.to_string(), cmd.clone()));
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    fn commands() -> Vec<(String, clap::Command)> {
        let mut cmd = Cli::command();
        cmd.build();
        let mut out = Vec::new();
        walk(&cmd, "distroflow", &mut out);
        // clap's own `help` subcommands are not ours to document.
        out.retain(|(p, _)| !p.split(' ').any(|w| w == "help"));
        out
    }

    #[test]
    fn every_argument_has_a_description() {
        let mut blank = Vec::new();
        for (path, cmd) in commands() {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.trim().is_empty() {
                    blank.push(format!("{path} {id}"));
                }
            }
        }
        assert!(blank.is_empty(), "arguments without help: {blank:#?}");
    }

    #[test]
    fn every_command_has_examples_that_use_it() {
        let mut missing = Vec::new();
        for (path, cmd) in commands() {
            let after = cmd
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            let examples = after.split_once("Examples:").map(|(_, e)| e).unwrap_or("");
            // At least one example line runs this very command.
            if !examples
                .lines()
                .any(|l| l.trim().starts_with(path.as_str()))
            {
                missing.push(path);
            }
        }
        assert!(
            missing.is_empty(),
            "commands without examples: {missing:#?}"
        );
    }
}

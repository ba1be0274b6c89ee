//! The "Examples:" block of every command's `--help` (and of the man
//! page). Each example runs as shown; `args::tests` checks that every
//! command has one.

pub(crate) const ROOT: &str = "\
Examples:
  distroflow login hackernews
  distroflow check --to x,hn --title \"Show HN: my thing\" \"The text\"
  distroflow post --to x,reddit,hn --subreddit rust --title \"Show HN: my thing\" \"The text\"
  distroflow post --sandbox --to hackernews --title Hello --url https://example.com
  distroflow man > distroflow.1";

pub(crate) const POST: &str = "\
Examples:
  distroflow post --to hackernews --title \"Show HN: DistroFlow\" --url https://example.com
  distroflow post --to x,reddit --subreddit rust --title \"A title for Reddit\" \"The text\"
  distroflow post --to x --media a.png --media b.jpg \"Two pictures\"
  distroflow post --to x --split --number \"A text longer than one post…\"
  echo \"From standard input\" | distroflow post --to x -
  distroflow post --dry-run --to x,hn --title T \"text\"
  distroflow post --sandbox --to all --subreddit sandbox --title T --media pic.png \"text\"";

pub(crate) const CHECK: &str = "\
Examples:
  distroflow check --to x \"Is this short enough?\"
  distroflow check --to x,bluesky,mastodon --split --json \"A long text…\"
  distroflow check --to reddit --subreddit rust --title T --media pic.png \"text\"";

pub(crate) const LOGIN: &str = "\
Examples:
  distroflow login reddit
  distroflow login hackernews --cookies ~/Downloads/cookies.json
  distroflow login hackernews --username me --password-stdin < password.txt
  distroflow login bluesky --username me.bsky.social --password-stdin < app-password.txt
  distroflow login bluesky --cookies storage-state.json
  DISTROFLOW_MASTODON_URL=https://fosstodon.org distroflow login mastodon --username me@example.com --password-stdin < pw.txt
  distroflow login linkedin --cookies linkedin-cookies.json
  distroflow login x --at https://x.com/account/access";

pub(crate) const LOGOUT: &str = "\
Examples:
  distroflow logout hackernews
  distroflow logout --all";

pub(crate) const ACCOUNTS: &str = "\
Examples:
  distroflow accounts
  distroflow accounts --offline --json";

pub(crate) const SANDBOX: &str = "\
Examples:
  distroflow sandbox
  distroflow sandbox --base-port 8120";

pub(crate) const SELECTORS: &str = "\
Examples:
  distroflow selectors list x
  distroflow selectors export > mine.toml
  distroflow selectors import mine.toml
  distroflow selectors reset reddit";

pub(crate) const SELECTORS_LIST: &str = "\
Examples:
  distroflow selectors list
  distroflow selectors list reddit --json";

pub(crate) const SELECTORS_EXPORT: &str = "\
Examples:
  distroflow selectors export > mine.toml
  distroflow selectors export x > x.toml";

pub(crate) const SELECTORS_IMPORT: &str = "\
Examples:
  distroflow selectors import mine.toml";

pub(crate) const SELECTORS_RESET: &str = "\
Examples:
  distroflow selectors reset x
  distroflow selectors reset";

pub(crate) const HEAL: &str = "\
Examples:
  distroflow heal log
  distroflow heal log --json";

pub(crate) const HEAL_LOG: &str = HEAL;

pub(crate) const HISTORY: &str = "\
Examples:
  distroflow history
  distroflow history -n 10 --json
  distroflow history --platform x --status failed --since 2d
  distroflow history --since 2026-03-01T00:00:00Z --status posted";

pub(crate) const SCHEDULE: &str = "\
Examples:
  distroflow schedule --at \"tomorrow 09:00\" --to x,hn --title T --url https://example.com \"text\"
  distroflow schedule --at 2026-12-01T09:00:00+01:00 --every \"0 9 * * 1-5\" --tz Europe/Berlin --to x \"daily\"
  distroflow schedule --at \"in 2h\" --every 1d --to reddit --subreddit rust --title T \"text\"";

pub(crate) const QUEUE: &str = "\
Examples:
  distroflow queue
  distroflow queue list --all
  distroflow queue show 3
  distroflow queue cancel 3
  distroflow queue retry 3";

pub(crate) const QUEUE_LIST: &str = "\
Examples:
  distroflow queue list
  distroflow queue list --all --json";

pub(crate) const QUEUE_SHOW: &str = "\
Examples:
  distroflow queue show 3
  distroflow queue show 3 --json";

pub(crate) const QUEUE_CANCEL: &str = "\
Examples:
  distroflow queue cancel 3";

pub(crate) const QUEUE_RETRY: &str = "\
Examples:
  distroflow queue retry 3
  distroflow queue retry 3 --force   # a cancelled job";

pub(crate) const DAEMON: &str = "\
Examples:
  distroflow daemon
  distroflow daemon --exit-when-idle";

pub(crate) const SERVE: &str = "\
Examples:
  distroflow serve
  distroflow serve --listen 127.0.0.1:0 --no-daemon
  distroflow serve --rotate-token
  distroflow serve --pair
  curl -H \"Authorization: Bearer $(cat ~/.distroflow/api-token)\" http://127.0.0.1:7777/api/v1/history";

pub(crate) const TOKENS: &str = "\
Examples:
  distroflow tokens list
  distroflow tokens list --json
  distroflow tokens revoke 3f9a0c1d";

pub(crate) const TOKENS_LIST: &str = "\
Examples:
  distroflow tokens list
  distroflow tokens list --json";

pub(crate) const TOKENS_REVOKE: &str = "\
Examples:
  distroflow tokens revoke 3f9a0c1d
  distroflow tokens revoke \"Share with DistroFlow\"";

pub(crate) const EXTENSION: &str = "\
Examples:
  distroflow extension path
  (then chrome://extensions > Developer mode > Load unpacked > that folder)";

pub(crate) const ENGINES: &str = "\
Examples:
  distroflow engines
  distroflow engines --json";

pub(crate) const COMPLETIONS: &str = "\
Examples:
  distroflow completions bash > /etc/bash_completion.d/distroflow
  distroflow completions zsh > \"${fpath[1]}/_distroflow\"
  distroflow completions fish > ~/.config/fish/completions/distroflow.fish
  distroflow completions powershell >> $PROFILE
  distroflow completions elvish >> ~/.config/elvish/rc.elv";

pub(crate) const MAN: &str = "\
Examples:
  distroflow man > distroflow.1
  distroflow man | man -l -
  distroflow man > /usr/local/share/man/man1/distroflow.1";

pub(crate) const REPLIES: &str = "\
Examples:
  distroflow replies
  distroflow replies --to hn,reddit --since 2d
  distroflow replies --triage --min-priority 2
  distroflow replies --offline --json
  distroflow replies eval --models gpt-4o-mini,gpt-4.1-nano";

pub(crate) const REPLIES_EVAL: &str = "\
Examples:
  distroflow replies eval
  distroflow replies eval --models gpt-4o-mini,gpt-4.1-nano,gpt-4o
  distroflow replies eval --batching";

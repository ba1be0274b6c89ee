//! `distroflow serve`: the local REST API (crates/server), with the
//! scheduler inside unless `--no-daemon`. The first line on stdout is
//! `listening on http://ADDR:PORT`; SIGTERM or Ctrl-C lets running posts
//! finish, then exits 0.

use std::sync::Arc;

use distroflow_core::{Home, Result};
use distroflow_server::{ApiToken, ServeOptions, TokenSource};

use crate::args::ServeArgs;
use crate::exit::ExitStatus;
use crate::output;

pub(crate) async fn run(args: ServeArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let listener = distroflow_server::bind(&args.listen, args.allow_remote).await?;
    let (token, source) = ApiToken::load(&home, args.rotate_token)?;
    let addr = listener
        .local_addr()
        .map_err(|e| distroflow_core::Error::Unexpected {
            message: format!("cannot read the listening address: {e}"),
        })?;
    output::line(&format!("listening on http://{addr}"));
    if !addr.ip().is_loopback() {
        output::warn(&format!(
            "listening on {addr}, off this machine: the API token is the only guard"
        ));
    }
    let file = home.root().join(distroflow_server::TOKEN_FILE);
    match source {
        TokenSource::Env => eprintln!(
            "token: from {} (the file is not used)",
            distroflow_server::TOKEN_ENV
        ),
        TokenSource::Created => eprintln!("token: new, in {} (0600)", file.display()),
        TokenSource::File => eprintln!("token: in {}", file.display()),
    }
    let pair_code = args.pair.then(distroflow_server::new_pair_code);
    if let Some(code) = &pair_code {
        output::line(&format!("pairing code: {code}"));
        eprintln!(
            "pairing: enter the code and port {} in the DistroFlow extension's options \
             (valid {} minutes, once)",
            addr.port(),
            distroflow_server::PAIR_FOR.as_secs() / 60
        );
    }
    // A first signal lets running posts finish; a second ends at once.
    crate::signals::let_the_running_job_finish();
    let mut options = ServeOptions::new(home, config, token);
    options.scheduler = !args.no_daemon;
    options.pair_code = pair_code;
    options.on_scheduler = Arc::new(crate::commands::schedule::print_event);
    distroflow_server::serve(listener, options, async {
        crate::signals::requested().await;
        eprintln!(
            "{}: stopping after the running posts",
            crate::signals::name()
        );
    })
    .await?;
    eprintln!("server stopped");
    Ok(ExitStatus::Success)
}

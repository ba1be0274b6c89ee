/// The process's exit codes, in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Everything asked for was done.
    Success,
    /// At least one target failed (the others may have succeeded).
    Failure,
    /// Bad usage or input; nothing was posted.
    Usage,
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP (exit 128 + the signal).
    Interrupted,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Interrupted => crate::signals::exit_code(),
        })
    }
}

//! `schedule`: a checked post queued in the store for a later time (once,
//! or repeating), for the daemon or the server's scheduler to post.

use distroflow_core::{Error, Home, PlatformId, Result};
use distroflow_store::{
    local_zone, parse_at, parse_every, zone_name, zone_named, Job, JobPayload, JobState, NewJob,
    Recurrence, Store,
};
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::content::Prepared;

/// The states `queue list` shows: queued, waiting for a login, running
/// and failed jobs, and with `all` every state (done and cancelled too).
pub fn listed_states(all: bool) -> &'static [JobState] {
    if all {
        &JobState::ALL
    } else {
        &[
            JobState::Queued,
            JobState::NeedsLogin,
            JobState::Running,
            JobState::Failed,
        ]
    }
}

/// The targets without a usable saved session (none, or every cookie
/// expired): a job for them waits as `needs_login` when it falls due.
pub fn missing_sessions(home: &Home, targets: &[PlatformId]) -> Result<Vec<PlatformId>> {
    let mut missing = Vec::new();
    for &t in targets {
        let usable = home.load_auth(t)?.is_some_and(|a| !a.all_expired());
        if !usable {
            missing.push(t);
        }
    }
    Ok(missing)
}

/// When a post is due, as `schedule --at --every --tz` give it.
#[derive(Clone, Debug, Default)]
pub struct Schedule {
    pub at: String,
    pub every: Option<String>,
    pub tz: Option<String>,
}

/// A [`Schedule`], read.
pub struct When {
    pub due_at: Timestamp,
    pub every: Option<Recurrence>,
    pub tz: TimeZone,
}

impl Schedule {
    /// Reads the time, the repeat and the zone (a repeat that never fires
    /// is refused), before the content is checked.
    pub fn when(&self, now: Timestamp) -> Result<When> {
        let tz = match &self.tz {
            Some(name) => zone_named(name)?,
            None => local_zone(),
        };
        let due_at = parse_at(&self.at, now, &tz)?;
        let every = self.every.as_deref().map(parse_every).transpose()?;
        if let Some(every) = &every {
            every.first_after(due_at, &tz)?;
        }
        Ok(When { due_at, every, tz })
    }
}

/// Queues a checked post (whose problems are empty) and returns the job.
pub fn enqueue(
    store: &Store,
    when: When,
    prepared: &Prepared,
    force: bool,
    now: Timestamp,
) -> Result<Job> {
    let id = store.enqueue(
        &NewJob {
            due_at: when.due_at,
            every: when.every,
            tz: zone_name(&when.tz).unwrap_or_else(|| "UTC".into()),
            targets: prepared.targets.clone(),
            payload: JobPayload::from_post(&prepared.post, force),
        },
        now,
    )?;
    store.job(id)?.ok_or_else(|| Error::Unexpected {
        message: format!("job {} vanished", id.0),
    })
}

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{AuthConfig, Config, Error, PlatformId, Result};

/// Version of the auth file format, written into every file.
const AUTH_FORMAT: u32 = 1;

/// DistroFlow's local folder (`$DISTROFLOW_HOME`, default `~/.distroflow`):
/// saved sessions, configuration and run records. The folder is 0700 and
/// every file holding a secret is 0600, written atomically.
#[derive(Clone, Debug)]
pub struct Home {
    root: PathBuf,
}

/// What is known about a saved session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthStatus {
    /// Checked by visiting the site: logged in.
    LoggedIn,
    /// Saved, not checked (offline).
    Saved,
    /// The cookies expired, or the site no longer accepts them.
    Expired,
    /// Nothing saved.
    None,
}

impl AuthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStatus::LoggedIn => "logged_in",
            AuthStatus::Saved => "saved",
            AuthStatus::Expired => "expired",
            AuthStatus::None => "none",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct AuthFile {
    format: u32,
    #[serde(flatten)]
    auth: AuthConfig,
}

impl Home {
    /// `$DISTROFLOW_HOME`, else `~/.distroflow`.
    pub fn from_env() -> Result<Home> {
        if let Some(h) = std::env::var_os("DISTROFLOW_HOME").filter(|h| !h.is_empty()) {
            return Ok(Home::at(PathBuf::from(h)));
        }
        let home = dirs::home_dir().ok_or_else(|| Error::Config {
            message: "no home folder; set DISTROFLOW_HOME".into(),
        })?;
        Ok(Home::at(home.join(".distroflow")))
    }

    pub fn at(root: impl Into<PathBuf>) -> Home {
        Home { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    pub fn load_config(&self) -> Result<Config> {
        Config::load(&self.config_path())
    }

    fn auth_dir(&self) -> PathBuf {
        self.root.join("auth")
    }

    pub fn auth_path(&self, platform: PlatformId) -> PathBuf {
        self.auth_dir().join(format!("{platform}.json"))
    }

    /// Creates a private (0700) folder under the home (`sub` may have
    /// several levels, e.g. `runs/<bundle>`): the home and every level are
    /// made 0700, including ones that existed with looser modes.
    pub fn private_dir(&self, sub: &str) -> Result<PathBuf> {
        let mut dir = self.root.clone();
        let mut levels = vec![dir.clone()];
        for part in Path::new(sub).components() {
            match part {
                std::path::Component::Normal(p) => {
                    dir.push(p);
                    levels.push(dir.clone());
                }
                std::path::Component::CurDir => {}
                _ => {
                    return Err(Error::Unexpected {
                        message: format!("`{sub}` is not a folder under the home"),
                    })
                }
            }
        }
        for d in &levels {
            match std::fs::create_dir(d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && d.is_dir() => {}
                // A missing parent of the home itself, or an error to report.
                Err(_) => std::fs::create_dir_all(d).map_err(|e| Error::io(d, e))?,
            }
            set_mode(d, 0o700)?;
        }
        Ok(dir)
    }

    /// Writes a file under the home atomically (0600, in a 0700 folder).
    pub fn write_private(&self, sub: &str, name: &str, body: &[u8]) -> Result<PathBuf> {
        let dir = self.private_dir(sub)?;
        let path = dir.join(name);
        write_private_atomic(&dir, &path, body)?;
        Ok(path)
    }

    /// The saved session, if any. A file (or the auth folder) that others
    /// may read, e.g. one copied in by hand, is made private first (0600 in
    /// a 0700 folder), with a warning.
    pub fn load_auth(&self, platform: PlatformId) -> Result<Option<AuthConfig>> {
        let path = self.auth_path(platform);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        tighten(&self.auth_dir(), 0o700);
        tighten(&path, 0o600);
        let file: AuthFile = serde_json::from_slice(&bytes).map_err(|e| Error::Config {
            message: format!("{} is damaged ({e})", path.display()),
        })?;
        if file.format != AUTH_FORMAT {
            return Err(Error::Config {
                message: format!(
                    "{} has format {} but this DistroFlow reads format {AUTH_FORMAT}",
                    path.display(),
                    file.format
                ),
            });
        }
        Ok(Some(file.auth))
    }

    /// Saves a session atomically: a 0600 temporary file in the same 0700
    /// folder, renamed over the old one.
    pub fn save_auth(&self, auth: &AuthConfig) -> Result<PathBuf> {
        let dir = self.private_dir("auth")?;
        let path = self.auth_path(auth.platform);
        let body = serde_json::to_vec_pretty(&AuthFile {
            format: AUTH_FORMAT,
            auth: auth.clone(),
        })
        .map_err(|e| Error::Unexpected {
            message: format!("cannot encode session: {e}"),
        })?;
        write_private_atomic(&dir, &path, &body)?;
        Ok(path)
    }

    /// Removes a saved session; returns whether there was one.
    pub fn remove_auth(&self, platform: PlatformId) -> Result<bool> {
        let path = self.auth_path(platform);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

/// Writes `body` to `path` through a 0600 temporary file in `dir`.
pub(crate) fn write_private_atomic(dir: &Path, path: &Path, body: &[u8]) -> Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(dir, e))?;
    set_mode(tmp.path(), 0o600)?;
    tmp.write_all(body)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Makes `path` no more open than `mode` (0600 or 0700) when group or
/// others have any access to it, and says so. Best effort: a file we
/// cannot change (someone else's) is reported, not refused.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let was = meta.permissions().mode() & 0o777;
    if was & 0o077 == 0 {
        return;
    }
    match set_mode(path, mode) {
        Ok(()) => tracing::warn!(
            "{} was open to other users (mode {was:o}); made it private ({mode:o})",
            path.display()
        ),
        Err(e) => tracing::warn!(
            "{} is open to other users (mode {was:o}) and cannot be made private: {e}",
            path.display()
        ),
    }
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Cookie, Secret};

    #[test]
    fn saves_private_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        let auth = AuthConfig::new(
            PlatformId::HackerNews,
            vec![Cookie {
                name: "user".into(),
                value: Secret::new("me&1"),
                domain: "news.ycombinator.com".into(),
                path: "/".into(),
                expires: None,
                http_only: true,
                secure: true,
                same_site: None,
            }],
        );
        let path = home.save_auth(&auth).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            assert_eq!(mode(home.root()), 0o700);
        }
        assert_eq!(home.load_auth(PlatformId::HackerNews).unwrap(), Some(auth));
        assert!(home.remove_auth(PlatformId::HackerNews).unwrap());
        assert_eq!(home.load_auth(PlatformId::HackerNews).unwrap(), None);
    }

    #[cfg(unix)]
    #[test]
    fn private_dir_makes_every_level_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        std::fs::create_dir_all(home.root().join("runs")).unwrap();
        std::fs::set_permissions(
            home.root().join("runs"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
        let b = home.private_dir("runs/20250101T000000.000Z-x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        for d in [home.root(), &home.root().join("runs"), &b] {
            assert_eq!(mode(d), 0o700, "{}", d.display());
        }
        assert!(home.private_dir("../escape").is_err());
    }

    /// A session file copied in by hand with the usual 0644, in a 0755
    /// folder: loading it makes both private.
    #[cfg(unix)]
    #[test]
    fn a_hand_copied_session_readable_by_others_is_made_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("h"));
        let path = home
            .save_auth(&AuthConfig::new(PlatformId::X, Vec::new()))
            .unwrap();
        let body = std::fs::read(&path).unwrap();
        let auth_dir = path.parent().unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, body).unwrap();
        let set = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
        };
        set(&path, 0o644);
        set(auth_dir, 0o755);
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o644);

        assert!(home.load_auth(PlatformId::X).unwrap().is_some());
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(auth_dir), 0o700);

        // Private already: left as it is (0400 stays 0400).
        set(&path, 0o400);
        assert!(home.load_auth(PlatformId::X).unwrap().is_some());
        assert_eq!(mode(&path), 0o400);
    }
}

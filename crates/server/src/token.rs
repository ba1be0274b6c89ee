//! The API token: 256 random bits, hex, in `$DISTROFLOW_HOME/api-token`
//! (0600, in the 0700 home), created on the first `serve`;
//! `DISTROFLOW_API_TOKEN` overrides it. Compared in constant time.

use distroflow_core::{Error, Home, Result};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The environment variable that overrides the token file.
pub const TOKEN_ENV: &str = "DISTROFLOW_API_TOKEN";

/// The token file's name inside `$DISTROFLOW_HOME`.
pub const TOKEN_FILE: &str = "api-token";

/// A shorter token from the environment is refused.
const MIN_LEN: usize = 32;

/// The token every `/api/v1` request (but the health check) must carry.
/// Never printed: its `Debug` is `****`.
#[derive(Clone)]
pub struct ApiToken {
    /// SHA-256 of the token: comparisons hash the candidate too, so that
    /// neither the content nor the length leaks through timing.
    digest: [u8; 32],
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(****)")
    }
}

/// Where the token in use came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `DISTROFLOW_API_TOKEN`.
    Env,
    /// The file, as it was.
    File,
    /// The file, written now (first `serve`, or `--rotate-token`).
    Created,
}

impl ApiToken {
    /// A token from its text (tests; the dashboard's login form).
    pub fn new(text: &str) -> ApiToken {
        ApiToken {
            digest: Sha256::digest(text.trim().as_bytes()).into(),
        }
    }

    /// Whether `candidate` is the token, in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        let d: [u8; 32] = Sha256::digest(candidate.trim().as_bytes()).into();
        d.ct_eq(&self.digest).into()
    }

    /// The token of `home`: `DISTROFLOW_API_TOKEN`, else the file, created
    /// (or, with `rotate`, replaced) with a fresh random value. The file is
    /// written even when the environment overrides it, when asked to rotate.
    pub fn load(home: &Home, rotate: bool) -> Result<(ApiToken, TokenSource)> {
        let path = home.root().join(TOKEN_FILE);
        let mut source = TokenSource::File;
        let existing = if rotate {
            None
        } else {
            match std::fs::read_to_string(&path) {
                Ok(t) if !t.trim().is_empty() => {
                    // Made private again if someone loosened it.
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                        .map_err(|e| Error::io(&path, e))?;
                    Some(t.trim().to_string())
                }
                Ok(_) => None,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(Error::io(&path, e)),
            }
        };
        let from_file = match existing {
            Some(t) => t,
            None => {
                let fresh = random_hex();
                home.write_private("", TOKEN_FILE, format!("{fresh}\n").as_bytes())?;
                source = TokenSource::Created;
                fresh
            }
        };
        if let Some(env) = std::env::var(TOKEN_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            if env.trim().len() < MIN_LEN {
                return Err(Error::usage(
                    format!("{TOKEN_ENV} is shorter than {MIN_LEN} characters"),
                    Some(format!(
                        "use a long random value, or unset {TOKEN_ENV} to use {}",
                        path.display()
                    )),
                ));
            }
            return Ok((ApiToken::new(&env), TokenSource::Env));
        }
        Ok((ApiToken::new(&from_file), source))
    }
}

/// 256 random bits as 64 hex digits.
pub(crate) fn random_hex() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_only_the_token_and_never_prints_it() {
        let t = ApiToken::new("secret-token-value");
        assert!(t.matches("secret-token-value"));
        assert!(!t.matches("secret-token-valu"));
        assert!(!t.matches(""));
        assert_eq!(format!("{t:?}"), "ApiToken(****)");
    }

    #[test]
    fn the_file_is_created_private_kept_and_rotated() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("home"));
        let (_, s) = ApiToken::load(&home, false).unwrap();
        assert_eq!(s, TokenSource::Created);
        let path = home.root().join(TOKEN_FILE);
        let first = std::fs::read_to_string(&path).unwrap();
        assert_eq!(first.trim().len(), 64);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (t, s) = ApiToken::load(&home, false).unwrap();
        assert_eq!(s, TokenSource::File);
        assert!(t.matches(first.trim()));
        let (t, _) = ApiToken::load(&home, true).unwrap();
        let second = std::fs::read_to_string(&path).unwrap();
        assert_ne!(first, second);
        assert!(t.matches(second.trim()) && !t.matches(first.trim()));
    }
}

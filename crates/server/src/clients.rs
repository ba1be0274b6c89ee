//! Per-client tokens (the browser extension's) and the one-time pairing
//! code that hands them out.
//!
//! `distroflow serve --pair` prints a code valid for [`PAIR_FOR`]; a client
//! exchanges it once at `POST /api/v1/pair` for a token of its own. Tokens
//! are kept in `$DISTROFLOW_HOME/api-clients.json` (0600, written
//! atomically) as SHA-256 digests only, each with a label, the origin it
//! was paired from, and when; the server reads the file on every check, so
//! `distroflow tokens revoke` takes effect on the next request. A client
//! token paired from an extension is accepted from that origin only (or
//! from no browser origin at all), and that origin is allowed through CORS
//! while the token exists.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use distroflow_core::{Error, Home, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The file of client tokens inside `$DISTROFLOW_HOME`.
pub const CLIENTS_FILE: &str = "api-clients.json";

/// How long a pairing code is valid.
pub const PAIR_FOR: Duration = Duration::from_secs(5 * 60);

/// Wrong codes before the code is burned (a new `serve --pair` is needed).
pub const PAIR_ATTEMPTS: u32 = 5;

/// The longest label kept.
const MAX_LABEL: usize = 60;

/// The code's alphabet: no 0/O, 1/I/L.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// One client token as stored (never the token itself).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClientToken {
    /// A short id to revoke it by.
    pub id: String,
    pub label: String,
    /// The browser origin it was paired from (`chrome-extension://<id>`),
    /// the only browser origin it is accepted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// SHA-256 of the token, hex.
    digest: String,
}

#[derive(Default, Serialize, Deserialize)]
struct ClientsFile {
    #[serde(default)]
    tokens: Vec<ClientToken>,
}

fn digest_hex(text: &str) -> String {
    Sha256::digest(text.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read(home: &Home) -> Result<ClientsFile> {
    let path = home.root().join(CLIENTS_FILE);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| Error::Config {
            message: format!("{} is damaged ({e})", path.display()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ClientsFile::default()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

fn write(home: &Home, file: &ClientsFile) -> Result<()> {
    let mut body = serde_json::to_vec_pretty(file).map_err(|e| Error::Unexpected {
        message: format!("client tokens: {e}"),
    })?;
    body.push(b'\n');
    home.write_private("", CLIENTS_FILE, &body)?;
    Ok(())
}

/// Every client token (without the tokens), oldest first.
pub fn list(home: &Home) -> Result<Vec<ClientToken>> {
    Ok(read(home)?.tokens)
}

/// Removes the token whose id (or, if unique, label) is `which`.
pub fn revoke(home: &Home, which: &str) -> Result<ClientToken> {
    let mut file = read(home)?;
    let by_id: Vec<usize> = (0..file.tokens.len())
        .filter(|&i| file.tokens[i].id == which)
        .collect();
    let hits = if by_id.is_empty() {
        (0..file.tokens.len())
            .filter(|&i| file.tokens[i].label == which)
            .collect()
    } else {
        by_id
    };
    match hits.as_slice() {
        [i] => {
            let gone = file.tokens.remove(*i);
            write(home, &file)?;
            Ok(gone)
        }
        [] => Err(Error::usage(
            format!("no client token `{which}`"),
            Some("see `distroflow tokens list` for the ids".into()),
        )),
        _ => Err(Error::usage(
            format!("more than one client token is labelled `{which}`"),
            Some("revoke it by its id (`distroflow tokens list`)".into()),
        )),
    }
}

/// Stores a new client token; returns the token's text (shown once, to
/// the client) and its record.
pub(crate) fn add(home: &Home, label: &str, origin: Option<&str>) -> Result<(String, ClientToken)> {
    let token = crate::token::random_hex();
    let mut file = read(home)?;
    let mut id = crate::token::random_hex()[..8].to_string();
    while file.tokens.iter().any(|t| t.id == id) {
        id = crate::token::random_hex()[..8].to_string();
    }
    let label: String = label.trim().chars().take(MAX_LABEL).collect();
    let record = ClientToken {
        id,
        label: if label.is_empty() {
            "client".into()
        } else {
            label
        },
        origin: origin.map(str::to_string),
        created_at: jiff::Timestamp::now().to_string(),
        digest: digest_hex(&token),
    };
    file.tokens.push(record.clone());
    write(home, &file)?;
    Ok((token, record))
}

/// The client token `candidate` is, compared in constant time with every
/// stored digest (an unreadable file matches nothing).
pub(crate) fn find(home: &Home, candidate: &str) -> Option<ClientToken> {
    let file = read(home).ok()?;
    let d = digest_hex(candidate);
    let mut found = None;
    for t in file.tokens {
        if bool::from(t.digest.as_bytes().ct_eq(d.as_bytes())) && found.is_none() {
            found = Some(t);
        }
    }
    found
}

/// Whether the client token `id` still exists (an unreadable file: yes,
/// so that a damaged file does not cut every socket; requests then fail).
pub(crate) fn exists(home: &Home, id: &str) -> bool {
    read(home)
        .map(|f| f.tokens.iter().any(|t| t.id == id))
        .unwrap_or(true)
}

/// Whether any client token was paired from `origin`.
pub(crate) fn origin_paired(home: &Home, origin: &str) -> bool {
    read(home)
        .map(|f| f.tokens.iter().any(|t| t.origin.as_deref() == Some(origin)))
        .unwrap_or(false)
}

/// A browser extension's origin (the only browser origin that may pair).
pub(crate) fn is_extension_origin(origin: &str) -> bool {
    ["chrome-extension://", "moz-extension://"]
        .iter()
        .any(|s| origin.strip_prefix(s).is_some_and(valid_extension_id))
}

fn valid_extension_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A fresh pairing code: 8 characters, shown as `ABCD-EFGH`.
pub fn new_pair_code() -> String {
    let bytes: [u8; 8] = rand::random();
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The server's pairing state: at most one code, single-use, with a
/// deadline and a budget of wrong guesses.
#[derive(Default)]
pub(crate) struct Pairing(Mutex<Option<Pending>>);

struct Pending {
    digest: [u8; 32],
    until: Instant,
    wrong: u32,
}

/// Why a code was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No code is open (none was asked for, or it was used or burned).
    NoCode,
    Expired,
    Wrong {
        left: u32,
    },
    TooMany,
}

impl Pairing {
    pub(crate) fn new(code: Option<&str>) -> Pairing {
        Pairing(Mutex::new(code.map(|c| Pending {
            digest: Sha256::digest(normalize(c).as_bytes()).into(),
            until: Instant::now() + PAIR_FOR,
            wrong: 0,
        })))
    }

    /// Uses the code if `code` is it (then no code is open any more).
    pub(crate) fn redeem(&self, code: &str) -> std::result::Result<(), Refused> {
        let mut slot = crate::state::lock(&self.0);
        let Some(p) = slot.as_mut() else {
            return Err(Refused::NoCode);
        };
        if Instant::now() > p.until {
            *slot = None;
            return Err(Refused::Expired);
        }
        let d: [u8; 32] = Sha256::digest(normalize(code).as_bytes()).into();
        if bool::from(d.ct_eq(&p.digest)) {
            *slot = None;
            return Ok(());
        }
        p.wrong += 1;
        if p.wrong >= PAIR_ATTEMPTS {
            *slot = None;
            return Err(Refused::TooMany);
        }
        Err(Refused::Wrong {
            left: PAIR_ATTEMPTS - p.wrong,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_single_use_and_burned_after_too_many_wrong_guesses() {
        let code = new_pair_code();
        assert_eq!(code.len(), 9);
        let p = Pairing::new(Some(&code));
        assert_eq!(p.redeem("AAAA-AAAA"), Err(Refused::Wrong { left: 4 }));
        assert_eq!(p.redeem(&code.to_lowercase().replace('-', " ")), Ok(()));
        assert_eq!(p.redeem(&code), Err(Refused::NoCode));

        let p = Pairing::new(Some(&code));
        for _ in 0..PAIR_ATTEMPTS - 1 {
            assert!(matches!(p.redeem("nope"), Err(Refused::Wrong { .. })));
        }
        assert_eq!(p.redeem("nope"), Err(Refused::TooMany));
        assert_eq!(p.redeem(&code), Err(Refused::NoCode));
        assert_eq!(Pairing::new(None).redeem(&code), Err(Refused::NoCode));
    }

    #[test]
    fn tokens_are_stored_hashed_private_and_revocable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path().join("home"));
        let (token, rec) = add(&home, "Chromium", Some("chrome-extension://abc")).unwrap();
        let path = home.root().join(CLIENTS_FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&token), "{text}");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(find(&home, &token), Some(rec.clone()));
        assert_eq!(find(&home, "not it"), None);
        assert!(origin_paired(&home, "chrome-extension://abc"));
        assert!(revoke(&home, "nope").is_err());
        assert_eq!(revoke(&home, &rec.id).unwrap(), rec);
        assert_eq!(find(&home, &token), None);
        assert!(!origin_paired(&home, "chrome-extension://abc"));
    }

    #[test]
    fn only_extension_origins_may_pair() {
        assert!(is_extension_origin(
            "chrome-extension://oklooclnonolclckffolgnkagndidoma"
        ));
        assert!(!is_extension_origin("chrome-extension://"));
        assert!(!is_extension_origin("http://127.0.0.1:9000"));
        assert!(!is_extension_origin("chrome-extension://a/b"));
        assert!(!is_extension_origin("null"));
    }
}

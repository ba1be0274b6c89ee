//! `distroflow extension path` (the "Share with DistroFlow" extension,
//! embedded in the binary and written out once per version) and
//! `distroflow tokens list|revoke` (the tokens paired clients hold).

use std::path::PathBuf;

use distroflow_core::{Error, Home, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::args::{ExtensionAction, ExtensionArgs, TokensAction, TokensArgs};
use crate::exit::ExitStatus;
use crate::output;

macro_rules! files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../../../extension/", $name)) as &[u8])),*]
    };
}

/// The extension's files, as in the repository's `extension/` folder (a
/// test checks that they are the same, file for file).
pub(crate) const FILES: &[(&str, &[u8])] = files![
    "README.md",
    "background.js",
    "manifest.json",
    "options.html",
    "options.js",
    "popup.html",
    "popup.js",
    "style.css",
];

/// The install folder's name: the version and a digest of the files, so a
/// changed extension never mixes with an older copy.
fn folder_name() -> String {
    let mut h = Sha256::new();
    for (name, body) in FILES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update((body.len() as u64).to_le_bytes());
        h.update(body);
    }
    let d = h.finalize();
    let hex: String = d[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{hex}", env!("CARGO_PKG_VERSION"))
}

/// Writes the files under `$DISTROFLOW_HOME/extension/<version>-<digest>/`
/// unless they are there already, and returns the folder.
pub(crate) fn install(home: &Home) -> Result<PathBuf> {
    let dir = home.root().join("extension").join(folder_name());
    let complete = FILES
        .iter()
        .all(|(name, body)| std::fs::read(dir.join(name)).is_ok_and(|b| b == *body));
    if complete {
        return Ok(dir);
    }
    // Written beside, then moved into place: never a half-written folder.
    let parent = dir.parent().unwrap_or(home.root()).to_path_buf();
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let staging = parent.join(format!(".{}-{}", folder_name(), std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| Error::io(&staging, e))?;
    for (name, body) in FILES {
        let p = staging.join(name);
        std::fs::write(&p, body).map_err(|e| Error::io(&p, e))?;
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&staging, &dir).map_err(|e| Error::io(&dir, e))?;
    Ok(dir)
}

pub(crate) fn run(args: ExtensionArgs) -> Result<ExitStatus> {
    match args.action {
        ExtensionAction::Path => {
            let home = Home::from_env()?;
            let dir = install(&home)?;
            output::line(&dir.display().to_string());
            eprintln!(
                "load it: chrome://extensions > Developer mode > Load unpacked > that folder; \
                 then run `distroflow serve --pair` and enter the code in its options"
            );
            Ok(ExitStatus::Success)
        }
    }
}

#[derive(Serialize)]
struct WireToken<'a> {
    id: &'a str,
    label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'a str>,
    created_at: &'a str,
}

pub(crate) fn tokens(args: TokensArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    match args.action {
        TokensAction::List { json } => {
            let all = distroflow_server::client_tokens(&home)?;
            if all.is_empty() && !json {
                eprintln!("no paired clients (pair one: `distroflow serve --pair`)");
            }
            for t in &all {
                if json {
                    output::json_line(&WireToken {
                        id: &t.id,
                        label: &t.label,
                        origin: t.origin.as_deref(),
                        created_at: &t.created_at,
                    });
                } else {
                    output::line(&format!(
                        "{}  {:<24}  {}  {}",
                        t.id,
                        t.label,
                        t.origin.as_deref().unwrap_or("-"),
                        t.created_at
                    ));
                }
            }
            Ok(ExitStatus::Success)
        }
        TokensAction::Revoke { id } => {
            let gone = distroflow_server::revoke_client_token(&home, &id)?;
            output::line(&format!("revoked {} ({})", gone.id, gone.label));
            Ok(ExitStatus::Success)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded copy is the repository's extension/ folder, file for
    /// file (none missing, none extra, same bytes).
    #[test]
    fn the_embedded_extension_is_the_repository_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../extension");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .inspect(|e| assert!(e.file_type().unwrap().is_file(), "{:?}", e.path()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(embedded, on_disk, "add new files to FILES");
        for (name, body) in FILES {
            let real = std::fs::read(format!("{dir}/{name}")).unwrap();
            assert!(real == *body, "{name} differs from the embedded copy");
        }
    }

    #[test]
    fn install_writes_the_files_once_per_version() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path().join("home"));
        let dir = install(&home).unwrap();
        assert!(dir.starts_with(home.root().join("extension")));
        let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        assert!(manifest.contains("\"manifest_version\": 3"));
        std::fs::write(dir.join("popup.js"), "broken").unwrap();
        assert_eq!(install(&home).unwrap(), dir);
        let js = std::fs::read(dir.join("popup.js")).unwrap();
        assert!(js != b"broken", "a damaged copy is written again");
    }
}

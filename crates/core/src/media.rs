use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A media file attached to a post, with its type read from its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    pub path: PathBuf,
    /// MIME type, e.g. `image/png`, detected from the file's first bytes.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// A video's length, read from its header (`None`: not a video, or a
    /// header DistroFlow could not read).
    pub duration: Option<std::time::Duration>,
}

/// The kinds of media DistroFlow can post anywhere.
const SUPPORTED: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heif",
    "image/heic",
    "video/mp4",
    "video/quicktime",
];

/// Largest file DistroFlow accepts at all (each platform has its own,
/// smaller limits, checked by its adapter).
pub const MAX_MEDIA_BYTES: u64 = 512 * 1024 * 1024;

impl Media {
    /// Reads the file's type from its content (not its name) and its size;
    /// a missing, empty, unknown or oversized file is a usage error naming it.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Media> {
        let path = path.as_ref();
        let bad = |problem: String| {
            Error::usage(
                format!("media file {}: {problem}", path.display()),
                Some("attach JPEG, PNG, GIF, WebP or HEIC images, or MP4/MOV videos".into()),
            )
        };
        let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
        if !meta.is_file() {
            return Err(bad("is not a file".into()));
        }
        if meta.len() == 0 {
            return Err(bad("is empty".into()));
        }
        if meta.len() > MAX_MEDIA_BYTES {
            return Err(bad(format!(
                "is {} MB; the largest DistroFlow posts is {} MB",
                meta.len() / 1_000_000,
                MAX_MEDIA_BYTES / 1_000_000
            )));
        }
        let mut head = [0u8; 512];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| bad(e.to_string()))?;
        let mime = infer::get(&head[..n])
            .map(|t| t.mime_type().to_string())
            .ok_or_else(|| bad("is not an image or video DistroFlow knows".into()))?;
        if !SUPPORTED.contains(&mime.as_str()) {
            return Err(bad(format!("is {mime}, which platforms do not take")));
        }
        let duration = if mime.starts_with("video/") {
            video_duration(path, meta.len())
        } else {
            None
        };
        Ok(Media {
            path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            mime,
            size: meta.len(),
            duration,
        })
    }

    pub fn is_image(&self) -> bool {
        self.mime.starts_with("image/")
    }

    pub fn is_video(&self) -> bool {
        self.mime.starts_with("video/")
    }
}

/// An MP4 or QuickTime video's length from its movie header (`moov/mvhd`),
/// seeking past the media data. `None` when the header cannot be read: a
/// damaged file is the platform's to refuse, not a reason to panic.
fn video_duration(path: &Path, size: u64) -> Option<std::time::Duration> {
    let file = std::fs::File::open(path).ok()?;
    let reader = std::io::BufReader::new(file);
    // The parser is third-party code fed a user's file: contain a panic.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        mp4::Mp4Reader::read_header(reader, size).map(|m| m.duration())
    }));
    match parsed {
        Ok(Ok(d)) if !d.is_zero() => Some(d),
        _ => None,
    }
}

/// A minimal MP4 (file type, movie header of the given length, a little
/// media data) for tests: real players would find no track in it, but its
/// header is what platforms and DistroFlow read the length from.
#[doc(hidden)]
pub fn minimal_mp4(seconds: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let boxed = |kind: &[u8], body: &[u8]| {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    };
    out.extend(boxed(b"ftyp", b"isom\0\0\x02\0isomiso2mp41"));
    let mut mvhd = vec![0u8; 4]; // version 0, no flags
    mvhd.extend(0u32.to_be_bytes()); // created
    mvhd.extend(0u32.to_be_bytes()); // modified
    mvhd.extend(1000u32.to_be_bytes()); // timescale: ms
    mvhd.extend((seconds * 1000).to_be_bytes()); // duration
    mvhd.extend(0x0001_0000u32.to_be_bytes()); // rate 1.0
    mvhd.extend(0x0100u16.to_be_bytes()); // volume 1.0
    mvhd.extend([0u8; 10]); // reserved
    for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
        mvhd.extend(v.to_be_bytes()); // identity matrix
    }
    mvhd.extend([0u8; 24]); // pre-defined
    mvhd.extend(2u32.to_be_bytes()); // next track id
    out.extend(boxed(b"moov", &boxed(b"mvhd", &mvhd)));
    out.extend(boxed(b"mdat", &[0u8; 64]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_videos_length_is_read_from_its_header_and_a_damaged_one_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let mp4 = dir.path().join("clip.mp4");
        std::fs::write(&mp4, minimal_mp4(200)).unwrap();
        let m = Media::from_path(&mp4).unwrap();
        assert_eq!(m.mime, "video/mp4");
        assert_eq!(m.duration, Some(std::time::Duration::from_secs(200)));

        // The same start, cut short: a video of unknown length, no panic.
        let cut = dir.path().join("cut.mp4");
        std::fs::write(&cut, &minimal_mp4(200)[..60]).unwrap();
        let m = Media::from_path(&cut).unwrap();
        assert!(m.is_video());
        assert_eq!(m.duration, None);
    }

    /// A 1x1 PNG.
    pub(crate) const PNG: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0a, 0x49, 0x44,
        0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0,
        0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn type_comes_from_content_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("pic.jpg"); // wrong extension on purpose
        std::fs::write(&png, PNG).unwrap();
        let m = Media::from_path(&png).unwrap();
        assert_eq!(m.mime, "image/png");
        assert!(m.is_image());

        let txt = dir.path().join("notes.png");
        std::fs::write(&txt, "hello").unwrap();
        let e = Media::from_path(&txt).unwrap_err().to_string();
        assert!(e.contains("notes.png") && e.contains("not an image"), "{e}");

        let empty = dir.path().join("empty.png");
        std::fs::write(&empty, "").unwrap();
        assert!(Media::from_path(&empty)
            .unwrap_err()
            .to_string()
            .contains("is empty"));
        let e = Media::from_path(dir.path().join("missing.png")).unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("missing.png"));
    }
}

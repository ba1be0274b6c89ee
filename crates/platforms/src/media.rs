use distroflow_core::{Error, PlatformId, Post, Result};

/// The media rules Reddit and Instagram share: at most `limit` files, each
/// an image or a video.
pub(crate) fn check_media(platform: PlatformId, post: &Post, limit: usize) -> Result<()> {
    let name = platform.display_name();
    if post.media.len() > limit {
        return Err(Error::InvalidContent {
            platform,
            message: format!(
                "{name} takes at most {limit} images or videos in a post; this one has {}",
                post.media.len()
            ),
        });
    }
    if let Some(m) = post
        .media
        .iter()
        .find(|m| !(m.mime.starts_with("image/") || m.mime.starts_with("video/")))
    {
        return Err(Error::InvalidContent {
            platform,
            message: format!(
                "{name} takes images and videos; {} is {}",
                m.path.display(),
                m.mime
            ),
        });
    }
    Ok(())
}

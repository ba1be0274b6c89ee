//! The LinkedIn replica's in-memory state: members (vanity name, `li_at`,
//! which share box the rollout gave them), uploaded media, posts with
//! activity ids, the checkpoint switch. No HTTP here.

use std::collections::HashMap;

use rand::Rng;

use super::{LinkedInPost, ShareBox};

/// LinkedIn's limit on a post's commentary, in UTF-16 units.
pub(crate) const MAX_CHARS: usize = 3000;
pub(crate) const ALLOWED_MIME: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];

#[derive(Debug)]
struct Member {
    vanity: String,
    li_at: String,
    share_box: Option<ShareBox>,
}

#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) activity: u64,
    pub(crate) vanity: String,
    pub(crate) text: String,
    pub(crate) media: Vec<(String, usize)>,
}

/// A comment on a post. As on LinkedIn, replies are one level deep: a
/// reply to a reply hangs under the top-level comment.
#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) activity: u64,
    /// The top-level comment it answers.
    pub(crate) parent: Option<u64>,
    pub(crate) author: String,
    pub(crate) text: String,
    pub(crate) deleted: bool,
    pub(crate) created: std::time::SystemTime,
}

#[derive(Debug)]
pub(crate) struct Store {
    pub(crate) comments: Vec<Comment>,
    /// Top-level comments a post page shows before "Load more comments".
    pub(crate) comments_per_page: usize,
    members: Vec<Member>,
    media: HashMap<String, (String, String, usize)>,
    posts: Vec<Post>,
    last: u64,
    pub(crate) default_box: ShareBox,
    pub(crate) checkpoint: bool,
}

impl Store {
    pub(crate) fn new(users: &[String], default_box: ShareBox) -> Store {
        Store {
            comments: Vec::new(),
            comments_per_page: 10,
            members: users
                .iter()
                .map(|u| Member {
                    vanity: u.clone(),
                    li_at: format!("AQEDA{}", random(150)),
                    share_box: None,
                })
                .collect(),
            media: HashMap::new(),
            posts: Vec::new(),
            last: 7_200_000_000_000_000_000,
            default_box,
            checkpoint: false,
        }
    }

    pub(crate) fn li_at(&self, vanity: &str) -> Option<String> {
        self.members
            .iter()
            .find(|m| m.vanity == vanity)
            .map(|m| m.li_at.clone())
    }

    pub(crate) fn member(&self, li_at: &str) -> Option<String> {
        self.members
            .iter()
            .find(|m| m.li_at == li_at)
            .map(|m| m.vanity.clone())
    }

    pub(crate) fn share_box(&self, vanity: &str) -> ShareBox {
        self.members
            .iter()
            .find(|m| m.vanity == vanity)
            .and_then(|m| m.share_box)
            .unwrap_or(self.default_box)
    }

    pub(crate) fn set_share_box(&mut self, vanity: &str, b: ShareBox) {
        if let Some(m) = self.members.iter_mut().find(|m| m.vanity == vanity) {
            m.share_box = Some(b);
        }
    }

    pub(crate) fn upload(&mut self, owner: &str, mime: &str, size: usize) -> Option<String> {
        if !ALLOWED_MIME.contains(&mime) || size == 0 {
            return None;
        }
        let urn = format!("urn:li:digitalmediaAsset:D4E{}", random(20));
        self.media
            .insert(urn.clone(), (owner.to_string(), mime.to_string(), size));
        Some(urn)
    }

    pub(crate) fn create(
        &mut self,
        vanity: &str,
        text: &str,
        media: &[String],
    ) -> Result<u64, String> {
        if text.trim().is_empty() && media.is_empty() {
            return Err("The post is empty".into());
        }
        if text.encode_utf16().count() > MAX_CHARS {
            return Err(format!("Your post is over {MAX_CHARS} characters"));
        }
        let mut files = Vec::new();
        for m in media {
            match self.media.get(m) {
                Some((owner, mime, size)) if owner == vanity => files.push((mime.clone(), *size)),
                _ => return Err("Media could not be attached".into()),
            }
        }
        self.last += rand::rng().random_range(1_000..9_000);
        self.posts.push(Post {
            activity: self.last,
            vanity: vanity.to_string(),
            text: text.to_string(),
            media: files,
        });
        Ok(self.last)
    }

    /// Adds a comment on post `activity` (a reply when `parent` is a
    /// comment's id: a reply's reply hangs under its top-level comment).
    pub(crate) fn comment(
        &mut self,
        activity: u64,
        parent: Option<u64>,
        author: &str,
        text: &str,
    ) -> Option<u64> {
        if !self.posts.iter().any(|p| p.activity == activity) {
            return None;
        }
        let parent = match parent {
            None => None,
            Some(id) => {
                let c = self
                    .comments
                    .iter()
                    .find(|c| c.id == id && c.activity == activity)?;
                Some(c.parent.unwrap_or(c.id))
            }
        };
        self.last += rand::rng().random_range(1_000..9_000);
        self.comments.push(Comment {
            id: self.last,
            activity,
            parent,
            author: author.to_string(),
            text: text.to_string(),
            deleted: false,
            created: std::time::SystemTime::now(),
        });
        Some(self.last)
    }

    pub(crate) fn posts(&self) -> &[Post] {
        &self.posts
    }

    pub(crate) fn public(&self, p: &Post) -> LinkedInPost {
        LinkedInPost {
            urn: format!("urn:li:activity:{}", p.activity),
            member: p.vanity.clone(),
            text: p.text.clone(),
            media: p.media.len(),
        }
    }
}

pub(crate) fn random(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(A[rng.random_range(0..A.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posts_are_checked_and_the_rollout_is_per_member() {
        let mut s = Store::new(&["a".into(), "b".into()], ShareBox::Classic);
        s.set_share_box("b", ShareBox::Sdui);
        assert_eq!(s.share_box("a"), ShareBox::Classic);
        assert_eq!(s.share_box("b"), ShareBox::Sdui);
        assert!(s.create("a", &"x".repeat(3001), &[]).is_err());
        assert!(s.create("a", "  ", &[]).is_err());
        let one = s.create("a", "hello #rust", &[]).unwrap();
        let two = s.create("a", "again", &[]).unwrap();
        assert!(two > one);
        let m = s.upload("b", "image/png", 3).unwrap();
        assert!(s.create("a", "x", std::slice::from_ref(&m)).is_err());
        assert!(s.create("b", "x", &[m]).is_ok());
    }
}

//! The store's side of ending a conversation: the tags agents used most, for the End dialog's
//! suggestions. Split from [`super::Read`] into a trait of its own, which that trait includes.

use super::Result;

/// How many of the newest conversations the suggestions look at: enough to know a team's
/// tags, and a bounded read however long the history grows.
pub const TAG_WINDOW: u32 = 5_000;

pub trait EndingRead {
    /// Tags of the newest [`TAG_WINDOW`] conversations that start with `prefix` (ASCII letters
    /// compared without case), each with how many of them carry it; most used first, then
    /// by name; at most `limit`.
    fn popular_tags(&mut self, prefix: &str, limit: u32) -> Result<Vec<(String, u64)>>;
}

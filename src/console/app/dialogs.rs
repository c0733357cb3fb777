//! Overlays (help, transfer, tag, end, quick replies, quit) and the knowledge-base panel:
//! fuzzy pick lists and what confirming them does.

use super::effect::{Effect, Tag, request};
use super::picker::{NEW_TAG, fuzzy_rank};
use super::state::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::model::{AgentStatus, Millis};
use crate::protocol::request as req;
use crate::protocol::{ArticleSummary, TransferTarget};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// How long typing must pause before the server's full-text search goes out.
pub const KB_DEBOUNCE_MS: Millis = 150;
/// Full-text hits asked for per search.
const KB_FULL_TEXT_HITS: u32 = 50;

/// Whether every character of `needle` appears in `hay` in order (what any fuzzy match needs).
fn in_order(hay: &str, needle: &str) -> bool {
    let mut want = needle.chars().filter(|c| *c != ' ');
    let mut next = want.next();
    for c in hay.chars() {
        match next {
            None => return true,
            Some(w) if w == c => next = want.next(),
            Some(_) => {}
        }
    }
    next.is_none()
}

impl App {
    pub fn open_transfer(&mut self) -> Vec<Effect> {
        let Some(session) = self.writable() else {
            return Vec::new();
        };
        let items = self.transfer_items();
        let matches = (0..items.len()).collect();
        self.overlay = Some(Overlay::Transfer {
            session,
            items,
            picker: Picker {
                matches,
                ..Default::default()
            },
            note: String::new(),
            on_note: false,
            status: Default::default(),
        });
        vec![request(Tag::Directory, req::Directory {})]
    }

    /// Agents (online first, with their load; offline ones last) and groups (with their
    /// queue), for transfer.
    pub fn transfer_items(&self) -> Vec<TransferChoice> {
        let me = self.me.as_ref().map(|m| m.id);
        let mut agents: Vec<&crate::protocol::AgentInfo> =
            self.directory.iter().filter(|a| Some(a.id) != me).collect();
        // Online, then busy or away (connected), then offline or disconnected.
        let rank = |a: &crate::protocol::AgentInfo| match (a.status, a.connected) {
            (AgentStatus::Offline, _) | (_, false) => 2,
            (AgentStatus::Online, true) => 0,
            _ => 1,
        };
        agents.sort_by_key(|a| (rank(a), a.active, a.username.clone()));
        let t = text(self.lang);
        let status = |s: AgentStatus, connected: bool| match s {
            AgentStatus::Online if connected => t.status_online,
            AgentStatus::Busy => t.status_busy,
            AgentStatus::Away => t.status_away,
            _ => t.status_offline,
        };
        let agent_items = agents.iter().map(|a| TransferChoice::Agent {
            username: a.username.clone(),
            available: rank(a) < 2,
            label: format!(
                "@{} {} · {} · {}/{}",
                a.username,
                a.display_name,
                status(a.status, a.connected),
                a.active,
                a.capacity
            ),
        });
        // Who can take it now first, then groups and menus; agents who cannot come last.
        let (mut items, unavailable): (Vec<TransferChoice>, Vec<TransferChoice>) = agent_items
            .partition(|c| {
                matches!(
                    c,
                    TransferChoice::Agent {
                        available: true,
                        ..
                    }
                )
            });
        items.extend(self.queues.iter().map(|q| TransferChoice::Group {
            name: q.group.clone(),
            label: format!("#{} · {} {}", q.group, t.queue_heading, q.waiting),
        }));
        items.extend(crate::console::app::menu_choices::menu_choices(&self.menus));
        items.extend(unavailable);
        items
    }

    pub fn open_tag(&mut self) -> Vec<Effect> {
        let Some(session) = self.writable() else {
            return Vec::new();
        };
        let mut items = self.known_tags.clone();
        for s in self.sessions.values() {
            for t in s
                .view
                .tags
                .iter()
                .chain(s.past.iter().flatten().flat_map(|p| p.tags.iter()))
            {
                if !items.contains(t) {
                    items.push(t.clone());
                }
            }
        }
        let matches = (0..items.len()).collect();
        self.overlay = Some(Overlay::Tag {
            session,
            items,
            picker: Picker {
                matches,
                ..Default::default()
            },
        });
        Vec::new()
    }

    /// Re-ranks the open picker after its query changed.
    pub fn refilter(&mut self) {
        let query = match &self.overlay {
            Some(Overlay::QuickReplies { picker }) => Some(picker.query.clone()),
            _ => None,
        };
        let ranked = query.map(|q| self.rank_quick_replies(&q));
        match &mut self.overlay {
            Some(Overlay::Transfer { items, picker, .. }) => {
                picker.matches = fuzzy_rank(&picker.query, items.iter().map(|i| i.label()));
                picker.selected = 0;
            }
            Some(Overlay::Tag { items, picker, .. }) => {
                picker.matches = fuzzy_rank(&picker.query, items.iter().map(|s| s.as_str()));
                let typed = picker.query.trim();
                // A typed tag that does not exist yet is offered as "new tag" at the end.
                if !typed.is_empty() && !items.iter().any(|t| t == typed) {
                    picker.matches.push(NEW_TAG);
                }
                picker.selected = 0;
            }
            Some(Overlay::QuickReplies { picker }) => {
                picker.matches = ranked.unwrap_or_default();
                picker.selected = 0;
            }
            Some(Overlay::QuickManager(_)) => self.refilter_quick_manager(),
            _ => {}
        }
    }

    /// Re-ranks knowledge-base titles (and keywords) for the current query. Fast enough for
    /// every keystroke over 100,000 titles: a cheap in-order character test discards most
    /// titles before the scorer runs, and a query that extends the last one only looks at the
    /// last one's matches.
    pub fn refilter_kb(&mut self) -> Vec<Effect> {
        let q = self.kb.query.trim().to_lowercase();
        let kb = &mut self.kb;
        if q.is_empty() {
            kb.matches = (0..kb.titles.len()).collect();
        } else {
            let narrowing = !kb.matched_query.is_empty() && q.starts_with(&kb.matched_query);
            let pool: Vec<usize> = if narrowing {
                std::mem::take(&mut kb.matches)
            } else {
                (0..kb.keyed.len()).collect()
            };
            let keyed = &kb.keyed;
            // Stage 1, cheap, for every title: it must hold the query's characters in order;
            // titles holding the query (or each of its words) verbatim rank first, earlier
            // occurrences higher.
            let words: Vec<&str> = q.split_whitespace().collect();
            let mut cheap: Vec<(i64, usize)> = pool
                .into_iter()
                .filter_map(|i| {
                    let k = keyed.get(i)?;
                    if !in_order(k, &q) {
                        return None;
                    }
                    let rank = if let Some(p) = k.find(q.as_str()) {
                        2_000_000 - p as i64
                    } else if words.iter().all(|w| k.contains(w)) {
                        1_000_000 - words.iter().filter_map(|w| k.find(w)).min().unwrap_or(0) as i64
                    } else {
                        0
                    };
                    Some((rank, i))
                })
                .collect();
            cheap.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            // Stage 2: the fuzzy scorer orders the best few hundred, which is what a person
            // looks through; the rest keep the cheap order.
            const RESCORE: usize = 500;
            let split = cheap.len().min(RESCORE);
            let matcher = SkimMatcherV2::default().respect_case();
            let mut head: Vec<(i64, usize)> = cheap[..split]
                .iter()
                .map(|(rank, i)| {
                    (
                        matcher.fuzzy_match(&keyed[*i], &q).unwrap_or(0) + rank / 1000,
                        *i,
                    )
                })
                .collect();
            head.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            kb.matches = head
                .into_iter()
                .map(|(_, i)| i)
                .chain(cheap[split..].iter().map(|(_, i)| *i))
                .collect();
        }
        kb.matched_query = q.clone();
        kb.selected = 0;
        // The server's full-text search follows, once typing pauses.
        if q != kb.searched_query {
            kb.generation += 1;
            kb.snippets.clear();
            kb.due = (!q.is_empty()).then_some(self.now + KB_DEBOUNCE_MS);
            kb.searched_query = q;
        }
        self.fetch_selected_article()
    }

    /// The full-text search whose debounce is over, if any: the run loop calls this when
    /// [`App::kb_deadline`] passes.
    pub fn kb_due(&mut self) -> Vec<Effect> {
        match self.kb.due {
            Some(due) if self.now >= due => {
                self.kb.due = None;
                let search = req::KbSearch {
                    offset: None,
                    query: self.kb.searched_query.clone(),
                    limit: Some(KB_FULL_TEXT_HITS),
                };
                vec![request(Tag::KbFullText(self.kb.generation), search)]
            }
            _ => Vec::new(),
        }
    }

    /// When the pending full-text search is due.
    pub fn kb_deadline(&self) -> Option<Millis> {
        self.kb.due
    }

    /// Merges the server's hits for `generation`: they come first, best first, with their
    /// snippets; the fuzzy title matches follow. An answer for an older query is dropped. The
    /// selected article stays selected.
    pub fn merge_kb_hits(&mut self, generation: u64, hits: Vec<ArticleSummary>) -> Vec<Effect> {
        if generation != self.kb.generation {
            return Vec::new();
        }
        let selected = self.selected_article().map(|t| t.id);
        let kb = &mut self.kb;
        let mut first = Vec::with_capacity(hits.len());
        for mut hit in hits {
            if let Some(s) = hit.snippet.take() {
                kb.snippets.insert(hit.id, s);
            }
            let i = kb.index_of(KbTitle::from(hit));
            if !first.contains(&i) {
                first.push(i);
            }
        }
        let rest: Vec<usize> = kb
            .matches
            .iter()
            .copied()
            .filter(|i| !first.contains(i))
            .collect();
        kb.matches = first.into_iter().chain(rest).collect();
        kb.selected = selected
            .and_then(|id| {
                kb.matches
                    .iter()
                    .position(|i| kb.titles.get(*i).is_some_and(|t| t.id == id))
            })
            .unwrap_or(0);
        self.fetch_selected_article()
    }

    pub fn selected_article(&self) -> Option<&KbTitle> {
        self.kb
            .matches
            .get(self.kb.selected)
            .and_then(|i| self.kb.titles.get(*i))
    }

    pub fn fetch_selected_article(&mut self) -> Vec<Effect> {
        match self.selected_article() {
            Some(t) if !self.kb.bodies.contains_key(&t.id) => {
                let id = t.id;
                vec![request(Tag::KbGet(id), req::KbGet { article_id: id })]
            }
            _ => Vec::new(),
        }
    }

    /// Sends the selected article to the customer (一键发送) or puts it in the composer.
    pub fn use_article(&mut self, send: bool) -> Vec<Effect> {
        let Some(article) = self
            .selected_article()
            .and_then(|t| self.kb.bodies.get(&t.id))
            .cloned()
        else {
            return Vec::new();
        };
        let Some(id) = self.writable() else {
            self.notice(text(self.lang).no_session_selected);
            return Vec::new();
        };
        if send {
            // As a formatted message: the title as a heading line, then the text.
            let text = format!("【{}】\n{}", article.title.trim(), article.body.trim());
            let mut fx = self.send_message(id, text);
            let record = req::KbSent {
                session_id: id,
                article_id: Some(article.id),
            };
            fx.push(request(Tag::KbSent(id), record));
            fx
        } else {
            if let Some(s) = self.sessions.get_mut(&id) {
                s.draft.insert_str(&article.body);
            }
            self.focus = Focus::Compose;
            Vec::new()
        }
    }

    /// Actions while an overlay is open. Moving around edits the overlay in place; only
    /// confirming or cancelling closes it.
    pub fn update_overlay(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let down = matches!(
            action,
            A::SelectNext | A::CursorDown | A::ScrollDown | A::PageDown
        );
        if let Some(Overlay::Help(_)) = &self.overlay {
            return self.help_action(action);
        }
        if let Some(Overlay::QuickManager(_)) = &self.overlay {
            return self.quick_manager_action(action);
        }
        if let Some(Overlay::Cc(_)) = &self.overlay {
            return self.cc_action(action);
        }
        if let Some(Overlay::FollowUp(_)) = &self.overlay {
            return self.follow_up_action(action);
        }
        if let Some(Overlay::End(_)) = &self.overlay {
            return self.end_action(action);
        }
        if let Some(Overlay::Reports(_)) = &self.overlay {
            return self.reports_action(action);
        }
        if let Some(Overlay::History(_)) = &self.overlay {
            return self.history_action(action);
        }
        if let Some(Overlay::Dashboard(_)) = &self.overlay {
            return self.dashboard_action(action);
        }
        if let Some(Overlay::Audit(_)) = &self.overlay {
            return self.audit_action(action);
        }
        if let Some(Overlay::Account(_)) = &self.overlay {
            return self.account_action(action);
        }
        if let Some(Overlay::TwoFactor(_)) = &self.overlay {
            return self.totp_action(action);
        }
        match (&mut self.overlay, action) {
            (None, _) => Vec::new(),
            (
                Some(Overlay::Transfer { picker, status, .. }),
                A::SelectNext | A::SelectPrev | A::CursorDown | A::CursorUp,
            ) => {
                // Another target: the last refusal was about the old one.
                status.reset();
                let n = picker.matches.len().max(1);
                picker.selected = if down {
                    (picker.selected + 1) % n
                } else {
                    (picker.selected + n - 1) % n
                };
                Vec::new()
            }
            (Some(Overlay::Transfer { on_note, .. }), A::NextField) => {
                *on_note = !*on_note;
                Vec::new()
            }
            (
                Some(Overlay::Tag { picker, .. } | Overlay::QuickReplies { picker }),
                A::SelectNext | A::SelectPrev | A::CursorDown | A::CursorUp,
            ) => {
                let n = picker.matches.len().max(1);
                picker.selected = if down {
                    (picker.selected + 1) % n
                } else {
                    (picker.selected + n - 1) % n
                };
                Vec::new()
            }
            (Some(_), A::Cancel) => {
                self.overlay = None;
                Vec::new()
            }
            (Some(Overlay::Quit), A::Confirm | A::Quit) => {
                self.overlay = None;
                self.should_quit = true;
                vec![Effect::Quit]
            }
            (Some(_), A::Confirm | A::KbInsert) => self.confirm_overlay(action),
            (Some(_), other) => {
                self.edit_overlay(other);
                Vec::new()
            }
        }
    }

    /// Confirming a dialog: its request, and the dialog closes. With nothing chosen it stays.
    fn confirm_overlay(&mut self, action: Action) -> Vec<Effect> {
        let fx = match &self.overlay {
            Some(Overlay::Transfer {
                session,
                items,
                picker,
                note,
                status,
                ..
            }) if action == Action::Confirm => {
                if status.sending {
                    return Vec::new();
                }
                let queue = status.queue_offered;
                let Some(choice) = picker
                    .matches
                    .get(picker.selected)
                    .and_then(|i| items.get(*i))
                else {
                    return Vec::new();
                };
                let to = match choice {
                    TransferChoice::Agent { username, .. } => {
                        TransferTarget::Agent(username.clone())
                    }
                    TransferChoice::Group { name, .. } => TransferTarget::Group(name.clone()),
                    TransferChoice::Menu { target, .. } => TransferTarget::Menu(target.clone()),
                };
                let transfer = req::Transfer {
                    session_id: *session,
                    to,
                    // No note rather than an empty one shown to the next agent.
                    note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
                    queue,
                };
                let fx = vec![request(Tag::Transfer(*session), transfer)];
                // Open until the answer: a refusal is shown here, with the note kept.
                if let Some(Overlay::Transfer { status, .. }) = &mut self.overlay {
                    status.sending = true;
                }
                return fx;
            }
            Some(Overlay::Tag {
                session,
                items,
                picker,
            }) if action == Action::Confirm => {
                let tag = match picker.matches.get(picker.selected) {
                    Some(&NEW_TAG) => picker.query.trim().to_string(),
                    Some(i) => items.get(*i).cloned().unwrap_or_default(),
                    None => String::new(),
                };
                if tag.is_empty() {
                    return Vec::new();
                }
                let session = *session;
                if !self.known_tags.contains(&tag) {
                    self.known_tags.push(tag.clone());
                }
                let add = req::Tag {
                    session_id: session,
                    add: vec![tag],
                    remove: Vec::new(),
                };
                vec![request(Tag::Tag(session), add)]
            }
            Some(Overlay::QuickReplies { picker }) => {
                let chosen = picker.matches.get(picker.selected).copied();
                self.overlay = None;
                self.focus = Focus::Compose;
                return chosen
                    .map(|i| self.insert_quick_reply(i))
                    .unwrap_or_default();
            }
            _ => return Vec::new(),
        };
        self.overlay = None;
        fx
    }
}

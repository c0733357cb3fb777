//! Self-service menus on the hub (转智能IVR, `docs/menus.md`). An agent transfers a customer
//! to a menu node (`TransferTarget::Menu`): the conversation leaves routing and its agent (who
//! loses access at once, as with any transfer) and enters state `menu`, in no queue, like a
//! conversation with the bot. Each customer message is then an input at the current node
//! (`crate::menu::step`): the next menu is shown, a knowledge-base article answers (read on
//! the read pool), a lookup webhook is called (`menu_lookup`, off the hub), or the customer
//! returns to a group's human queue — on `0` / 人工, at a `queue` node, or after
//! `[menus] max_invalid` inputs in a row not understood. The position and the path taken are
//! in the session's `menu` record (stored with it: a restart keeps them) and the next agent
//! sees the path in the offer.

use super::hub::Hub;
use crate::menu::{Menu, MenuSet, Outcome, ReturnReason, enter, nav, step};
use crate::model::{AgentId, AuthorKind, SessionId, SessionState, now_ms};
use crate::protocol::{
    ApiError, MenuEntry, MenuInfo, MenuNodeEntry, MenuReturn, MenuReturnReason, MenuStep,
    RemovedReason, SessionRef,
};
use std::sync::Arc;

/// Longest article text a menu sends, in characters (as the bot's answers).
const MAX_ARTICLE_CHARS: usize = 1_500;
const BUSY: &str = "正在查询，请稍候……\nLooking that up, one moment…";
const TOO_MANY_LOOKUPS: &str = "查询次数已达上限，请回复 0 转人工。\nThat is as many lookups as we can do here: reply 0 for a person.";
const NO_ARTICLE: &str = "抱歉，这条内容暂时无法显示，请回复 0 转人工。\nSorry, that answer is not available right now: reply 0 for a person.";

impl Hub {
    /// `session.transfer` to `"menu"` or `"menu/node"` (the caller checked the agent may).
    pub(super) fn transfer_to_menu(
        &mut self,
        agent: AgentId,
        session: SessionId,
        target: &str,
    ) -> Result<SessionRef, ApiError> {
        let menus = self.menus.clone();
        let (menu, node) = menus.resolve(target).map_err(ApiError::not_found)?;
        let state = self.live.get(&session).map(|l| l.view.state);
        if !matches!(
            state,
            Some(SessionState::Active | SessionState::Offered | SessionState::Queued)
        ) {
            return Err(ApiError::conflict(
                "only a conversation with people or in a queue can go to a menu",
            ));
        }
        let now = now_ms();
        let by = self.agents.get(&agent).map(|e| e.row.display_name.clone());
        // Out of routing: the agent (or the offer, or the queue) lets go of it now.
        let fx = self.engine.end(session, now);
        self.apply_with(fx, RemovedReason::Transferred);
        self.transfer_notes.remove(&session);
        let Some(l) = self.live.get_mut(&session) else {
            return Err(ApiError::not_found(format!("no open session {session}")));
        };
        let v = &mut l.view;
        v.state = SessionState::Menu;
        v.assignee = None;
        v.queued_at = None;
        v.waiting_since = None;
        v.offline = false;
        v.menu = Some(MenuInfo {
            menu: menu.name.clone(),
            node: node.id.clone(),
            by,
            since: now,
            ..MenuInfo::default()
        });
        self.touch(session);
        self.announce_session(session);
        tracing::info!(session, menu = %menu.name, node = %node.id, "transferred to a menu");
        let label = if node.id == menu.start {
            menu.title.clone()
        } else {
            menu.label_of(&node.id)
        };
        let arrival = enter(menu, &node.id, label);
        self.menu_go(session, menu, arrival, None);
        Ok(SessionRef {
            session_id: session,
        })
    }

    /// A customer's new message (stored already) in a conversation in a menu: an input at the
    /// current node.
    pub(super) fn menu_hears(&mut self, session: SessionId, text: &str) {
        let Some(info) = self.menu_info(session).cloned() else {
            return;
        };
        if self.menu_busy.contains(&session) {
            return self.menu_say(session, BUSY.into());
        }
        let menus = self.menus.clone();
        let Some(menu) = menus.get(&info.menu) else {
            // The menu was removed from the config since (a restart): people take over.
            return self.menu_return(session, None, MenuReturnReason::Unavailable);
        };
        let words = self.config.bot.words();
        let outcome = step(menu, &info.node, text, &words);
        self.menu_go(session, menu, outcome, Some(nav::cut_input(text)));
    }

    /// Acts on where an input or an arrival leads; `input` is what the customer typed.
    fn menu_go(
        &mut self,
        session: SessionId,
        menu: &Menu,
        outcome: Outcome,
        input: Option<String>,
    ) {
        let node_label = |node: &str, label: String| MenuStep {
            node: node.to_string(),
            label,
            input: input.clone(),
            answered: None,
        };
        match outcome {
            Outcome::Show { node, label } => {
                self.menu_record(session, node_label(&node, label), &node);
                self.menu_say(session, nav::render(menu, &node));
            }
            Outcome::AskInput { node, label } => {
                self.menu_record(session, node_label(&node, label), &node);
                self.menu_say(session, nav::render(menu, &node));
            }
            Outcome::Article {
                node,
                id,
                then,
                label,
            } => {
                self.menu_record(session, node_label(&node, label), &then);
                let name = menu.name.clone();
                self.read_then(
                    move |rd| rd.kb_get(id),
                    move |hub, found| hub.menu_article(session, &name, id, &then, found),
                );
            }
            Outcome::Lookup { node, input } => self.menu_lookup(session, menu, &node, input),
            Outcome::Queue {
                group,
                reason,
                label,
            } => {
                let at = self
                    .menu_info(session)
                    .map(|i| i.node.clone())
                    .unwrap_or_default();
                self.menu_record(session, node_label(&at, label), &at);
                let reason = match reason {
                    ReturnReason::Requested => MenuReturnReason::Requested,
                    ReturnReason::Leaf => MenuReturnReason::Leaf,
                    ReturnReason::Invalid => MenuReturnReason::Invalid,
                };
                self.menu_return(session, group, reason);
            }
            Outcome::Invalid { node, why } => {
                let max = self.config.menus.max_invalid;
                let Some(info) = self.menu_info_mut(session) else {
                    return;
                };
                info.invalid += 1;
                let give_up = info.invalid >= max;
                self.touch(session);
                if give_up {
                    return self.menu_return(session, None, MenuReturnReason::Invalid);
                }
                let text = format!("{}\n\n{}", nav::hint(why), nav::render(menu, &node));
                self.menu_say(session, text);
            }
        }
    }

    /// The article of an `article` node was read: it is sent, then the `then` node shown.
    fn menu_article(
        &mut self,
        session: SessionId,
        menu: &str,
        id: i64,
        then: &str,
        found: Result<Option<crate::protocol::Article>, ApiError>,
    ) {
        if !self.in_menu(session) {
            return;
        }
        let text = match found {
            Ok(Some(a)) if a.status == crate::protocol::ArticleStatus::Published => {
                article_text(&a.title, &a.body)
            }
            Ok(_) => {
                tracing::warn!(session, menu, article = id, "a menu's article is missing");
                NO_ARTICLE.into()
            }
            Err(e) => {
                tracing::warn!(session, menu, error = %e.message, "a menu's article was not read");
                NO_ARTICLE.into()
            }
        };
        self.menu_say(session, text);
        let menus = self.menus.clone();
        if let Some(m) = menus.get(menu) {
            self.menu_say(session, nav::render(m, then));
        }
    }

    /// A lookup node got its input: POSTed off the hub, the answer (or the fallback) comes
    /// back to [`Hub::menu_looked_up`].
    fn menu_lookup(&mut self, session: SessionId, menu: &Menu, node: &str, input: String) {
        let Some(crate::menu::NodeKind::Lookup(lookup)) = menu.node(node).map(|n| &n.kind) else {
            return;
        };
        let max = self.config.menus.max_lookups;
        let Some(info) = self.menu_info_mut(session) else {
            return;
        };
        if info.lookups >= max {
            return self.menu_say(session, TOO_MANY_LOOKUPS.into());
        }
        info.lookups += 1;
        info.invalid = 0;
        let label = menu.label_of(node);
        self.menu_record(
            session,
            MenuStep {
                node: node.to_string(),
                label,
                input: Some(input.clone()),
                answered: None,
            },
            node,
        );
        let Some(customer) = self.live.get(&session).map(|l| l.view.customer.clone()) else {
            return;
        };
        self.menu_busy.insert(session);
        let request = super::menu_lookup::LookupRequest {
            url: lookup.url.clone(),
            timeout_ms: lookup.timeout_ms,
            body: super::menu_lookup::body(&menu.name, node, &input, session, &customer),
            secret: self.config.menus.lookup_secret.clone(),
            max_bytes: self.config.menus.max_response_bytes,
        };
        let (name, node) = (menu.name.clone(), node.to_string());
        let inbox = self.inbox.clone();
        tokio::spawn(async move {
            let answer = super::menu_lookup::call(request).await;
            let back = move |hub: &mut Hub| hub.menu_looked_up(session, &name, &node, answer);
            let _ = inbox.send(super::hub::HubMsg::Continue(Box::new(back)));
        });
    }

    /// A lookup's answer (`Ok`: the text to show) or why there is none: shown (the fallback
    /// on failure), then the lookup's `then` node.
    fn menu_looked_up(
        &mut self,
        session: SessionId,
        menu: &str,
        node: &str,
        answer: Result<String, String>,
    ) {
        self.menu_busy.remove(&session);
        if !self.in_menu(session) {
            return;
        }
        let menus = self.menus.clone();
        let Some(m) = menus.get(menu) else {
            return;
        };
        let Some(crate::menu::NodeKind::Lookup(lookup)) = m.node(node).map(|n| &n.kind) else {
            return;
        };
        let answered = answer.is_ok();
        let text = match answer {
            Ok(text) => text,
            Err(why) => {
                tracing::warn!(session, menu, node, error = %why, "a menu lookup failed");
                lookup.fallback.clone()
            }
        };
        if let Some(info) = self.menu_info_mut(session) {
            if let Some(last) = info.path.last_mut().filter(|s| s.node == node) {
                last.answered = Some(answered);
            }
            info.node = lookup.then.clone();
        }
        self.touch(session);
        self.menu_say(session, text);
        self.menu_say(session, nav::render(m, &lookup.then));
    }

    /// Back to people: the customer is told, the reason recorded, the conversation queued in
    /// `group` (a `queue` node's), else the menu's, else its own group — the first that exists.
    pub(super) fn menu_return(
        &mut self,
        session: SessionId,
        group: Option<String>,
        reason: MenuReturnReason,
    ) {
        self.menu_busy.remove(&session);
        if !self.in_menu(session) {
            return;
        }
        let line = self.config.menus.handoff.clone();
        self.menu_say_as(session, AuthorKind::System, line);
        let now = now_ms();
        let menus = self.menus.clone();
        let Some(l) = self.live.get(&session) else {
            return;
        };
        let menu_group = l
            .view
            .menu
            .as_ref()
            .and_then(|i| menus.get(&i.menu))
            .and_then(|m| m.group.clone());
        let own = l.view.group.clone();
        let group = [group, menu_group]
            .into_iter()
            .flatten()
            .find(|g| self.engine.has_group(g))
            .unwrap_or(own);
        let offline = !self.group_presence(&group, now).serving();
        let Some(l) = self.live.get_mut(&session) else {
            return;
        };
        let v = &mut l.view;
        if let Some(info) = v.menu.as_mut() {
            info.returned = Some(MenuReturn {
                reason,
                group: group.clone(),
                at: now,
            });
        }
        v.state = SessionState::Queued;
        v.group = group.clone();
        v.queued_at = Some(now);
        v.waiting_since = Some(now);
        v.replied_at = None;
        v.reminded_at = None;
        v.offline = offline;
        let priority = v.priority;
        self.touch(session);
        tracing::info!(session, %group, ?reason, "back from a menu to the queue");
        match self.engine.enqueue(session, &group, priority, now) {
            Ok(fx) => self.apply(fx),
            Err(e) => tracing::error!(session, error = %e, "enqueue after a menu failed"),
        }
        self.tell_waiting(session);
    }

    /// Appends a step to the path (up to `max_path`) and moves the position to `at`.
    fn menu_record(&mut self, session: SessionId, s: MenuStep, at: &str) {
        let max = self.config.menus.max_path;
        if let Some(info) = self.menu_info_mut(session) {
            if info.path.len() < max && !(s.label.is_empty() && s.input.is_none()) {
                info.path.push(s);
            }
            if info.node != at {
                info.invalid = 0;
            }
            info.node = at.to_string();
            self.touch(session);
        }
    }

    fn in_menu(&self, session: SessionId) -> bool {
        self.live
            .get(&session)
            .is_some_and(|l| l.view.state == SessionState::Menu)
    }

    fn menu_info(&self, session: SessionId) -> Option<&MenuInfo> {
        let l = self.live.get(&session)?;
        (l.view.state == SessionState::Menu).then_some(l.view.menu.as_ref()?)
    }

    fn menu_info_mut(&mut self, session: SessionId) -> Option<&mut MenuInfo> {
        let l = self.live.get_mut(&session)?;
        if l.view.state != SessionState::Menu {
            return None;
        }
        l.view.menu.as_mut()
    }

    fn menu_say(&mut self, session: SessionId, body: String) {
        self.menu_say_as(session, AuthorKind::Bot, body);
    }

    /// Posts the menu's message (a `bot` message, or with `System` the server's line); as the
    /// bot's, it starts the silent-customer clock.
    fn menu_say_as(&mut self, session: SessionId, kind: AuthorKind, body: String) {
        self.machine_say(session, kind, body, "menu");
    }

    /// The menus for the transfer directory.
    pub(super) fn menu_entries(&self) -> Vec<MenuEntry> {
        menu_entries(&self.menus)
    }
}

/// Reads and checks the configured menus (`[menus] dir` and `trees`), the groups they name
/// included; an error lists every problem as `file:line:col: message`.
pub fn load_menus(
    config: &crate::config::ServerConfig,
    group_exists: impl Fn(&str) -> bool,
) -> anyhow::Result<MenuSet> {
    let m = &config.menus;
    let set = crate::menu::load(m.dir.as_deref(), &m.trees)
        .map_err(|problems| anyhow::anyhow!("menus:\n{}", problems.join("\n")))?;
    let mut problems = Vec::new();
    for menu in set.menus.values() {
        let found = crate::menu::check::reference_problems(menu, None, Some(&group_exists));
        problems.extend(crate::menu::located(
            &format!("menu `{}`", menu.name),
            &found,
        ));
    }
    if !problems.is_empty() {
        anyhow::bail!("menus:\n{}", problems.join("\n"));
    }
    Ok(set)
}

/// Each menu with the nodes an agent may send a customer to.
pub fn menu_entries(menus: &Arc<MenuSet>) -> Vec<MenuEntry> {
    menus
        .menus
        .values()
        .map(|m| MenuEntry {
            name: m.name.clone(),
            title: m.title.clone(),
            nodes: m
                .entry_points()
                .into_iter()
                .filter(|id| {
                    !matches!(
                        m.node(id).map(|n| &n.kind),
                        Some(crate::menu::NodeKind::Queue { .. })
                    )
                })
                .map(|id| MenuNodeEntry {
                    label: m.label_of(&id),
                    id,
                })
                .collect(),
        })
        .collect()
}

/// What the customer gets for an article: its title and text, cut at [`MAX_ARTICLE_CHARS`].
fn article_text(title: &str, body: &str) -> String {
    let body = body.trim();
    let mut text: String = body.chars().take(MAX_ARTICLE_CHARS).collect();
    if body.chars().count() > MAX_ARTICLE_CHARS {
        text.push('…');
    }
    format!("{}\n\n{}", title.trim(), text)
}

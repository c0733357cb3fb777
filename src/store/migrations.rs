//! Versioned schema migrations. Each entry runs once, in order, and bumps `user_version`;
//! never edit a released entry, add a new one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    employee_no TEXT,
    contact TEXT,
    role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    max_sessions INTEGER,
    status TEXT NOT NULL DEFAULT 'offline',
    created_at INTEGER NOT NULL
);
CREATE TABLE skill_groups (
    name TEXT PRIMARY KEY,
    strategy TEXT NOT NULL DEFAULT 'least_busy'
);
CREATE TABLE group_members (
    group_name TEXT NOT NULL REFERENCES skill_groups(name) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (group_name, agent_id)
);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    agent_id INTEGER REFERENCES agents(id) ON DELETE CASCADE,
    customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    external_id TEXT UNIQUE,
    nickname TEXT NOT NULL,
    channel TEXT NOT NULL,
    vip INTEGER NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'offered', 'active', 'ended')),
    group_name TEXT NOT NULL,
    assignee INTEGER REFERENCES agents(id),
    offered_to INTEGER REFERENCES agents(id),
    offer_expires_at INTEGER,
    priority INTEGER NOT NULL DEFAULT 0,
    intent TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    follow_up INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    queued_at INTEGER,
    offered_at INTEGER,
    accepted_at INTEGER,
    first_human_reply_at INTEGER,
    ended_at INTEGER,
    end_reason TEXT,
    csat INTEGER CHECK (csat BETWEEN 1 AND 5),
    last_seq INTEGER NOT NULL DEFAULT 0,
    waiting_since INTEGER
);
CREATE INDEX sessions_open ON sessions(state) WHERE state <> 'ended';
CREATE INDEX sessions_customer ON sessions(customer_id, id);
CREATE TABLE messages (
    session_id INTEGER NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    author_kind TEXT NOT NULL CHECK (author_kind IN ('customer', 'agent', 'bot', 'system')),
    author_id INTEGER,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    client_msg_id TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX messages_idempotency
    ON messages(session_id, author_kind, author_id, client_msg_id) WHERE client_msg_id IS NOT NULL;
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    agent_id INTEGER,
    customer_id INTEGER,
    supervisors INTEGER NOT NULL DEFAULT 0,
    session_id INTEGER,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_agent ON events(agent_id, id) WHERE agent_id IS NOT NULL;
CREATE INDEX events_customer ON events(customer_id, id) WHERE customer_id IS NOT NULL;
CREATE INDEX events_supervisors ON events(id) WHERE supervisors = 1;
"#,
    // 2: the knowledge base and quick replies (agents read them; `kefu demo` seeds them).
    r#"
CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    -- Separated by spaces and/or commas; searched as one string.
    keywords TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    lang TEXT NOT NULL DEFAULT 'en',
    updated_at INTEGER NOT NULL
);
CREATE INDEX kb_articles_updated ON kb_articles(updated_at DESC, id DESC);
CREATE TABLE quick_replies (
    id INTEGER PRIMARY KEY,
    shortcut TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    -- May contain {customer} and {agent}, which the console fills in.
    body TEXT NOT NULL
);
"#,
    // 3: the database's identity, also kept in the data dir's `kefu.id`, so that a database
    // file swapped for another (or for an empty one) is noticed at start-up.
    r#"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
"#,
    // 4: the lean message path. A message's events refer to it instead of copying it: `seq`
    // names the message (session_id, seq) and `body` is left empty; a replay rebuilds the
    // `message` event from the stored message. Older rows keep their bodies and replay as is.
    // (The sessions' `last_seq` is no longer written per message: reads take the newest
    // stored message's seq.)
    r#"
ALTER TABLE events ADD COLUMN seq INTEGER;
"#,
    // 5: integrations of the HTTP channel API (`docs/channels.md`): their secrets
    // (kept so the server can compute HMACs: the database is a secret), which customer each
    // external id is, the answers to idempotency keys, and how far each webhook got.
    r#"
CREATE TABLE integrations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('app', 'mini_program', 'api')),
    webhook_url TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- After a rotation the previous secret still verifies requests until this time (ms).
    previous_secret TEXT,
    previous_until INTEGER,
    -- The webhook's delivery cursor: every event of the integration's customers up to this
    -- id was delivered (2xx) or is not for the webhook.
    webhook_cursor INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE integration_customers (
    integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    PRIMARY KEY (integration_id, external_id)
);
CREATE INDEX integration_customers_customer ON integration_customers(customer_id);
CREATE TABLE api_idempotency (
    integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    -- SHA-256 of the request body: the same key with another body is a conflict.
    body_sha256 TEXT NOT NULL,
    answer TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (integration_id, key)
);
"#,
    // 6: bounded storage. Expired tokens are deleted by the retention chore, oldest expiry
    // first (the index keeps that a short walk). `audit_log` is the append-only record of
    // administrative actions (`kefu admin purge` writes to it; `kefu admin audit` lists it).
    // The event log's retention floor lives in `meta` (`events_floor`).
    r#"
CREATE INDEX tokens_expiry ON tokens(expires_at);
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_action ON audit_log(action, id);
"#,
    // 7: what a waiting customer is told (issue 8): the channel's context (JSON), the left-message
    // mark, the rating's comment, and the silent-customer clock (when an agent last wrote
    // unanswered; when the customer was reminded).
    r#"
ALTER TABLE sessions ADD COLUMN context TEXT;
ALTER TABLE sessions ADD COLUMN offline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN csat_comment TEXT;
ALTER TABLE sessions ADD COLUMN replied_at INTEGER;
ALTER TABLE sessions ADD COLUMN reminded_at INTEGER;
"#,
    // 8: the knowledge base grows up. Articles get a category, tags, alternative questions
    // (相似问法), a status (only `published` ones are searchable by agents), an author, an
    // optional import key (`slug`, what `kefu admin kb import` matches on), a version and a
    // `rev` (a store-wide change counter: the full-text index in the data dir catches up on
    // every article whose rev is above the one it last saw). Every saved version is kept in
    // kb_versions; articles sent to customers are recorded per session in session_articles.
    r#"
ALTER TABLE kb_articles ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_articles ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE kb_articles ADD COLUMN questions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE kb_articles ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'published', 'archived'));
ALTER TABLE kb_articles ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE kb_articles ADD COLUMN slug TEXT;
ALTER TABLE kb_articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE kb_articles ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
UPDATE kb_articles SET rev = id;
CREATE UNIQUE INDEX kb_articles_slug ON kb_articles(slug) WHERE slug IS NOT NULL;
CREATE INDEX kb_articles_rev ON kb_articles(rev);
CREATE TABLE kb_versions (
    article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    keywords TEXT NOT NULL,
    body TEXT NOT NULL,
    lang TEXT NOT NULL,
    category TEXT NOT NULL,
    tags TEXT NOT NULL,
    questions TEXT NOT NULL,
    status TEXT NOT NULL,
    author TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
) WITHOUT ROWID;
INSERT INTO kb_versions
    SELECT id, 1, title, keywords, body, lang, '', '[]', '[]', 'published', '', updated_at
    FROM kb_articles;
CREATE TABLE session_articles (
    session_id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    agent_id INTEGER,
    version INTEGER NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX session_articles_session ON session_articles(session_id, sent_at);
"#,
    // 9: the HTTP API's stored answers to idempotency keys are kept for a day
    // (`retention::IDEMPOTENCY_KEEP_MS`), then pruned oldest first, which this index keeps a
    // short walk.
    r#"
CREATE INDEX api_idempotency_created ON api_idempotency(created_at);
"#,
    // 10: the answering bot (issue 9): `state` may now be `bot` (with the bot, in no queue), and
    // what the bot did in each conversation (turns, answers, the hand-off's reason and time,
    // its outcome) is kept as JSON (`BotInfo`). The CHECK is widened in place, as SQLite's
    // ALTER TABLE page describes for loosening a constraint (every stored row still passes it);
    // the ALTER that follows bumps the schema version, so every connection re-reads it.
    r#"
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (state IN (''queued'', ''offered'', ''active'', ''ended''))',
                          'CHECK (state IN (''queued'', ''offered'', ''active'', ''ended'', ''bot''))')
 WHERE type = 'table' AND name = 'sessions';
PRAGMA writable_schema = OFF;
ALTER TABLE sessions ADD COLUMN bot TEXT;
"#,
    // 11: quick replies become team or personal (`owner`; existing ones are team replies),
    // optionally limited to a skill group, tagged with intents (JSON list) for ranking, with
    // each agent's use counts. Shortcuts are unique per owner (the team shares one set), so
    // the table is rebuilt without the old UNIQUE(shortcut).
    r#"
CREATE TABLE quick_replies_v9 (
    id INTEGER PRIMARY KEY,
    owner INTEGER REFERENCES agents(id) ON DELETE CASCADE,
    group_name TEXT,
    shortcut TEXT NOT NULL,
    title TEXT NOT NULL,
    -- May contain variables ({customer.nickname}, …) that the console fills in.
    body TEXT NOT NULL,
    intents TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO quick_replies_v9 (id, shortcut, title, body)
    SELECT id, shortcut, title, body FROM quick_replies;
DROP TABLE quick_replies;
ALTER TABLE quick_replies_v9 RENAME TO quick_replies;
CREATE UNIQUE INDEX quick_replies_shortcut ON quick_replies(IFNULL(owner, 0), shortcut);
CREATE INDEX quick_replies_owner ON quick_replies(owner);
CREATE TABLE quick_reply_uses (
    reply_id INTEGER NOT NULL REFERENCES quick_replies(id) ON DELETE CASCADE,
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    uses INTEGER NOT NULL,
    last_used INTEGER NOT NULL,
    PRIMARY KEY (reply_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX quick_reply_uses_agent ON quick_reply_uses(agent_id);
"#,
    // 12: the knowledge base's workflow (issue 9, S21/S22). Proposals: a new article
    // (article_id NULL) or an edit made from base_version, pending until a supervisor approves
    // (result_* name the version it became) or rejects it, or its author withdraws it.
    // Check-ins: when each agent last read the latest updates, with the change number (`rev`)
    // and the highest article id then, so "changed since" and "new since" are exact.
    r#"
CREATE TABLE kb_proposals (
    id INTEGER PRIMARY KEY,
    article_id INTEGER,
    base_version INTEGER,
    author_id INTEGER NOT NULL,
    author TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    tags TEXT NOT NULL,
    questions TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    created_at INTEGER NOT NULL,
    reviewer TEXT,
    review_comment TEXT,
    reviewed_at INTEGER,
    result_article_id INTEGER,
    result_version INTEGER
);
CREATE INDEX kb_proposals_status ON kb_proposals(status, id);
CREATE INDEX kb_proposals_author ON kb_proposals(author_id, id);
CREATE TABLE kb_checkins (
    agent_id INTEGER PRIMARY KEY,
    checked_at INTEGER NOT NULL,
    rev INTEGER NOT NULL,
    max_article_id INTEGER NOT NULL
);
"#,
    // 13: the CC (抄送) outbox (issue 10, S15). A row per requested CC, written in the same
    // commit as its reply; the sender delivers those due (`state` pending, `next_at` passed)
    // and records each attempt. `doc` is the transcript as it was when the CC was asked for.
    r#"
CREATE TABLE cc_outbox (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
    target TEXT NOT NULL,
    contact TEXT,
    include_notes INTEGER NOT NULL DEFAULT 0,
    doc TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX cc_outbox_due ON cc_outbox(state, next_at);
CREATE INDEX cc_outbox_agent ON cc_outbox(agent_id, created_at);
CREATE INDEX cc_outbox_session ON cc_outbox(session_id);
"#,
    // 14: self-service menus (issue 10, S13): `state` may now be `menu` (in a menu, in no
    // queue), and where the customer is in it and the path taken are kept as JSON
    // (`MenuInfo`). The CHECK is widened in place as for 10.
    r#"
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (state IN (''queued'', ''offered'', ''active'', ''ended'', ''bot''))',
                          'CHECK (state IN (''queued'', ''offered'', ''active'', ''ended'', ''bot'', ''menu''))')
 WHERE type = 'table' AND name = 'sessions';
PRAGMA writable_schema = OFF;
ALTER TABLE sessions ADD COLUMN menu TEXT;
"#,
    // 15: follow-up reminders and the transfer record (issue 10, S11/S12). A session pending
    // follow-up may carry the time its reminder fires (the hub re-arms it at start-up); every
    // transfer is recorded for reports: who, from which agent/group, to which, the note, when,
    // and whether it was queued because the target could not take it then.
    r#"
ALTER TABLE sessions ADD COLUMN follow_up_at INTEGER;
CREATE TABLE transfers (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    by_agent INTEGER,
    from_agent INTEGER,
    from_group TEXT NOT NULL,
    to_agent INTEGER,
    to_group TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    queued INTEGER NOT NULL DEFAULT 0,
    at INTEGER NOT NULL
);
CREATE INDEX transfers_session ON transfers(session_id, id);
CREATE INDEX transfers_at ON transfers(at);
"#,
    // 16: internal notes and @mentions (issue 10, S14; `docs/notes.md`). A note is a message
    // with `internal` = 1: agents only. Each mention of a colleague is a row, unread until they
    // open it (`read_at`), so unread mentions survive a console restart; while the
    // conversation is open the mentioned colleague may read it and add notes.
    r#"
ALTER TABLE messages ADD COLUMN internal INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mentions (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    agent_id INTEGER NOT NULL,
    by_id INTEGER NOT NULL,
    by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER,
    UNIQUE (session_id, seq, agent_id)
);
CREATE INDEX mentions_agent ON mentions(agent_id, read_at, id);
"#,
    // 17: ending a conversation (issue 10, S16): a pending end ("end once the customer has been
    // silent for N seconds") survives a restart: its deadline, and what it waits for and records
    // (JSON `PendingEnd`).
    r#"
ALTER TABLE sessions ADD COLUMN ends_at INTEGER;
ALTER TABLE sessions ADD COLUMN pending_end TEXT;
"#,
    // 18: history search (issue 11, S19; `docs/history.md`). The full-text index of messages
    // (`history_fts`, contentless: terms jieba-segmented and stemmed in Rust, rowid =
    // session << 24 | seq) is filled off the hot path by the indexing chore from
    // `history_queue`, which a trigger fills as messages are stored; the chore (re)queues every
    // message when `meta.history_index` is missing or outdated (an upgrade or a lost index).
    // Side tables kept exact by triggers (a few rows per conversation, written only when tags
    // or the assignee change) make the tag and agent filters index lookups:
    // `history_tags` (a row per tag) and `history_agents` (everyone who served it: an
    // assignee at any time, or the from/to agent of a transfer).
    r#"
CREATE VIRTUAL TABLE history_fts USING fts5(
    terms, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE history_queue (
    session_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
CREATE TRIGGER history_queue_message AFTER INSERT ON messages BEGIN
    INSERT OR IGNORE INTO history_queue (session_id, seq) VALUES (new.session_id, new.seq);
END;
CREATE TABLE history_tags (
    session_id INTEGER NOT NULL,
    tag TEXT NOT NULL,
    PRIMARY KEY (session_id, tag)
) WITHOUT ROWID;
CREATE INDEX history_tags_tag ON history_tags(tag, session_id);
INSERT OR IGNORE INTO history_tags (session_id, tag)
    SELECT s.id, j.value FROM sessions s, json_each(s.tags) j
     WHERE json_valid(s.tags) AND j.type = 'text';
CREATE TRIGGER history_tags_insert AFTER INSERT ON sessions BEGIN
    DELETE FROM history_tags WHERE session_id = new.id;
    INSERT OR IGNORE INTO history_tags (session_id, tag)
        SELECT new.id, j.value FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags
            ELSE '[]' END) j WHERE j.type = 'text';
END;
CREATE TRIGGER history_tags_update AFTER UPDATE OF tags ON sessions
    WHEN old.tags IS NOT new.tags BEGIN
    DELETE FROM history_tags WHERE session_id = new.id;
    INSERT OR IGNORE INTO history_tags (session_id, tag)
        SELECT new.id, j.value FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags
            ELSE '[]' END) j WHERE j.type = 'text';
END;
CREATE TABLE history_agents (
    agent_id INTEGER NOT NULL,
    session_id INTEGER NOT NULL,
    PRIMARY KEY (agent_id, session_id)
) WITHOUT ROWID;
CREATE INDEX history_agents_session ON history_agents(session_id);
INSERT OR IGNORE INTO history_agents (agent_id, session_id)
    SELECT assignee, id FROM sessions WHERE assignee IS NOT NULL;
INSERT OR IGNORE INTO history_agents (agent_id, session_id)
    SELECT from_agent, session_id FROM transfers WHERE from_agent IS NOT NULL;
INSERT OR IGNORE INTO history_agents (agent_id, session_id)
    SELECT to_agent, session_id FROM transfers WHERE to_agent IS NOT NULL;
CREATE TRIGGER history_agents_insert AFTER INSERT ON sessions
    WHEN new.assignee IS NOT NULL BEGIN
    INSERT OR IGNORE INTO history_agents (agent_id, session_id) VALUES (new.assignee, new.id);
END;
CREATE TRIGGER history_agents_update AFTER UPDATE OF assignee ON sessions
    WHEN new.assignee IS NOT NULL BEGIN
    INSERT OR IGNORE INTO history_agents (agent_id, session_id) VALUES (new.assignee, new.id);
END;
CREATE TRIGGER history_agents_transfer AFTER INSERT ON transfers BEGIN
    INSERT OR IGNORE INTO history_agents (agent_id, session_id)
        SELECT new.from_agent, new.session_id WHERE new.from_agent IS NOT NULL;
    INSERT OR IGNORE INTO history_agents (agent_id, session_id)
        SELECT new.to_agent, new.session_id WHERE new.to_agent IS NOT NULL;
END;
CREATE INDEX sessions_group ON sessions(group_name, id);
CREATE INDEX sessions_created ON sessions(created_at);
CREATE INDEX sessions_intent ON sessions(intent, id) WHERE intent IS NOT NULL;
"#,
    // 19: reports (issue 11, S20/S26; `docs/reports.md`): every agent status change (time
    // per status), which conversations were asked for a rating (the CSAT response rate), and
    // the index a report's range scan of ended conversations walks.
    r#"
CREATE TABLE agent_status_log (
    agent_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX agent_status_log_agent ON agent_status_log(agent_id, at);
CREATE INDEX agent_status_log_at ON agent_status_log(at);
CREATE TABLE session_surveys (
    session_id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);
CREATE INDEX sessions_ended ON sessions(ended_at);
"#,
    // 20: the audit log's readers (issue 12, `docs/audit.md`): `audit.list` and `kefu admin
    // audit --actor` filter by who did it, newest first.
    r#"
CREATE INDEX audit_log_actor ON audit_log(actor, id);
"#,
    // 21: login throttling (issue 12, `docs/security.md`): each account's failed logins in a
    // row, its back-off and its lock, so a restart keeps them and `kefu admin agent unlock`
    // lifts them. Unknown usernames never get a row.
    r#"
CREATE TABLE login_throttle (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);
"#,
    // 22: sign-ins and the personal profile (issue 12, `docs/accounts.md`): when each agent
    // token was last used and what signed in with it (the devices list; the token's rowid is
    // the device id), an account an admin disabled, and the profile fields beyond the name and
    // contact (a side table: most reads of an agent never need them).
    r#"
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
ALTER TABLE tokens ADD COLUMN client TEXT;
ALTER TABLE tokens ADD COLUMN address TEXT;
CREATE INDEX tokens_agent ON tokens(agent_id) WHERE agent_id IS NOT NULL;
ALTER TABLE agents ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
CREATE TABLE agent_profiles (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    initials TEXT,
    color TEXT,
    signature TEXT,
    language TEXT,
    updated_at INTEGER NOT NULL
);
"#,
    // 23: the second factor (issue 12, S2; `docs/two-factor.md`): each agent's TOTP secret
    // (unconfirmed while enrolling), the last step a code was used for (a code works once),
    // and the SHA-256 hashes of their one-time recovery codes.
    r#"
CREATE TABLE agent_totp (
    agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0,
    last_step INTEGER,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER
);
CREATE TABLE agent_recovery_codes (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (agent_id, code_hash)
);
"#,
    // 24: per-group supervisors (issue 12, S25; `docs/permissions.md`): a supervisor with
    // rows here supervises only those groups; with none, every group.
    r#"
CREATE TABLE agent_supervises (
    agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    PRIMARY KEY (agent_id, group_name)
) WITHOUT ROWID;
"#,
];

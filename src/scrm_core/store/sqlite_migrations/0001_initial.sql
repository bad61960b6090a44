-- scrm state, first version. Times are RFC 3339 UTC strings (they sort as text).
CREATE TABLE seen_keys (
    key_hash   TEXT PRIMARY KEY,       -- sha256 of channel, account, external id: no personal data
    seen_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE conversations (
    id             TEXT PRIMARY KEY,
    channel        TEXT NOT NULL,
    account        TEXT NOT NULL,
    thread_key     TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    status         TEXT NOT NULL,
    queue          TEXT,
    assignee       TEXT,
    priority_rank  INTEGER NOT NULL,
    sla_due        TEXT,
    updated_at     TEXT NOT NULL,
    document       TEXT NOT NULL,
    UNIQUE (channel, account, thread_key)
);
CREATE INDEX conversations_inbox ON conversations (status, queue, priority_rank, updated_at);
CREATE INDEX conversations_customer ON conversations (channel, customer_id, updated_at);
CREATE INDEX conversations_assignee ON conversations (assignee, status);

CREATE TABLE interactions (
    channel          TEXT NOT NULL,
    account          TEXT NOT NULL,
    external_id      TEXT NOT NULL,
    conversation_id  TEXT NOT NULL REFERENCES conversations (id),
    author_id        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    document         TEXT NOT NULL,
    scores           TEXT NOT NULL,
    decision         TEXT,
    PRIMARY KEY (channel, account, external_id)
) WITHOUT ROWID;
CREATE INDEX interactions_conversation ON interactions (conversation_id, created_at);
CREATE INDEX interactions_author ON interactions (channel, author_id);

CREATE TABLE cursors (
    channel     TEXT NOT NULL,
    account     TEXT NOT NULL,
    cursor      TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (channel, account)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,  -- the reply's idempotency key
    conversation_id  TEXT NOT NULL,
    channel          TEXT NOT NULL,
    recipient_id     TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    updated_at       TEXT NOT NULL,
    document         TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);

CREATE TABLE handoffs (
    id               TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL,
    owner            TEXT NOT NULL,
    status           TEXT NOT NULL,
    due              TEXT,
    document         TEXT NOT NULL
);
CREATE INDEX handoffs_open ON handoffs (status, due);

CREATE TABLE handoff_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    handoff_id  TEXT NOT NULL REFERENCES handoffs (id),
    at          TEXT NOT NULL,
    actor       TEXT,
    event       TEXT NOT NULL
);

CREATE TABLE consent (
    subject_hash  TEXT PRIMARY KEY,    -- sha256 of channel and platform id
    state         TEXT NOT NULL,       -- opted_out | erased
    reason        TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    step        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    channel     TEXT,
    subject_hash TEXT,
    document    TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX dead_letters_open ON dead_letters (resolved_at, id);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  TEXT NOT NULL,
    document         TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL
);

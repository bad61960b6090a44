-- routing: each escalation step of an overdue conversation, in order
CREATE TABLE escalations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id  TEXT NOT NULL,
    level            INTEGER NOT NULL,
    from_owner       TEXT,
    to_owner         TEXT,
    to_queue         TEXT,
    reason           TEXT NOT NULL,
    at               TEXT NOT NULL,
    UNIQUE (conversation_id, level)
);
CREATE INDEX conversations_due ON conversations (status, sla_due);

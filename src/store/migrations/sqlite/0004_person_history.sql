-- 0004: every change to a person, with who, when, before and after. The
-- snapshots hold masked ID and phone numbers only, never the values.

CREATE TABLE person_history (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    node_code  TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update')),
    before     TEXT NOT NULL,
    after      TEXT NOT NULL
);
CREATE INDEX person_history_person ON person_history(person_id, id);

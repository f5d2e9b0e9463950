-- 0003: the responsible chief of a node (四级网格长) and the history of
-- every change to the hierarchy (create, rename, chief, move, retire).

ALTER TABLE nodes ADD COLUMN chief_person_id INTEGER REFERENCES persons(id);

CREATE TABLE node_history (
    id         INTEGER PRIMARY KEY,
    node_code  TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    action     TEXT NOT NULL CHECK (action IN
                   ('create', 'rename', 'chief', 'move', 'retire')),
    before     TEXT NOT NULL,
    after      TEXT NOT NULL
);
CREATE INDEX node_history_code ON node_history(node_code, id);

-- 0001: the hierarchy, accounts and sessions, and the core of the registry.
-- Times are unix seconds (INTEGER). Every big table carries node_code, the
-- code of the node it belongs to, so that scope is a prefix range on an
-- index and the data can later be sharded by the top of the code.
-- Mutable rows carry a version that updates check.

CREATE TABLE nodes (
    code        TEXT PRIMARY KEY CHECK (code GLOB '[0-9]*' AND code NOT GLOB '*[^0-9]*'),
    parent_code TEXT REFERENCES nodes(code),
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'district',
                    'street', 'community', 'grid', 'microgrid')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    retired_at  INTEGER,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CHECK (parent_code IS NULL OR substr(code, 1, length(parent_code)) = parent_code)
) WITHOUT ROWID;
CREATE INDEX nodes_parent ON nodes(parent_code, code);

CREATE TABLE buildings (
    id          INTEGER PRIMARY KEY,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'residential' CHECK (kind IN
                    ('residential', 'commercial', 'mixed', 'public', 'industrial', 'other')),
    floors      INTEGER CHECK (floors BETWEEN 1 AND 200),
    units       INTEGER CHECK (units BETWEEN 0 AND 100),
    lon         REAL,
    lat         REAL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX buildings_node ON buildings(node_code, id);

CREATE TABLE households (
    id          INTEGER PRIMARY KEY,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    building_id INTEGER NOT NULL REFERENCES buildings(id),
    unit_no     INTEGER,
    room        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (building_id, unit_no, room)
);
CREATE INDEX households_node ON households(node_code, id);

-- Personal data: ID numbers and phones are sealed (encrypted) with a key
-- kept outside the database; *_blind is a keyed hash for exact search and
-- *_mask the display form. The plain values are never stored.
CREATE TABLE persons (
    id            INTEGER PRIMARY KEY,
    node_code     TEXT NOT NULL REFERENCES nodes(code),
    household_id  INTEGER REFERENCES households(id),
    relation      TEXT,
    name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    sex           TEXT NOT NULL CHECK (sex IN ('0', '1', '2', '9')),
    birth_date    TEXT,
    ethnic        TEXT,
    political     TEXT,
    residence     TEXT NOT NULL CHECK (residence IN
                      ('permanent', 'registered', 'floating', 'overseas')),
    id_no_sealed  BLOB,
    id_no_blind   BLOB,
    id_no_mask    TEXT,
    phone_sealed  BLOB,
    phone_blind   BLOB,
    phone_mask    TEXT,
    moved_in      TEXT,
    moved_out     TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX persons_node ON persons(node_code, id);
CREATE INDEX persons_household ON persons(household_id);
CREATE UNIQUE INDEX persons_id_no ON persons(id_no_blind) WHERE id_no_blind IS NOT NULL;
CREATE INDEX persons_phone ON persons(phone_blind) WHERE phone_blind IS NOT NULL;

-- Special-population tags (高龄, 独居, 低保 ...), denormalised node_code
-- so counts by tag and node are an index range.
CREATE TABLE person_tags (
    person_id  INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    node_code  TEXT NOT NULL,
    PRIMARY KEY (person_id, tag)
) WITHOUT ROWID;
CREATE INDEX person_tags_tag ON person_tags(tag, node_code);

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    kind        TEXT NOT NULL CHECK (kind IN
                    ('enterprise', 'unit', 'merchant', 'property', 'social', 'cobuild')),
    name        TEXT NOT NULL,
    credit_code TEXT,
    address     TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX organisations_node ON organisations(node_code, id);
CREATE UNIQUE INDEX organisations_credit ON organisations(credit_code)
    WHERE credit_code IS NOT NULL;

-- The roster of a grid (一网多员): who holds which post.
CREATE TABLE grid_members (
    node_code  TEXT NOT NULL REFERENCES nodes(code),
    person_id  INTEGER NOT NULL REFERENCES persons(id),
    post       TEXT NOT NULL CHECK (post IN ('grid_chief', 'grid_worker_full',
                   'grid_worker_part', 'household_chief', 'building_chief',
                   'unit_chief', 'publicity', 'safety', 'mediation', 'patrol',
                   'police', 'law_enforcement', 'sanitation', 'urban_management')),
    since      INTEGER NOT NULL,
    PRIMARY KEY (node_code, person_id, post)
) WITHOUT ROWID;

CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 2 AND 64),
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    person_id            INTEGER REFERENCES persons(id),
    disabled             INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE role_grants (
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    role        TEXT NOT NULL,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (account_id, role, node_code)
) WITHOUT ROWID;

-- Sessions: only a hash of the token is stored.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    csrf_token    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_account ON sessions(account_id);

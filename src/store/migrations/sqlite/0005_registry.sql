-- 0005: the rest of the registry (活档案): one history for every kind of
-- record, buildings and organisations in full, the party tree laid over the
-- grid (多网合一), the roster of each grid (一网多员), grid geometry and
-- import jobs.

-- One append-only history for nodes, persons, buildings, households,
-- organisations and party organisations: who, when, before and after.
-- record_id is the row id; nodes, whose key is their code, use the code
-- as a number. Snapshots hold masked personal numbers only.
CREATE TABLE record_history (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('node', 'person', 'building',
                   'household', 'organisation', 'party_org')),
    record_id  INTEGER NOT NULL,
    node_code  TEXT NOT NULL,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    action     TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 20),
    before     TEXT,
    after      TEXT
);
CREATE INDEX record_history_record ON record_history(kind, record_id, id);

INSERT INTO record_history(kind, record_id, node_code, at, actor_id, action,
                           before, after)
    SELECT 'node', CAST(node_code AS INTEGER), node_code, at, actor_id,
           action, nullif(before, 'null'), nullif(after, 'null')
    FROM node_history ORDER BY id;
INSERT INTO record_history(kind, record_id, node_code, at, actor_id, action,
                           before, after)
    SELECT 'person', person_id, node_code, at, actor_id, action,
           nullif(before, 'null'), nullif(after, 'null')
    FROM person_history ORDER BY id;
DROP TABLE node_history;
DROP TABLE person_history;

CREATE INDEX buildings_name ON buildings(node_code, name);
-- One household per room of a unit, also where the building has no units
-- (the table's own UNIQUE lets NULL units repeat).
CREATE UNIQUE INDEX households_room
    ON households(building_id, coalesce(unit_no, 0), room);

ALTER TABLE organisations ADD COLUMN lon REAL;
ALTER TABLE organisations ADD COLUMN lat REAL;
ALTER TABLE organisations ADD COLUMN contact TEXT;
ALTER TABLE organisations ADD COLUMN agreement_from TEXT;
ALTER TABLE organisations ADD COLUMN agreement_to TEXT;

-- Party organisations (党委, 党总支, 党支部, 党小组), each attached to a
-- node of the grid, forming their own tree through parent_id.
CREATE TABLE party_orgs (
    id          INTEGER PRIMARY KEY,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    parent_id   INTEGER REFERENCES party_orgs(id),
    kind        TEXT NOT NULL CHECK (kind IN
                    ('committee', 'general_branch', 'branch', 'group')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX party_orgs_node ON party_orgs(node_code, id);
CREATE INDEX party_orgs_parent ON party_orgs(parent_id);

-- Members of a party organisation; center_household marks the member's
-- household as a 党员中心户.
CREATE TABLE party_members (
    party_org_id     INTEGER NOT NULL REFERENCES party_orgs(id),
    person_id        INTEGER NOT NULL REFERENCES persons(id),
    node_code        TEXT NOT NULL,
    duty             TEXT NOT NULL CHECK (duty IN
                         ('secretary', 'deputy', 'committee', 'member')),
    joined_on        TEXT,
    center_household INTEGER NOT NULL DEFAULT 0,
    since            INTEGER NOT NULL,
    PRIMARY KEY (party_org_id, person_id)
) WITHOUT ROWID;
CREATE INDEX party_members_person ON party_members(person_id);

-- The roster of a grid (一网多员): who holds which post, with the
-- building, unit or households a post covers and the published service
-- number that goes on the care card (关爱卡).
DROP TABLE grid_members;
CREATE TABLE roster (
    id          INTEGER PRIMARY KEY,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    person_id   INTEGER NOT NULL REFERENCES persons(id),
    post        TEXT NOT NULL CHECK (post IN ('grid_chief', 'grid_worker_full',
                    'grid_worker_part', 'household_chief', 'building_chief',
                    'unit_chief', 'publicity', 'safety', 'mediation', 'patrol',
                    'police', 'law_enforcement', 'sanitation',
                    'urban_management')),
    work_phone  TEXT,
    building_id INTEGER REFERENCES buildings(id),
    unit_no     INTEGER,
    since       INTEGER NOT NULL,
    UNIQUE (node_code, person_id, post)
);
CREATE INDEX roster_person ON roster(person_id);

CREATE TABLE roster_households (
    roster_id    INTEGER NOT NULL REFERENCES roster(id) ON DELETE CASCADE,
    household_id INTEGER NOT NULL REFERENCES households(id),
    PRIMARY KEY (roster_id, household_id)
) WITHOUT ROWID;

-- The boundary of a grid or community as GeoJSON text (see domain/geo.h),
-- with its bounding box for map queries. seq grows with every change so
-- that the servers' point -> grid indexes know when to rebuild.
CREATE TABLE node_geometry (
    node_code  TEXT PRIMARY KEY REFERENCES nodes(code),
    geojson    TEXT NOT NULL,
    area_m2    REAL NOT NULL,
    min_lon    REAL NOT NULL,
    min_lat    REAL NOT NULL,
    max_lon    REAL NOT NULL,
    max_lat    REAL NOT NULL,
    seq        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE geometry_seq (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL
);
INSERT INTO geometry_seq VALUES (1, 0);

-- Imports (导入): one row per job, its progress and its first errors.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    node_code   TEXT NOT NULL REFERENCES nodes(code),
    actor_id    INTEGER,
    state       TEXT NOT NULL CHECK (state IN
                    ('queued', 'running', 'done', 'failed')),
    dry_run     INTEGER NOT NULL,
    mode        TEXT NOT NULL CHECK (mode IN ('all', 'skip')),
    total       INTEGER NOT NULL DEFAULT 0,
    processed   INTEGER NOT NULL DEFAULT 0,
    ok          INTEGER NOT NULL DEFAULT 0,
    bad         INTEGER NOT NULL DEFAULT 0,
    errors      TEXT NOT NULL DEFAULT '[]',
    message     TEXT,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER
);
CREATE INDEX import_jobs_node ON import_jobs(node_code, id);

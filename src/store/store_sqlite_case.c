/*
 * store_sqlite_case.c - the case engine's tables on SQLite: cases and their
 * log, photos, summons, deadlines and the working calendar, departments'
 * members, inboxes, the points ledger and the statistics.
 */
#include "core/gg.h"
#include "store/store_sqlite.h"

#define CASE_COLS                                                             \
    "c.id, c.version, c.family, c.category, c.source, c.state, c.urgency, "   \
    "c.title, c.description, c.address, c.node_code, c.level_code, c.lon, "   \
    "c.lat, coalesce(c.reporter_id, 0), c.contact_name, c.contact_phone, "    \
    "c.contact_mask, c.assignee_kind, coalesce(c.assignee_id, 0), "           \
    "c.assignee_post, coalesce(c.handler_id, 0), "                            \
    "coalesce(c.building_id, 0), coalesce(c.org_id, 0), "                     \
    "coalesce(c.service_id, 0), coalesce(c.duplicate_of, 0), c.outcome, "     \
    "c.extra, coalesce(c.rating, 0), c.rating_comment, c.rework_count, "      \
    "c.reported_at, coalesce(c.accepted_at, 0), "                             \
    "coalesce(c.dispatched_at, 0), coalesce(c.handled_at, 0), "               \
    "coalesce(c.closed_at, 0), coalesce(c.rated_at, 0), "                     \
    "coalesce(c.response_yellow, 0), coalesce(c.response_due, 0), "           \
    "coalesce(c.resolve_yellow, 0), coalesce(c.resolve_due, 0), c.alert, "    \
    "coalesce(c.next_alert_at, 0), c.updated_at, "                            \
    "(SELECT name FROM nodes WHERE code = c.node_code), "                     \
    "(SELECT name FROM nodes WHERE code = c.level_code), "                    \
    "(SELECT display_name FROM accounts WHERE id = c.reporter_id), "          \
    "CASE c.assignee_kind "                                                   \
    "WHEN 'account' THEN (SELECT display_name FROM accounts WHERE id = "      \
    "c.assignee_id) "                                                         \
    "WHEN 'department' THEN (SELECT name FROM departments WHERE id = "        \
    "c.assignee_id) "                                                         \
    "WHEN 'org' THEN (SELECT name FROM organisations WHERE id = "             \
    "c.assignee_id) END, "                                                    \
    "(SELECT display_name FROM accounts WHERE id = c.handler_id) "

/* The columns a write sets, in bind order ?2.. (?1 is the id). */
#define CASE_SET                                                              \
    "family = ?2, category = ?3, source = ?4, state = ?5, urgency = ?6, "     \
    "title = ?7, description = ?8, address = ?9, node_code = ?10, "           \
    "level_code = ?11, lon = ?12, lat = ?13, reporter_id = ?14, "             \
    "contact_name = ?15, contact_phone = ?16, contact_mask = ?17, "           \
    "assignee_kind = ?18, assignee_id = ?19, assignee_post = ?20, "           \
    "handler_id = ?21, building_id = ?22, org_id = ?23, service_id = ?24, "   \
    "duplicate_of = ?25, outcome = ?26, extra = ?27, rating = ?28, "          \
    "rating_comment = ?29, rework_count = ?30, reported_at = ?31, "           \
    "accepted_at = ?32, dispatched_at = ?33, handled_at = ?34, "              \
    "closed_at = ?35, rated_at = ?36, response_yellow = ?37, "                \
    "response_due = ?38, resolve_yellow = ?39, resolve_due = ?40, "           \
    "alert = ?41, next_alert_at = ?42, updated_at = ?43"

/* Statements about cases whose rows the filter lets through: ?1 scope (a
 * JSON array or NULL), ?2 node ("" for all; it bounds every relation, not
 * only the scope's), ?3 reporter, ?4 account, ?5 departments (JSON), ?6
 * posts (JSON "post@node"), ?7 mine only. */
#define CASE_VISIBLE                                                          \
    "(c.node_code >= ?2 AND c.node_code < ?2 || ':' AND ((?7 = 0 AND ?1 IS "  \
    "NOT NULL AND " SQ_IN_SCOPE("c.node_code", 1) ") OR c.reporter_id = ?3 "  \
    "OR (c.assignee_kind = 'account' AND c.assignee_id = ?4) OR "             \
    "(c.assignee_kind = 'department' AND c.assignee_id IN (SELECT value "     \
    "FROM json_each(?5))) OR EXISTS (SELECT 1 FROM case_summons m WHERE "     \
    "m.case_id = c.id AND m.department_id IN (SELECT value FROM "             \
    "json_each(?5))) OR (c.assignee_kind = 'post' AND c.assignee_post || "    \
    "'@' || c.node_code IN (SELECT value FROM json_each(?6)))))"

/* The other filters: ?8 family, ?9 category, ?10 source, ?11 state, ?12
 * open, ?13 alert, ?14 q, ?15 from, ?16 to. */
#define CASE_FILTERS                                                          \
    " AND (?8 IS NULL OR c.family = ?8) AND (?9 IS NULL OR c.category = ?9) " \
    "AND (?10 IS NULL OR c.source = ?10) AND (?11 IS NULL OR c.state = ?11) " \
    "AND (?12 = 0 OR (?12 = 1) = (c.state NOT IN ('closed', 'rejected', "     \
    "'withdrawn', 'merged'))) AND c.alert >= ?13 AND (?14 IS NULL OR "        \
    "instr(c.title, ?14) > 0) AND c.reported_at >= ?15 AND c.reported_at < "  \
    "?16"

#define CASE_OPEN "c.state NOT IN ('closed', 'rejected', 'withdrawn', 'merged')"

#define CASE_STATEMENTS(SQL)                                                  \
    SQL(CASE_INSERT, "INSERT INTO cases(id, " CASE_SET_COLS ") VALUES (?1, "  \
                     CASE_SET_VALS ")")                                       \
    SQL(CASE_GET, "SELECT " CASE_COLS "FROM cases c WHERE c.id = ?1")         \
    SQL(CASE_UPDATE, "UPDATE cases SET " CASE_SET ", version = version + 1 "  \
                     "WHERE id = ?1 AND version = ?44")                       \
    SQL(CASE_LIST, "SELECT " CASE_COLS "FROM cases c WHERE " CASE_VISIBLE     \
                   CASE_FILTERS " AND c.id < ?17 ORDER BY c.id DESC LIMIT "   \
                   "?18")                                                     \
    SQL(CASE_NEARBY, "SELECT " CASE_COLS "FROM cases c WHERE c.family = ?1 "  \
                     "AND c.category = ?2 AND c.reported_at >= ?3 AND "       \
                     "c.id != ?4 AND c.lon BETWEEN ?5 AND ?7 AND c.lat "      \
                     "BETWEEN ?6 AND ?8 AND " CASE_OPEN " ORDER BY c.id "     \
                     "DESC LIMIT 20")                                         \
    SQL(LOG_ADD, "INSERT INTO case_log(case_id, at, actor_id, action, "       \
                 "from_state, to_state, note, detail) VALUES (?1, ?2, ?3, "   \
                 "?4, ?5, ?6, ?7, ?8)")                                       \
    SQL(LOG_LIST, "SELECT l.id, l.case_id, l.at, coalesce(l.actor_id, 0), "   \
                  "l.action, l.from_state, l.to_state, l.note, l.detail, "    \
                  "(SELECT display_name FROM accounts WHERE id = l.actor_id) " \
                  "FROM case_log l WHERE l.case_id = ?1 ORDER BY l.id "       \
                  "LIMIT 2000")                                               \
    SQL(ALERTS_DUE, "SELECT " CASE_COLS "FROM cases c WHERE "                 \
                    "c.next_alert_at <= ?1 ORDER BY c.next_alert_at LIMIT "   \
                    "?2")                                                     \
    SQL(ALERT_SET, "UPDATE cases SET alert = ?2, next_alert_at = ?3 WHERE "   \
                   "id = ?1")                                                 \
    SQL(SUMMONS_PUT, "INSERT INTO case_summons(case_id, department_id, "      \
                     "summoned_at, summoned_by, acked_at, reported_at, "      \
                     "report) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON "        \
                     "CONFLICT (case_id, department_id) DO UPDATE SET "       \
                     "acked_at = ?5, reported_at = ?6, report = ?7")          \
    SQL(SUMMONS_LIST, "SELECT m.case_id, m.department_id, m.summoned_at, "    \
                      "coalesce(m.summoned_by, 0), coalesce(m.acked_at, 0), " \
                      "coalesce(m.reported_at, 0), m.report, d.name FROM "    \
                      "case_summons m JOIN departments d ON d.id = "          \
                      "m.department_id WHERE m.case_id = ?1 ORDER BY "        \
                      "m.summoned_at, m.department_id")                       \
    SQL(PHOTO_PUT, "INSERT INTO photos(hash, mime, size, width, height, "     \
                   "uploaded_by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON " \
                   "CONFLICT (hash) DO NOTHING")                              \
    SQL(PHOTO_GET, "SELECT hash, mime, size, width, height, "                 \
                   "coalesce(uploaded_by, 0), at, 0 FROM photos WHERE "       \
                   "hash = ?1")                                               \
    SQL(CASE_PHOTO_ADD, "INSERT OR IGNORE INTO case_photos(case_id, log_id, " \
                        "hash) VALUES (?1, ?2, ?3)")                          \
    SQL(CASE_PHOTOS, "SELECT p.hash, p.mime, p.size, p.width, p.height, "     \
                     "coalesce(p.uploaded_by, 0), p.at, c.log_id FROM "       \
                     "case_photos c JOIN photos p ON p.hash = c.hash WHERE "  \
                     "c.case_id = ?1 ORDER BY c.log_id, p.hash")              \
    SQL(PHOTO_CASES, "SELECT DISTINCT case_id FROM case_photos WHERE hash = " \
                     "?1 LIMIT 16")                                           \
    SQL(RULE_GET, "SELECT family, category, urgency, response_min, "          \
                  "resolve_min, clock FROM case_rules WHERE family = ?1 AND " \
                  "urgency = ?3 AND category IN (?2, '') ORDER BY category "  \
                  "DESC LIMIT 1")                                             \
    SQL(RULES, "SELECT family, category, urgency, response_min, "             \
               "resolve_min, clock FROM case_rules ORDER BY family, "         \
               "category, urgency")                                           \
    SQL(RULE_PUT, "INSERT INTO case_rules(family, category, urgency, "        \
                  "response_min, resolve_min, clock) VALUES (?1, ?2, ?3, "    \
                  "?4, ?5, ?6) ON CONFLICT (family, category, urgency) DO "   \
                  "UPDATE SET response_min = ?4, resolve_min = ?5, clock = ?6") \
    SQL(RULE_DELETE, "DELETE FROM case_rules WHERE family = ?1 AND "          \
                     "category = ?2 AND urgency = ?3")                        \
    SQL(CAL_LIST, "SELECT day, work, name FROM calendar_days WHERE day "      \
                  "BETWEEN ?1 AND ?2 ORDER BY day")                           \
    SQL(CAL_CLEAR, "DELETE FROM calendar_days WHERE day BETWEEN ?1 AND ?2")   \
    SQL(CAL_PUT, "INSERT INTO calendar_days(day, work, name) VALUES (?1, "    \
                 "?2, ?3)")                                                   \
    SQL(MEMBER_PUT, "INSERT INTO department_members(department_id, "          \
                    "account_id, since) VALUES (?1, ?2, ?3) ON CONFLICT DO "  \
                    "NOTHING")                                                \
    SQL(MEMBER_DELETE, "DELETE FROM department_members WHERE "               \
                       "department_id = ?1 AND account_id = ?2")              \
    SQL(MEMBERS, "SELECT a.display_name, a.id FROM department_members m "     \
                 "JOIN accounts a ON a.id = m.account_id WHERE "              \
                 "m.department_id = ?1 ORDER BY a.id LIMIT 500")              \
    SQL(ACCOUNT_DEPTS, "SELECT department_id FROM department_members WHERE "  \
                       "account_id = ?1 ORDER BY department_id LIMIT 32")     \
    SQL(POST_ACCOUNTS, "SELECT DISTINCT a.id FROM roster r JOIN accounts a "  \
                       "ON a.person_id = r.person_id WHERE r.node_code = ?1 " \
                       "AND r.post = ?2 AND a.disabled = 0 ORDER BY a.id "    \
                       "LIMIT 32")                                            \
    SQL(POST_HOLDERS, "SELECT a.id, a.display_name, r.post FROM roster r "    \
                      "JOIN accounts a ON a.person_id = r.person_id WHERE "   \
                      "r.node_code = ?1 AND a.disabled = 0 ORDER BY r.post, " \
                      "a.id LIMIT 500")                                       \
    SQL(ACCOUNT_POSTS, "SELECT r.post || '@' || r.node_code FROM roster r "   \
                       "JOIN accounts a ON a.person_id = r.person_id WHERE "  \
                       "a.id = ?1 ORDER BY r.id LIMIT 32")                    \
    SQL(NOTE_ADD, "INSERT INTO notifications(account_id, at, kind, case_id, " \
                  "detail) VALUES (?1, ?2, ?3, ?4, ?5)")                      \
    SQL(NOTE_LIST, "SELECT n.id, n.account_id, n.at, coalesce(n.case_id, "    \
                   "0), coalesce(n.read_at, 0), n.kind, n.detail, (SELECT "   \
                   "title FROM cases WHERE id = n.case_id) FROM "             \
                   "notifications n WHERE n.account_id = ?1 AND (?2 = 0 OR "  \
                   "n.read_at IS NULL) AND n.id < ?3 ORDER BY n.id DESC "     \
                   "LIMIT ?4")                                                \
    SQL(NOTE_UNREAD, "SELECT count(*) FROM notifications WHERE account_id = " \
                     "?1 AND read_at IS NULL")                                \
    SQL(NOTE_READ_ONE, "UPDATE notifications SET read_at = ?3 WHERE "         \
                       "account_id = ?1 AND id = ?2 AND read_at IS NULL")     \
    SQL(NOTE_READ_ALL, "UPDATE notifications SET read_at = ?3 WHERE "         \
                       "account_id = ?1 AND id <= ?2 AND read_at IS NULL")    \
    SQL(POINTS_ADD, "INSERT INTO points(at, account_id, node_code, case_id, " \
                    "points, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")        \
    SQL(RANK_ACCOUNTS, "SELECT 0, 0, p.account_id, 0, '', sum(p.points), '', " \
                       "(SELECT display_name FROM accounts WHERE id = "       \
                       "p.account_id) FROM points p WHERE p.node_code >= ?1 " \
                       "AND p.node_code < ?1 || ':' AND p.at >= ?2 AND "      \
                       "p.at < ?3 AND p.account_id IS NOT NULL GROUP BY "     \
                       "p.account_id ORDER BY 6 DESC, 3 LIMIT ?4")            \
    SQL(RANK_NODES, "SELECT 0, 0, 0, 0, substr(p.node_code, 1, ?5) AS k, "    \
                    "sum(p.points), '', (SELECT name FROM nodes WHERE code = " \
                    "substr(p.node_code, 1, ?5)) FROM points p WHERE "        \
                    "p.node_code >= ?1 AND p.node_code < ?1 || ':' AND "      \
                    "p.at >= ?2 AND p.at < ?3 AND length(p.node_code) >= ?5 " \
                    "GROUP BY k ORDER BY 6 DESC, 5 LIMIT ?4")                 \
    SQL(LEDGER, "SELECT p.id, p.at, coalesce(p.account_id, 0), "              \
                "coalesce(p.case_id, 0), p.node_code, p.points, p.reason, "   \
                "(SELECT display_name FROM accounts WHERE id = "              \
                "p.account_id) FROM points p WHERE p.node_code >= ?1 AND "    \
                "p.node_code < ?1 || ':' AND (?2 = 0 OR p.account_id = ?2) "  \
                "AND p.at >= ?3 AND p.at < ?4 ORDER BY p.id DESC LIMIT ?5")

#define CASE_SET_COLS                                                         \
    "family, category, source, state, urgency, title, description, address, " \
    "node_code, level_code, lon, lat, reporter_id, contact_name, "            \
    "contact_phone, contact_mask, assignee_kind, assignee_id, "               \
    "assignee_post, handler_id, building_id, org_id, service_id, "            \
    "duplicate_of, outcome, extra, rating, rating_comment, rework_count, "    \
    "reported_at, accepted_at, dispatched_at, handled_at, closed_at, "        \
    "rated_at, response_yellow, response_due, resolve_yellow, resolve_due, "  \
    "alert, next_alert_at, updated_at"
#define CASE_SET_VALS                                                         \
    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "     \
    "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, "  \
    "?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43"

enum case_stmt {
#define SQL_ENUM(id, text) CS_##id,
    CASE_STATEMENTS(SQL_ENUM)
#undef SQL_ENUM
        CS__COUNT
};

static const char *const cs_sql[CS__COUNT] = {
#define SQL_TEXT(id, text) [CS_##id] = text,
    CASE_STATEMENTS(SQL_TEXT)
#undef SQL_TEXT
};

static const char *const cs_name[CS__COUNT] = {
#define SQL_NAME(id, text) [CS_##id] = #id,
    CASE_STATEMENTS(SQL_NAME)
#undef SQL_NAME
};

_Static_assert(SQ_CASE_STMT_BASE + CS__COUNT <= SQ_EXTRA_STMTS,
               "SQ_EXTRA_STMTS too small");

static sqlite3_stmt *
cs_stmt(struct sqlite_store *sq, enum case_stmt id, struct gg_err *err)
{
    return sq_extra_stmt(sq, SQ_CASE_STMT_BASE + (int)id, cs_sql[id],
                         cs_name[id], err);
}

#define CS_OR_FAIL(sq, st, id)                                                \
    sqlite3_stmt *st = cs_stmt(sq, id, err);                                  \
    if (!st)                                                                  \
    return GG_ESTORE

static void
bind_time(sqlite3_stmt *st, int i, int64_t t) /* 0: NULL */
{
    bind_id(st, i, t);
}

/* A JSON array of ids or strings for json_each(), in a. */
static const char *
ids_json(struct gg_arena *a, const int64_t *ids, size_t n)
{
    size_t cap = 3 + n * 21, len = 1;
    char *out = gg_arena_alloc(a, cap);

    out[0] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%" PRId64,
                                i ? "," : "", ids[i]);
    out[len++] = ']';
    out[len] = '\0';
    return out;
}

static const char *
strs_json(struct gg_arena *a, const char *const *v, size_t n)
{
    size_t cap = 3, len = 1;
    char *out;

    for (size_t i = 0; i < n; i++)
        cap += strlen(v[i]) * 2 + 4;
    out = gg_arena_alloc(a, cap);
    out[0] = '[';
    for (size_t i = 0; i < n; i++) {
        out[len++] = i ? ',' : '"';
        if (i)
            out[len++] = '"';
        for (const char *p = v[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                out[len++] = '\\';
            out[len++] = *p;
        }
        out[len++] = '"';
    }
    out[len++] = ']';
    out[len] = '\0';
    return out;
}

static void
read_case_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_case *c = item;
    struct store_blob phone;
    int i = 0;

    c->id = sqlite3_column_int64(st, i++);
    c->version = sqlite3_column_int64(st, i++);
    c->family = col_text(a, st, i++);
    c->category = col_text(a, st, i++);
    c->source = col_text(a, st, i++);
    c->state = col_text(a, st, i++);
    c->urgency = sqlite3_column_int(st, i++);
    c->title = col_text(a, st, i++);
    c->description = col_text(a, st, i++);
    c->address = col_text(a, st, i++);
    c->node_code = col_text(a, st, i++);
    c->level_code = col_text(a, st, i++);
    c->has_point = sqlite3_column_type(st, i) != SQLITE_NULL;
    c->lon = sqlite3_column_double(st, i++);
    c->lat = sqlite3_column_double(st, i++);
    c->reporter_id = sqlite3_column_int64(st, i++);
    c->contact_name = col_text(a, st, i++);
    phone = col_blob(a, st, i++);
    c->contact.sealed = phone.data;
    c->contact.sealed_len = phone.len;
    c->contact.blind = NULL;
    c->contact.mask = col_text(a, st, i++);
    c->assignee_kind = col_text(a, st, i++);
    c->assignee_id = sqlite3_column_int64(st, i++);
    c->assignee_post = col_text(a, st, i++);
    c->handler_id = sqlite3_column_int64(st, i++);
    c->building_id = sqlite3_column_int64(st, i++);
    c->org_id = sqlite3_column_int64(st, i++);
    c->service_id = sqlite3_column_int64(st, i++);
    c->duplicate_of = sqlite3_column_int64(st, i++);
    c->outcome = col_text(a, st, i++);
    c->extra = col_text(a, st, i++);
    c->rating = sqlite3_column_int(st, i++);
    c->rating_comment = col_text(a, st, i++);
    c->rework_count = sqlite3_column_int(st, i++);
    c->reported_at = sqlite3_column_int64(st, i++);
    c->accepted_at = sqlite3_column_int64(st, i++);
    c->dispatched_at = sqlite3_column_int64(st, i++);
    c->handled_at = sqlite3_column_int64(st, i++);
    c->closed_at = sqlite3_column_int64(st, i++);
    c->rated_at = sqlite3_column_int64(st, i++);
    c->response_yellow = sqlite3_column_int64(st, i++);
    c->response_due = sqlite3_column_int64(st, i++);
    c->resolve_yellow = sqlite3_column_int64(st, i++);
    c->resolve_due = sqlite3_column_int64(st, i++);
    c->alert = sqlite3_column_int(st, i++);
    c->next_alert_at = sqlite3_column_int64(st, i++);
    c->updated_at = sqlite3_column_int64(st, i++);
    c->node_name = col_text(a, st, i++);
    c->level_name = col_text(a, st, i++);
    c->reporter_name = col_text(a, st, i++);
    c->assignee_name = col_text(a, st, i++);
    c->handler_name = col_text(a, st, i++);
}

static void
bind_case(sqlite3_stmt *st, const struct store_case *c)
{
    bind_text(st, 2, c->family);
    bind_text(st, 3, c->category);
    bind_text(st, 4, c->source);
    bind_text(st, 5, c->state);
    sqlite3_bind_int(st, 6, c->urgency);
    bind_text(st, 7, c->title);
    bind_text(st, 8, c->description);
    bind_text(st, 9, c->address);
    bind_text(st, 10, c->node_code);
    bind_text(st, 11, c->level_code);
    if (c->has_point) {
        sqlite3_bind_double(st, 12, c->lon);
        sqlite3_bind_double(st, 13, c->lat);
    }
    bind_id(st, 14, c->reporter_id);
    bind_text(st, 15, c->contact_name);
    bind_blob(st, 16, c->contact.sealed, c->contact.sealed_len);
    bind_text(st, 17, c->contact.sealed_len ? c->contact.mask : NULL);
    bind_text(st, 18, c->assignee_kind);
    bind_id(st, 19, c->assignee_id);
    bind_text(st, 20, c->assignee_post);
    bind_id(st, 21, c->handler_id);
    bind_id(st, 22, c->building_id);
    bind_id(st, 23, c->org_id);
    bind_id(st, 24, c->service_id);
    bind_id(st, 25, c->duplicate_of);
    bind_text(st, 26, c->outcome);
    bind_text(st, 27, c->extra ? c->extra : "{}");
    bind_id(st, 28, c->rating);
    bind_text(st, 29, c->rating_comment);
    sqlite3_bind_int(st, 30, c->rework_count);
    sqlite3_bind_int64(st, 31, c->reported_at);
    bind_time(st, 32, c->accepted_at);
    bind_time(st, 33, c->dispatched_at);
    bind_time(st, 34, c->handled_at);
    bind_time(st, 35, c->closed_at);
    bind_time(st, 36, c->rated_at);
    bind_time(st, 37, c->response_yellow);
    bind_time(st, 38, c->response_due);
    bind_time(st, 39, c->resolve_yellow);
    bind_time(st, 40, c->resolve_due);
    sqlite3_bind_int(st, 41, c->alert);
    bind_time(st, 42, c->next_alert_at);
    sqlite3_bind_int64(st, 43, c->updated_at);
}

int
sq_case_insert(struct store *s, const struct store_case *c, int64_t *id,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_INSERT);
    int rc;

    bind_id(st, 1, c->id);
    bind_case(st, c);
    rc = sq_run(sq, st, "case_insert", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(sq_db(sq));
    return rc;
}

int
sq_case_get(struct store *s, int64_t id, struct gg_arena *a,
            struct store_case **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_GET);
    void *item;
    int rc;

    sqlite3_bind_int64(st, 1, id);
    rc = sq_one(sq, st, "case_get", a, sizeof(**out), read_case_cb, &item,
                err);
    *out = item;
    return rc;
}

int
sq_case_update(struct store *s, const struct store_case *c,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_UPDATE);
    int rc;

    sqlite3_bind_int64(st, 1, c->id);
    bind_case(st, c);
    sqlite3_bind_int64(st, 44, c->version);
    rc = sq_run(sq, st, "case_update", err);
    if (!rc && !sqlite3_changes(sq_db(sq)))
        rc = gg_fail(err, GG_ECONFLICT, "version", MSG_CONFLICT);
    return rc;
}

/* Binds ?1..?16 of CASE_VISIBLE and CASE_FILTERS. */
static void
bind_filter(sqlite3_stmt *st, struct gg_arena *a,
            const struct store_case_filter *f)
{
    bind_text(st, 1, f->scope ? scope_json(a, f->scope) : NULL);
    bind_text(st, 2, f->node ? f->node : "");
    sqlite3_bind_int64(st, 3, f->reporter_id ? f->reporter_id : -1);
    sqlite3_bind_int64(st, 4, f->account_id ? f->account_id : -1);
    bind_text(st, 5, ids_json(a, f->departments, f->n_departments));
    bind_text(st, 6, strs_json(a, f->posts, f->n_posts));
    sqlite3_bind_int(st, 7, f->mine_only);
    bind_text(st, 8, f->family);
    bind_text(st, 9, f->category);
    bind_text(st, 10, f->source);
    bind_text(st, 11, f->state);
    sqlite3_bind_int(st, 12, f->open);
    sqlite3_bind_int(st, 13, f->alert);
    bind_text(st, 14, f->q);
    sqlite3_bind_int64(st, 15, f->from);
    sqlite3_bind_int64(st, 16, f->to ? f->to : INT64_MAX);
}

int
sq_case_list(struct store *s, const struct store_case_filter *f,
             struct gg_arena *a, struct store_case **out, size_t *n,
             struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_LIST);
    void *items = NULL;
    int rc;

    bind_filter(st, a, f);
    sqlite3_bind_int64(st, 17, f->after > 0 ? f->after : INT64_MAX);
    sqlite3_bind_int(st, 18, f->limit > 0 ? f->limit : 50);
    rc = sq_collect(sq, st, "case_list", a, sizeof(**out), read_case_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

int
sq_case_nearby(struct store *s, const char *family, const char *category,
               const double box[4], int64_t since, int64_t except,
               struct gg_arena *a, struct store_case **out, size_t *n,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_NEARBY);
    void *items = NULL;
    int rc;

    bind_text(st, 1, family);
    bind_text(st, 2, category);
    sqlite3_bind_int64(st, 3, since);
    sqlite3_bind_int64(st, 4, except);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, 5 + i, box[i]);
    rc = sq_collect(sq, st, "case_nearby", a, sizeof(**out), read_case_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

int
sq_case_log_add(struct store *s, const struct store_case_log *l, int64_t *id,
                struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_LOG_ADD);
    int rc;

    sqlite3_bind_int64(st, 1, l->case_id);
    sqlite3_bind_int64(st, 2, l->at);
    bind_id(st, 3, l->actor_id);
    bind_text(st, 4, l->action);
    bind_text(st, 5, l->from_state);
    bind_text(st, 6, l->to_state);
    bind_text(st, 7, l->note);
    bind_text(st, 8, l->detail);
    rc = sq_run(sq, st, "case_log_add", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(sq_db(sq));
    return rc;
}

static void
read_log_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_case_log *l = item;
    l->id = sqlite3_column_int64(st, 0);
    l->case_id = sqlite3_column_int64(st, 1);
    l->at = sqlite3_column_int64(st, 2);
    l->actor_id = sqlite3_column_int64(st, 3);
    l->action = col_text(a, st, 4);
    l->from_state = col_text(a, st, 5);
    l->to_state = col_text(a, st, 6);
    l->note = col_text(a, st, 7);
    l->detail = col_text(a, st, 8);
    l->actor = col_text(a, st, 9);
}

int
sq_case_log_list(struct store *s, int64_t case_id, struct gg_arena *a,
                 struct store_case_log **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_LOG_LIST);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, case_id);
    rc = sq_collect(sq, st, "case_log_list", a, sizeof(**out), read_log_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

int
sq_case_alerts_due(struct store *s, int64_t now, int limit,
                   struct gg_arena *a, struct store_case **out, size_t *n,
                   struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_ALERTS_DUE);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, limit);
    rc = sq_collect(sq, st, "case_alerts_due", a, sizeof(**out),
                    read_case_cb, &items, n, err);
    *out = items;
    return rc;
}

int
sq_case_alert_set(struct store *s, int64_t id, int alert,
                  int64_t next_alert_at, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_ALERT_SET);

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, alert);
    bind_time(st, 3, next_alert_at);
    return sq_run(sq, st, "case_alert_set", err);
}

int
sq_summons_put(struct store *s, const struct store_summons *m,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_SUMMONS_PUT);

    sqlite3_bind_int64(st, 1, m->case_id);
    sqlite3_bind_int64(st, 2, m->department_id);
    sqlite3_bind_int64(st, 3, m->summoned_at);
    bind_id(st, 4, m->summoned_by);
    bind_time(st, 5, m->acked_at);
    bind_time(st, 6, m->reported_at);
    bind_text(st, 7, m->report);
    return sq_run(sq, st, "summons_put", err);
}

static void
read_summons_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_summons *m = item;
    m->case_id = sqlite3_column_int64(st, 0);
    m->department_id = sqlite3_column_int64(st, 1);
    m->summoned_at = sqlite3_column_int64(st, 2);
    m->summoned_by = sqlite3_column_int64(st, 3);
    m->acked_at = sqlite3_column_int64(st, 4);
    m->reported_at = sqlite3_column_int64(st, 5);
    m->report = col_text(a, st, 6);
    m->department = col_text(a, st, 7);
}

int
sq_summons_list(struct store *s, int64_t case_id, struct gg_arena *a,
                struct store_summons **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_SUMMONS_LIST);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, case_id);
    rc = sq_collect(sq, st, "summons_list", a, sizeof(**out),
                    read_summons_cb, &items, n, err);
    *out = items;
    return rc;
}

int
sq_photo_put(struct store *s, const struct store_photo *p, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_PHOTO_PUT);

    bind_text(st, 1, p->hash);
    bind_text(st, 2, p->mime);
    sqlite3_bind_int64(st, 3, p->size);
    sqlite3_bind_int(st, 4, p->width);
    sqlite3_bind_int(st, 5, p->height);
    bind_id(st, 6, p->uploaded_by);
    sqlite3_bind_int64(st, 7, p->at);
    return sq_run(sq, st, "photo_put", err);
}

static void
read_photo_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_photo *p = item;
    p->hash = col_text(a, st, 0);
    p->mime = col_text(a, st, 1);
    p->size = sqlite3_column_int64(st, 2);
    p->width = sqlite3_column_int(st, 3);
    p->height = sqlite3_column_int(st, 4);
    p->uploaded_by = sqlite3_column_int64(st, 5);
    p->at = sqlite3_column_int64(st, 6);
    p->log_id = sqlite3_column_int64(st, 7);
}

int
sq_photo_get(struct store *s, const char *hash, struct gg_arena *a,
             struct store_photo **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_PHOTO_GET);
    void *item;
    int rc;

    bind_text(st, 1, hash);
    rc = sq_one(sq, st, "photo_get", a, sizeof(**out), read_photo_cb, &item,
                err);
    *out = item;
    return rc;
}

int
sq_case_photo_add(struct store *s, int64_t case_id, int64_t log_id,
                  const char *hash, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_PHOTO_ADD);

    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, log_id);
    bind_text(st, 3, hash);
    return sq_run(sq, st, "case_photo_add", err);
}

int
sq_case_photos(struct store *s, int64_t case_id, struct gg_arena *a,
               struct store_photo **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CASE_PHOTOS);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, case_id);
    rc = sq_collect(sq, st, "case_photos", a, sizeof(**out), read_photo_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

/* Up to cap int64 values of the first column into ids. */
static int
sq_ids(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
       int64_t *ids, size_t cap, size_t *n, struct gg_err *err)
{
    int rc;

    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(sq, rc, what, err);
    return 0;
}

int
sq_photo_cases(struct store *s, const char *hash, int64_t ids[16], size_t *n,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_PHOTO_CASES);

    bind_text(st, 1, hash);
    return sq_ids(sq, st, "photo_cases", ids, 16, n, err);
}

static void
read_rule_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_case_rule *r = item;
    r->family = col_text(a, st, 0);
    r->category = col_text(a, st, 1);
    r->urgency = sqlite3_column_int(st, 2);
    r->response_min = sqlite3_column_int64(st, 3);
    r->resolve_min = sqlite3_column_int64(st, 4);
    r->clock = col_text(a, st, 5);
}

int
sq_case_rule_get(struct store *s, const char *family, const char *category,
                 int urgency, struct gg_arena *a, struct store_case_rule **out,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_RULE_GET);
    void *item;
    int rc;

    bind_text(st, 1, family);
    bind_text(st, 2, category);
    sqlite3_bind_int(st, 3, urgency);
    rc = sq_one(sq, st, "case_rule_get", a, sizeof(**out), read_rule_cb,
                &item, err);
    *out = item;
    return rc;
}

int
sq_case_rules(struct store *s, struct gg_arena *a,
              struct store_case_rule **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_RULES);
    void *items = NULL;
    int rc = sq_collect(sq, st, "case_rules", a, sizeof(**out), read_rule_cb,
                        &items, n, err);
    *out = items;
    return rc;
}

int
sq_case_rule_put(struct store *s, const struct store_case_rule *r,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_RULE_PUT);

    bind_text(st, 1, r->family);
    bind_text(st, 2, r->category ? r->category : "");
    sqlite3_bind_int(st, 3, r->urgency);
    sqlite3_bind_int64(st, 4, r->response_min);
    sqlite3_bind_int64(st, 5, r->resolve_min);
    bind_text(st, 6, r->clock);
    return sq_run(sq, st, "case_rule_put", err);
}

int
sq_case_rule_delete(struct store *s, const char *family,
                    const char *category, int urgency, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_RULE_DELETE);
    int rc;

    bind_text(st, 1, family);
    bind_text(st, 2, category ? category : "");
    sqlite3_bind_int(st, 3, urgency);
    rc = sq_run(sq, st, "case_rule_delete", err);
    if (!rc && !sqlite3_changes(sq_db(sq)))
        rc = gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND);
    return rc;
}

static void
read_day_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_calendar_day *d = item;
    d->day = col_text(a, st, 0);
    d->work = sqlite3_column_int(st, 1);
    d->name = col_text(a, st, 2);
}

int
sq_calendar_list(struct store *s, const char *from, const char *to,
                 struct gg_arena *a, struct store_calendar_day **out,
                 size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_CAL_LIST);
    void *items = NULL;
    int rc;

    bind_text(st, 1, from);
    bind_text(st, 2, to);
    rc = sq_collect(sq, st, "calendar_list", a, sizeof(**out), read_day_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

int
sq_calendar_replace(struct store *s, const char *from, const char *to,
                    const struct store_calendar_day *days, size_t n,
                    struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = cs_stmt(sq, CS_CAL_CLEAR, err);
    int rc;

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, from);
    bind_text(st, 2, to);
    rc = sq_run(sq, st, "calendar_replace", err);
    for (size_t i = 0; !rc && i < n; i++) {
        st = cs_stmt(sq, CS_CAL_PUT, err);
        if (!st)
            return GG_ESTORE;
        bind_text(st, 1, days[i].day);
        sqlite3_bind_int(st, 2, days[i].work);
        bind_text(st, 3, days[i].name);
        rc = sq_run(sq, st, "calendar_replace", err);
    }
    return rc;
}

int
sq_department_member_put(struct store *s, int64_t department_id,
                         int64_t account_id, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_MEMBER_PUT);

    sqlite3_bind_int64(st, 1, department_id);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, now);
    return sq_run(sq, st, "department_member_put", err);
}

int
sq_department_member_delete(struct store *s, int64_t department_id,
                            int64_t account_id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_MEMBER_DELETE);
    int rc;

    sqlite3_bind_int64(st, 1, department_id);
    sqlite3_bind_int64(st, 2, account_id);
    rc = sq_run(sq, st, "department_member_delete", err);
    if (!rc && !sqlite3_changes(sq_db(sq)))
        rc = gg_fail(err, GG_ENOTFOUND, "account_id", MSG_NOT_FOUND);
    return rc;
}

static void
read_count_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_count *c = item;
    c->key = col_text(a, st, 0);
    c->count = sqlite3_column_int64(st, 1);
}

int
sq_department_members(struct store *s, int64_t department_id,
                       struct gg_arena *a, struct store_count **out,
                       size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_MEMBERS);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, department_id);
    rc = sq_collect(sq, st, "department_members", a, sizeof(**out),
                    read_count_cb, &items, n, err);
    *out = items;
    return rc;
}

int
sq_account_departments(struct store *s, int64_t account_id, int64_t ids[32],
                       size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_ACCOUNT_DEPTS);

    sqlite3_bind_int64(st, 1, account_id);
    return sq_ids(sq, st, "account_departments", ids, 32, n, err);
}

int
sq_post_accounts(struct store *s, const char *node, const char *post,
                 int64_t ids[32], size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_POST_ACCOUNTS);

    bind_text(st, 1, node);
    bind_text(st, 2, post ? post : "grid_chief");
    return sq_ids(sq, st, "post_accounts", ids, 32, n, err);
}

static void
read_holder_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_post_holder *h = item;
    h->account_id = sqlite3_column_int64(st, 0);
    h->name = col_text(a, st, 1);
    h->post = col_text(a, st, 2);
}

int
sq_post_holders(struct store *s, const char *node, struct gg_arena *a,
                struct store_post_holder **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_POST_HOLDERS);
    void *items = NULL;
    int rc;

    bind_text(st, 1, node);
    rc = sq_collect(sq, st, "post_holders", a, sizeof(**out), read_holder_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

static void
read_text_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    *(const char **)item = col_text(a, st, 0);
}

int
sq_account_posts(struct store *s, int64_t account_id, struct gg_arena *a,
                 const char **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_ACCOUNT_POSTS);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, account_id);
    rc = sq_collect(sq, st, "account_posts", a, sizeof(*out), read_text_cb,
                    &items, n, err);
    if (!rc && *n > 32)
        *n = 32;
    if (!rc && *n)
        memcpy(out, items, *n * sizeof(*out));
    return rc;
}

int
sq_notification_add(struct store *s, const struct store_notification *m,
                    int64_t *id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_NOTE_ADD);
    int rc;

    sqlite3_bind_int64(st, 1, m->account_id);
    sqlite3_bind_int64(st, 2, m->at);
    bind_text(st, 3, m->kind);
    bind_id(st, 4, m->case_id);
    bind_text(st, 5, m->detail);
    rc = sq_run(sq, st, "notification_add", err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(sq_db(sq));
    return rc;
}

static void
read_note_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_notification *m = item;
    m->id = sqlite3_column_int64(st, 0);
    m->account_id = sqlite3_column_int64(st, 1);
    m->at = sqlite3_column_int64(st, 2);
    m->case_id = sqlite3_column_int64(st, 3);
    m->read_at = sqlite3_column_int64(st, 4);
    m->kind = col_text(a, st, 5);
    m->detail = col_text(a, st, 6);
    m->case_title = col_text(a, st, 7);
}

int
sq_notifications(struct store *s, int64_t account_id, int unread_only,
                 int64_t before, int limit, struct gg_arena *a,
                 struct store_notification **out, size_t *n, int64_t *unread,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    void *items = NULL;
    sqlite3_stmt *st = cs_stmt(sq, CS_NOTE_LIST, err);
    int rc;

    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int(st, 2, unread_only);
    sqlite3_bind_int64(st, 3, before > 0 ? before : INT64_MAX);
    sqlite3_bind_int(st, 4, limit > 0 ? limit : 50);
    rc = sq_collect(sq, st, "notifications", a, sizeof(**out), read_note_cb,
                    &items, n, err);
    *out = items;
    if (rc)
        return rc;
    st = cs_stmt(sq, CS_NOTE_UNREAD, err);
    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, account_id);
    rc = sq_row(sq, st, "notifications", "", err);
    if (!rc)
        *unread = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc;
}

int
sq_notifications_read(struct store *s, int64_t account_id, int64_t id,
                      int64_t now, int64_t *changed, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = cs_stmt(sq, id > 0 ? CS_NOTE_READ_ONE : CS_NOTE_READ_ALL,
                               err);
    int rc;

    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, id > 0 ? id : -id);
    sqlite3_bind_int64(st, 3, now);
    rc = sq_run(sq, st, "notifications_read", err);
    if (!rc && changed)
        *changed = sqlite3_changes(sq_db(sq));
    return rc;
}

int
sq_points_add(struct store *s, const struct store_points *p,
              struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_POINTS_ADD);

    sqlite3_bind_int64(st, 1, p->at);
    bind_id(st, 2, p->account_id);
    bind_text(st, 3, p->node_code);
    bind_id(st, 4, p->case_id);
    sqlite3_bind_int64(st, 5, p->points);
    bind_text(st, 6, p->reason);
    return sq_run(sq, st, "points_add", err);
}

static void
read_points_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_points *p = item;
    p->id = sqlite3_column_int64(st, 0);
    p->at = sqlite3_column_int64(st, 1);
    p->account_id = sqlite3_column_int64(st, 2);
    p->case_id = sqlite3_column_int64(st, 3);
    p->node_code = col_text(a, st, 4);
    p->points = sqlite3_column_int64(st, 5);
    p->reason = col_text(a, st, 6);
    p->name = col_text(a, st, 7);
}

int
sq_points_ranking(struct store *s, const char *node, int64_t from,
                  int64_t to, size_t by_node, int limit, struct gg_arena *a,
                  struct store_points **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = cs_stmt(sq, by_node ? CS_RANK_NODES : CS_RANK_ACCOUNTS,
                               err);
    void *items = NULL;
    int rc;

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, node);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to ? to : INT64_MAX);
    sqlite3_bind_int(st, 4, limit > 0 ? limit : 100);
    if (by_node)
        sqlite3_bind_int64(st, 5, (int64_t)by_node);
    rc = sq_collect(sq, st, "points_ranking", a, sizeof(**out),
                    read_points_cb, &items, n, err);
    *out = items;
    return rc;
}

int
sq_points_ledger(struct store *s, const char *node, int64_t account_id,
                 int64_t from, int64_t to, int limit, struct gg_arena *a,
                 struct store_points **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    CS_OR_FAIL(sq, st, CS_LEDGER);
    void *items = NULL;
    int rc;

    bind_text(st, 1, node);
    sqlite3_bind_int64(st, 2, account_id);
    sqlite3_bind_int64(st, 3, from);
    sqlite3_bind_int64(st, 4, to ? to : INT64_MAX);
    sqlite3_bind_int(st, 5, limit > 0 ? limit : 100);
    rc = sq_collect(sq, st, "points_ledger", a, sizeof(**out),
                    read_points_cb, &items, n, err);
    *out = items;
    return rc;
}

/* ---- statistics ---- */

/* The group key of each grouping, as SQL over the case row c. */
static const char *const group_key[] = {
    [CASE_GROUP_NONE] = "''",
    [CASE_GROUP_STATE] = "c.state",
    [CASE_GROUP_FAMILY] = "c.family",
    [CASE_GROUP_CATEGORY] = "c.category",
    [CASE_GROUP_SOURCE] = "c.source",
    [CASE_GROUP_CHILD] = "substr(c.node_code, 1, ?17)",
    [CASE_GROUP_WEEK] = "strftime('%Y-W%W', c.reported_at + 28800, "
                        "'unixepoch')",
    [CASE_GROUP_MONTH] = "strftime('%Y-%m', c.reported_at + 28800, "
                         "'unixepoch')",
};

int
sq_case_stats(struct store *s, const struct store_case_filter *f,
              enum store_case_group group, size_t child_len, int64_t now,
              struct gg_arena *a, struct store_case_stats **out, size_t *n,
              struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = NULL;
    size_t cap = 16, count = 0;
    struct store_case_stats *items;
    char *sql;
    int rc;

    *out = NULL;
    *n = 0;
    if ((size_t)group >= GG_ARRAY_LEN(group_key))
        return gg_fail(err, GG_EINVAL, "group", MSG_NOT_FOUND);
    /* Built per call: the grouping changes the text, and statistics are
     * not a hot path. ?18 is now. */
    sql = sqlite3_mprintf(
        "SELECT %s AS k, count(*), "
        "sum(" CASE_OPEN "), sum(c.state = 'closed'), "
        "sum(c.state IN ('rejected', 'withdrawn', 'merged')), "
        "sum(c.state = 'closed' AND c.closed_at <= c.resolve_due), "
        "sum(c.state = 'closed' OR (" CASE_OPEN " AND c.resolve_due < ?18)), "
        "sum(c.rework_count > 0), sum(c.rating > 0), sum(c.rating >= 4), "
        "sum(c.family = 'dispute' AND c.state NOT IN ('rejected', "
        "'withdrawn', 'merged')), "
        "sum(c.family = 'dispute' AND c.outcome IS NOT NULL), "
        "sum(c.family = 'dispute' AND c.outcome = 'success'), "
        "sum(c.accepted_at IS NOT NULL AND c.accepted_at <= c.response_due), "
        "sum(c.accepted_at IS NOT NULL), "
        "coalesce(sum(CASE WHEN c.state = 'closed' THEN c.closed_at - "
        "c.reported_at END), 0), "
        "sum(" CASE_OPEN " AND c.alert = 2), "
        "sum(" CASE_OPEN " AND c.alert = 1) "
        "FROM cases c WHERE " CASE_VISIBLE CASE_FILTERS
        " GROUP BY k ORDER BY k LIMIT 1000",
        group_key[group]);
    rc = sqlite3_prepare_v2(sq_db(sq), sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return sq_fail(sq, rc, "case_stats", err);
    bind_filter(st, a, f);
    if (group == CASE_GROUP_CHILD)
        sqlite3_bind_int64(st, 17, (int64_t)child_len);
    sqlite3_bind_int64(st, 18, now);
    items = gg_arena_alloc(a, cap * sizeof(*items));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_case_stats *g;
        int i = 1;
        if (count == cap) {
            struct store_case_stats *bigger =
                gg_arena_alloc(a, cap * 2 * sizeof(*items));
            memcpy(bigger, items, cap * sizeof(*items));
            items = bigger;
            cap *= 2;
        }
        g = &items[count++];
        g->key = col_text(a, st, 0);
        g->total = sqlite3_column_int64(st, i++);
        g->open = sqlite3_column_int64(st, i++);
        g->closed = sqlite3_column_int64(st, i++);
        g->ended = sqlite3_column_int64(st, i++);
        g->closed_on_time = sqlite3_column_int64(st, i++);
        g->due = sqlite3_column_int64(st, i++);
        g->reworked = sqlite3_column_int64(st, i++);
        g->rated = sqlite3_column_int64(st, i++);
        g->satisfied = sqlite3_column_int64(st, i++);
        g->disputes = sqlite3_column_int64(st, i++);
        g->mediated = sqlite3_column_int64(st, i++);
        g->mediated_ok = sqlite3_column_int64(st, i++);
        g->responded_on_time = sqlite3_column_int64(st, i++);
        g->responded = sqlite3_column_int64(st, i++);
        g->handle_s = sqlite3_column_int64(st, i++);
        g->red = sqlite3_column_int64(st, i++);
        g->yellow = sqlite3_column_int64(st, i++);
    }
    if (rc != SQLITE_DONE)
        rc = sq_fail(sq, rc, "case_stats", err);
    else
        rc = 0;
    sqlite3_finalize(st);
    *out = items;
    *n = count;
    return rc;
}

/*
 * store_sqlite.c - the SQLite backend of store.h.
 *
 * One struct sqlite_store per connection, used by one thread at a time
 * (SQLITE_OPEN_NOMUTEX). Statements are prepared on first use and kept for
 * the life of the connection (SQLITE_PREPARE_PERSISTENT). Durability:
 * WAL with synchronous=FULL, so an acknowledged commit survives power loss;
 * writers take the lock up front with BEGIN IMMEDIATE so they queue on the
 * busy timeout instead of failing mid-transaction.
 */
#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_log.h"
#include "store/migrations.h"
#include "store/store_backend.h"
#include "store/store_sqlite.h"

#include <pthread.h>
#include <sqlite3.h>
#include <sys/stat.h>

#define ACCOUNT_SELECT                                                        \
    "SELECT id, username, display_name, password_hash, person_id, "           \
    "disabled, must_change_password, version, home_node, "                    \
    "password_changed_at, failed_logins, locked_until, totp_secret, "        \
    "totp_pending, totp_last_step, created_at FROM accounts "

/* Rows whose column `col` lies under one of the scope's prefixes (?N). */
#define IN_SCOPE(col, n)                                                      \
    "EXISTS (SELECT 1 FROM json_each(?" #n ") p WHERE " col " >= p.value "    \
    "AND " col " < p.value || ':')"

#define SESSION_SELECT                                                        \
    "SELECT token_hash, account_id, csrf_token, created_at, last_seen_at, "   \
    "expires_at, idle_s, user_agent, ip FROM sessions "

#define APIKEY_SELECT                                                         \
    "SELECT id, name, prefix, key_hash, scopes, node_code, expires_at, "      \
    "created_at, coalesce(created_by, 0), coalesce(last_used_at, 0), "        \
    "coalesce(revoked_at, 0) FROM api_keys "

#define AUDIT_SELECT                                                          \
    "SELECT seq, at, coalesce(actor_id, 0), actor, action, target, detail, "  \
    "ip, prev_hash, hash FROM audit_log "

#define PERSON_ROW_SELECT                                                     \
    "SELECT p.id, p.node_code, p.name, p.sex, p.birth_date, p.residence, "    \
    "p.id_no_mask, p.phone_mask, (SELECT group_concat(tag, ',') FROM "        \
    "person_tags t WHERE t.person_id = p.id), p.relation, "                  \
    "coalesce(p.household_id, 0), p.ethnic, p.political, p.moved_in, "       \
    "p.moved_out, (SELECT b.name FROM households h JOIN buildings b ON "      \
    "b.id = h.building_id WHERE h.id = p.household_id), (SELECT h.unit_no "   \
    "FROM households h WHERE h.id = p.household_id), (SELECT h.room FROM "    \
    "households h WHERE h.id = p.household_id) FROM persons p "

/* Rows whose node_code lies under the node bound to ?N. */
#define UNDER(n) "node_code >= ?" #n " AND node_code < ?" #n " || ':'"

#define IMPORT_SELECT                                                         \
    "SELECT id, kind, node_code, coalesce(actor_id, 0), state, dry_run, "     \
    "mode, total, processed, ok, bad, errors, message, created_at, "          \
    "coalesce(started_at, 0), coalesce(finished_at, 0) FROM import_jobs "

#define GEOMETRY_SELECT                                                       \
    "SELECT g.node_code, n.name, n.level, g.geojson, g.area_m2, g.min_lon, "  \
    "g.min_lat, g.max_lon, g.max_lat FROM node_geometry g JOIN nodes n ON "   \
    "n.code = g.node_code "

/* SQL(id, text): every statement this backend runs. */
#define SQLITE_STATEMENTS(SQL)                                                \
    SQL(SCHEMA_VERSION, "SELECT coalesce(max(version), 0) FROM schema_migrations") \
    SQL(BEGIN, "BEGIN IMMEDIATE")                                             \
    SQL(COMMIT, "COMMIT")                                                     \
    SQL(ROLLBACK, "ROLLBACK")                                                 \
    SQL(READ_BEGIN, "BEGIN DEFERRED")                                         \
    SQL(STEP_BEGIN, "SAVEPOINT step")                                         \
    SQL(STEP_KEEP, "RELEASE step")                                            \
    SQL(STEP_UNDO, "ROLLBACK TO step")                                        \
    SQL(COUNT_ROOTS, "SELECT (SELECT count(*) FROM nodes), "                  \
                     "(SELECT count(*) FROM persons)")                        \
    SQL(NODE_INSERT, "INSERT INTO nodes(code, parent_code, level, name, "     \
                     "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)") \
    SQL(NODE_GET, "SELECT n.code, n.parent_code, n.level, n.name, n.version, " \
                  "coalesce(n.chief_person_id, 0), "                          \
                  "(SELECT count(*) FROM nodes c WHERE c.parent_code = n.code " \
                  "AND c.retired_at IS NULL) FROM nodes n WHERE n.code = ?1 " \
                  "AND n.retired_at IS NULL AND EXISTS (SELECT 1 FROM "       \
                  "json_each(?2) p WHERE n.code >= p.value AND n.code < "     \
                  "p.value || ':')")                                          \
    SQL(NODE_CHILDREN, "SELECT n.code, n.parent_code, n.level, n.name, "      \
                       "n.version, coalesce(n.chief_person_id, 0), "          \
                       "(SELECT count(*) FROM nodes c WHERE "                 \
                       "c.parent_code = n.code AND c.retired_at IS NULL) "    \
                       "FROM nodes n WHERE n.parent_code IS ?1 AND "          \
                       "n.retired_at IS NULL AND EXISTS (SELECT 1 FROM "      \
                       "json_each(?2) p WHERE n.code >= p.value AND n.code < " \
                       "p.value || ':') ORDER BY n.code LIMIT 2000")          \
    SQL(NODE_UPDATE, "UPDATE nodes SET name = coalesce(?3, name), "          \
                     "chief_person_id = CASE WHEN ?4 < 0 THEN chief_person_id " \
                     "WHEN ?4 = 0 THEN NULL ELSE ?4 END, updated_at = ?5, "   \
                     "version = version + 1 WHERE code = ?1 AND version = ?2 " \
                     "AND retired_at IS NULL")                                \
    SQL(NODE_RETIRE, "UPDATE nodes SET retired_at = ?3, updated_at = ?3, "    \
                     "version = version + 1 WHERE code = ?1 AND version = ?2 " \
                     "AND retired_at IS NULL")                                \
    SQL(NODE_HOLDS, "SELECT (SELECT count(*) FROM nodes WHERE code > ?1 AND " \
                    "code < ?1 || ':' AND retired_at IS NULL), "              \
                    "(SELECT count(*) FROM persons WHERE node_code >= ?1 AND " \
                    "node_code < ?1 || ':') + (SELECT count(*) FROM "         \
                    "buildings WHERE node_code >= ?1 AND node_code < ?1 || "  \
                    "':') + (SELECT count(*) FROM organisations WHERE "       \
                    "node_code >= ?1 AND node_code < ?1 || ':') + (SELECT "   \
                    "count(*) FROM roster WHERE node_code >= ?1 AND "         \
                    "node_code < ?1 || ':') + (SELECT count(*) FROM "         \
                    "party_orgs WHERE node_code >= ?1 AND node_code < ?1 "    \
                    "|| ':')")                                                \
    SQL(NODE_TAKEN, "SELECT EXISTS (SELECT 1 FROM nodes WHERE code >= ?1 "    \
                    "AND code < ?1 || ':')")                                  \
    SQL(HISTORY_ADD, "INSERT INTO record_history(kind, record_id, "        \
                     "node_code, at, actor_id, action, before, after) "       \
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")               \
    SQL(HISTORY_LIST, "SELECT id, kind, record_id, node_code, at, "           \
                      "coalesce(actor_id, 0), action, before, after, (SELECT " \
                      "display_name FROM accounts WHERE id = actor_id) FROM " \
                      "record_history WHERE kind = ?1 AND record_id = ?2 "    \
                      "ORDER BY id DESC LIMIT 500")                           \
    SQL(ACCOUNT_INSERT, "INSERT INTO accounts(username, display_name, "       \
                        "password_hash, person_id, disabled, "                \
                        "must_change_password, home_node, "                   \
                        "password_changed_at, created_at, updated_at) "       \
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8)")    \
    SQL(ACCOUNT_BY_USERNAME, ACCOUNT_SELECT "WHERE username = ?1")            \
    SQL(ACCOUNT_BY_ID, ACCOUNT_SELECT "WHERE id = ?1")                        \
    SQL(ROLE_GRANT, "INSERT INTO role_grants(account_id, role, node_code, "   \
                    "granted_at) VALUES (?1, ?2, ?3, ?4)")                    \
    SQL(ACCOUNT_ROLES, "SELECT g.role, g.node_code, n.name, n.level FROM "    \
                       "role_grants g JOIN nodes n ON n.code = g.node_code "  \
                       "WHERE g.account_id = ?1 ORDER BY g.node_code, g.role") \
    SQL(SESSION_INSERT, "INSERT INTO sessions(token_hash, account_id, "       \
                        "csrf_token, created_at, last_seen_at, expires_at, "  \
                        "idle_s, user_agent, ip) VALUES (?1, ?2, ?3, ?4, ?5, " \
                        "?6, ?7, ?8, ?9)")                                    \
    SQL(SESSION_GET, SESSION_SELECT "WHERE token_hash = ?1 AND "              \
                     "expires_at > ?2")                                       \
    SQL(SESSION_TOUCH, "UPDATE sessions SET last_seen_at = ?2 WHERE "         \
                       "token_hash = ?1")                                     \
    SQL(SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = ?1")         \
    SQL(SESSION_LIST, SESSION_SELECT "WHERE account_id = ?1 AND "             \
                      "expires_at > ?2 AND last_seen_at + idle_s > ?2 "       \
                      "ORDER BY created_at DESC LIMIT 100")                   \
    SQL(SESSION_DELETE_PREFIX, "DELETE FROM sessions WHERE account_id = ?1 "  \
                               "AND token_hash >= ?2 AND token_hash < ?2 || " \
                               "'g'")                                         \
    SQL(SESSION_DELETE_ACCOUNT, "DELETE FROM sessions WHERE account_id = ?1 " \
                                "AND token_hash IS NOT ?2")                   \
    SQL(ACCOUNT_LOGIN_FAILED, "UPDATE accounts SET failed_logins = CASE "     \
                              "WHEN failed_logins + 1 >= ?3 THEN 0 ELSE "     \
                              "failed_logins + 1 END, locked_until = CASE "   \
                              "WHEN failed_logins + 1 >= ?3 THEN ?2 + ?4 "    \
                              "ELSE locked_until END WHERE id = ?1 "          \
                              "RETURNING locked_until")                       \
    SQL(ACCOUNT_LOGIN_OK, "UPDATE accounts SET failed_logins = 0 WHERE "      \
                          "id = ?1 AND failed_logins != 0")                   \
    SQL(ACCOUNT_SET_PASSWORD, "UPDATE accounts SET password_hash = ?2, "      \
                              "must_change_password = ?3, "                   \
                              "password_changed_at = ?4, updated_at = ?4, "   \
                              "version = version + 1 WHERE id = ?1")          \
    SQL(ACCOUNT_SET_TOTP, "UPDATE accounts SET totp_secret = ?2, "            \
                          "totp_pending = NULL, version = version + 1 "       \
                          "WHERE id = ?1")                                    \
    SQL(ACCOUNT_SET_TOTP_PENDING, "UPDATE accounts SET totp_pending = ?2 "    \
                                  "WHERE id = ?1")                            \
    SQL(ACCOUNT_TOTP_STEP, "UPDATE accounts SET totp_last_step = ?2 WHERE "   \
                           "id = ?1 AND totp_last_step < ?2")                 \
    SQL(ACCOUNT_UPDATE, "UPDATE accounts SET display_name = "                 \
                        "coalesce(?3, display_name), disabled = CASE WHEN "   \
                        "?4 < 0 THEN disabled ELSE ?4 END, updated_at = ?5, " \
                        "version = version + 1 WHERE id = ?1 AND version = ?2") \
    SQL(ACCOUNT_UNLOCK, "UPDATE accounts SET locked_until = 0, "              \
                        "failed_logins = 0 WHERE id = ?1")                    \
    SQL(ACCOUNT_LIST, ACCOUNT_SELECT "WHERE id > ?2 AND home_node IS NOT "    \
                      "NULL AND " IN_SCOPE("home_node", 1) " AND (?3 IS "     \
                      "NULL OR instr(username, ?3) OR instr(display_name, "   \
                      "?3)) ORDER BY id LIMIT ?4")                            \
    SQL(ACCOUNT_GET_SCOPED, ACCOUNT_SELECT "WHERE id = ?2 AND home_node IS "  \
                            "NOT NULL AND " IN_SCOPE("home_node", 1))         \
    SQL(ACCOUNT_BUMP, "UPDATE accounts SET version = version + 1, "           \
                      "updated_at = ?3 WHERE id = ?1 AND version = ?2")       \
    SQL(ROLES_CLEAR, "DELETE FROM role_grants WHERE account_id = ?1")         \
    SQL(LOGIN_ATTEMPT, "INSERT INTO login_attempts VALUES (?1, ?2, 1) ON "    \
                       "CONFLICT(address) DO UPDATE SET attempts = CASE "     \
                       "WHEN window_start + ?3 <= ?2 THEN 1 ELSE attempts + " \
                       "1 END, window_start = CASE WHEN window_start + ?3 "   \
                       "<= ?2 THEN ?2 ELSE window_start END RETURNING "       \
                       "attempts")                                            \
    SQL(APIKEY_INSERT, "INSERT INTO api_keys(name, prefix, key_hash, "        \
                       "scopes, node_code, expires_at, created_at, "          \
                       "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
    SQL(APIKEY_LIST, APIKEY_SELECT "WHERE " IN_SCOPE("node_code", 1)          \
                     " ORDER BY id DESC LIMIT 500")                           \
    SQL(APIKEY_BY_HASH, APIKEY_SELECT "WHERE key_hash = ?1 AND revoked_at "   \
                        "IS NULL AND expires_at > ?2")                        \
    SQL(APIKEY_REVOKE, "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?2 "   \
                       "AND revoked_at IS NULL AND " IN_SCOPE("node_code", 1)) \
    SQL(APIKEY_TOUCH, "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")  \
    SQL(AUDIT_LAST, "SELECT seq, hash FROM audit_log ORDER BY seq DESC "      \
                    "LIMIT 1")                                                \
    SQL(AUDIT_ANCHOR, "SELECT (SELECT CAST(value AS INTEGER) FROM audit_meta " \
                      "WHERE key = 'archived_through'), (SELECT value FROM "  \
                      "audit_meta WHERE key = 'anchor_hash')")                \
    SQL(AUDIT_INSERT, "INSERT INTO audit_log(seq, at, actor_id, actor, "      \
                      "action, target, detail, ip, prev_hash, hash) VALUES "  \
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")            \
    SQL(AUDIT_LIST, AUDIT_SELECT "WHERE (?1 = 0 OR at >= ?1) AND (?2 = 0 OR " \
                    "at < ?2) AND (?3 IS NULL OR actor = ?3) AND (?4 IS "     \
                    "NULL OR action = ?4) AND (?5 = 0 OR seq < ?5) ORDER BY " \
                    "seq DESC LIMIT ?6")                                      \
    SQL(AUDIT_WALK, AUDIT_SELECT "WHERE seq > ?1 ORDER BY seq LIMIT 1000")    \
    SQL(AUDIT_SET_META, "UPDATE audit_meta SET value = ?2 WHERE key = ?1")    \
    SQL(AUDIT_DELETE_THROUGH, "DELETE FROM audit_log WHERE seq <= ?1")        \
    SQL(PERSON_GET, PERSON_ROW_SELECT "WHERE p.id = ?2 AND "                  \
                    IN_SCOPE("p.node_code", 1))                               \
    SQL(PERSON_LIST, PERSON_ROW_SELECT "WHERE p.node_code >= ?2 AND "         \
                     "p.node_code < ?2 || ':' AND " IN_SCOPE("p.node_code", 1) \
                     " AND p.id > ?3 AND (?5 IS NULL OR substr(p.name, 1, "   \
                     "length(?5)) = ?5) AND (?6 IS NULL OR EXISTS (SELECT 1 " \
                     "FROM person_tags t WHERE t.person_id = p.id AND t.tag " \
                     "= ?6)) AND (?7 IS NULL OR EXISTS (SELECT 1 FROM "      \
                     "households h JOIN buildings b ON b.id = h.building_id " \
                     "WHERE h.id = p.household_id AND instr(b.address, ?7) "  \
                     "> 0)) AND (?8 IS NULL OR EXISTS (SELECT 1 FROM "        \
                     "households h WHERE h.id = p.household_id AND "          \
                     "h.building_id = ?8)) AND (?9 IS NULL OR "               \
                     "p.household_id = ?9) ORDER BY p.id LIMIT ?4")           \
    SQL(PERSON_BY_ID_NO, PERSON_ROW_SELECT "WHERE p.id_no_blind = ?5 AND "    \
                         "p.node_code >= ?2 AND p.node_code < ?2 || ':' AND " \
                         IN_SCOPE("p.node_code", 1) " AND p.id > ?3 "         \
                         "ORDER BY p.id LIMIT ?4")                            \
    SQL(PERSON_BY_PHONE, PERSON_ROW_SELECT "WHERE p.phone_blind = ?5 AND "    \
                         "p.node_code >= ?2 AND p.node_code < ?2 || ':' AND " \
                         IN_SCOPE("p.node_code", 1) " AND p.id > ?3 "         \
                         "ORDER BY p.id LIMIT ?4")                            \
    SQL(PERSON_TOTAL, "SELECT count(*) FROM persons p WHERE p.node_code >= "  \
                      "?2 AND p.node_code < ?2 || ':' AND "                   \
                      IN_SCOPE("p.node_code", 1))                             \
    SQL(PERSON_BY_TAG, "SELECT t.tag, count(*) FROM person_tags t WHERE "     \
                       "t.node_code >= ?2 AND t.node_code < ?2 || ':' AND "   \
                       IN_SCOPE("t.node_code", 1) " GROUP BY t.tag ORDER BY " \
                       "count(*) DESC, t.tag")                                \
    SQL(PERSON_BY_CHILD, "SELECT substr(p.node_code, 1, ?3) AS c, count(*) "  \
                         "FROM persons p WHERE p.node_code >= ?2 AND "        \
                         "p.node_code < ?2 || ':' AND length(p.node_code) "   \
                         ">= ?3 AND " IN_SCOPE("p.node_code", 1)              \
                         " GROUP BY c ORDER BY c")                            \
    SQL(PERSON_SEALED, "SELECT id_no_sealed, phone_sealed FROM persons "      \
                       "WHERE id = ?2 AND " IN_SCOPE("node_code", 1))         \
    SQL(PERSON_INSERT, "INSERT INTO persons(node_code, household_id, "        \
                       "relation, name, sex, birth_date, ethnic, political, " \
                       "residence, id_no_sealed, id_no_blind, id_no_mask, "   \
                       "phone_sealed, phone_blind, phone_mask, created_at, "  \
                       "updated_at, moved_in, moved_out) VALUES (?1, ?2, "    \
                       "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, " \
                       "?15, ?16, ?16, ?17, ?18)")                            \
    SQL(PERSON_UPDATE, "UPDATE persons SET node_code = ?1, household_id = "   \
                       "?2, relation = ?3, name = ?4, sex = ?5, birth_date = " \
                       "?6, ethnic = ?7, political = ?8, residence = ?9, "    \
                       "id_no_sealed = ?10, id_no_blind = ?11, id_no_mask = " \
                       "?12, phone_sealed = ?13, phone_blind = ?14, "         \
                       "phone_mask = ?15, updated_at = ?16, moved_in = ?17, " \
                       "moved_out = ?18, version = version + 1 WHERE id = "   \
                       "?19 AND version = ?20")                               \
    SQL(PERSON_TAGS_CLEAR, "DELETE FROM person_tags WHERE person_id = ?1")    \
    SQL(PERSON_RECORD, "SELECT id, version, node_code, household_id, "        \
                       "relation, name, sex, birth_date, ethnic, political, " \
                       "residence, id_no_sealed, id_no_blind, id_no_mask, "   \
                       "phone_sealed, phone_blind, phone_mask, moved_in, "    \
                       "moved_out, (SELECT group_concat(tag, ',') FROM "      \
                       "person_tags t WHERE t.person_id = persons.id) FROM "  \
                       "persons WHERE id = ?2 AND " IN_SCOPE("node_code", 1))  \
    SQL(HOUSEHOLD_NODE, "SELECT node_code FROM households WHERE id = ?2 AND " \
                        IN_SCOPE("node_code", 1))                             \
    SQL(PERSON_TAG_INSERT, "INSERT INTO person_tags(person_id, tag, "         \
                           "node_code) VALUES (?1, ?2, ?3)")                  \
    SQL(BUILDING_FIND, "SELECT id FROM buildings WHERE node_code >= ?1 AND "   \
                       "node_code < ?1 || ':' AND name = ?2 ORDER BY id "     \
                       "LIMIT 1")                                             \
    SQL(HOUSEHOLD_FIND, "SELECT id, node_code FROM households WHERE "         \
                        "building_id = ?1 AND unit_no IS ?2 AND room = ?3")   \
    SQL(NODE_COUNTS, "SELECT (SELECT count(*) FROM persons WHERE " UNDER(1)   \
                     "), (SELECT count(*) FROM buildings WHERE " UNDER(1)     \
                     "), (SELECT count(*) FROM households WHERE " UNDER(1)    \
                     "), (SELECT count(*) FROM organisations WHERE "          \
                     UNDER(1) "), (SELECT count(*) FROM party_orgs WHERE "    \
                     UNDER(1) ")")                                            \
    SQL(PARTY_MEMBER_PUT, "INSERT INTO party_members(party_org_id, "          \
                          "person_id, node_code, duty, joined_on, "           \
                          "center_household, since) VALUES (?1, ?2, ?3, ?4, " \
                          "?5, ?6, ?7) ON CONFLICT (party_org_id, person_id) " \
                          "DO UPDATE SET duty = excluded.duty, joined_on = "  \
                          "excluded.joined_on, center_household = "           \
                          "excluded.center_household")                        \
    SQL(PARTY_MEMBER_DELETE, "DELETE FROM party_members WHERE party_org_id = " \
                             "?1 AND person_id = ?2")                         \
    SQL(PARTY_MEMBERS, "SELECT m.party_org_id, m.person_id, m.node_code, "    \
                       "m.duty, m.joined_on, m.center_household, p.name, "    \
                       "coalesce(p.household_id, 0) FROM party_members m "    \
                       "JOIN persons p ON p.id = m.person_id WHERE "          \
                       "m.party_org_id = ?1 ORDER BY CASE m.duty WHEN "       \
                       "'secretary' THEN 0 WHEN 'deputy' THEN 1 WHEN "        \
                       "'committee' THEN 2 ELSE 3 END, p.id LIMIT 5000")      \
    SQL(ROSTER_INSERT, "INSERT INTO roster(node_code, person_id, post, "      \
                       "work_phone, building_id, unit_no, since) VALUES "     \
                       "(?1, ?2, ?3, ?4, ?5, ?6, ?7)")                        \
    SQL(ROSTER_HOUSEHOLD, "INSERT INTO roster_households(roster_id, "         \
                          "household_id) VALUES (?1, ?2)")                    \
    SQL(ROSTER_DELETE, "DELETE FROM roster WHERE id = ?2 AND "                \
                       IN_SCOPE("node_code", 1) " RETURNING id, node_code, "  \
                       "person_id, post, work_phone, coalesce(building_id, "  \
                       "0), coalesce(unit_no, 0), since, NULL, NULL, NULL")   \
    SQL(ROSTER_LIST, "SELECT r.id, r.node_code, r.person_id, r.post, "        \
                     "r.work_phone, coalesce(r.building_id, 0), "             \
                     "coalesce(r.unit_no, 0), r.since, p.name, (SELECT "      \
                     "group_concat(household_id) FROM roster_households h "   \
                     "WHERE h.roster_id = r.id), (SELECT name FROM "          \
                     "buildings WHERE id = r.building_id) FROM roster r "     \
                     "JOIN persons p "                                         \
                     "ON p.id = r.person_id WHERE r.node_code = ?1 ORDER BY " \
                     "r.id LIMIT 1000")                                       \
    SQL(GEOMETRY_BUMP, "UPDATE geometry_seq SET seq = seq + 1 WHERE id = 1 "  \
                       "RETURNING seq")                                       \
    SQL(GEOMETRY_PUT, "INSERT INTO node_geometry(node_code, geojson, "        \
                      "area_m2, min_lon, min_lat, max_lon, max_lat, seq, "    \
                      "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "  \
                      "?9) ON CONFLICT (node_code) DO UPDATE SET geojson = "  \
                      "excluded.geojson, area_m2 = excluded.area_m2, "        \
                      "min_lon = excluded.min_lon, min_lat = "                \
                      "excluded.min_lat, max_lon = excluded.max_lon, "        \
                      "max_lat = excluded.max_lat, seq = excluded.seq, "      \
                      "updated_at = excluded.updated_at")                     \
    SQL(GEOMETRY_DELETE, "DELETE FROM node_geometry WHERE node_code = ?1")    \
    SQL(GEOMETRY_GET, GEOMETRY_SELECT "WHERE g.node_code = ?1")               \
    SQL(GEOMETRY_CHILDREN, GEOMETRY_SELECT "WHERE n.parent_code = ?1 AND "    \
                           "n.retired_at IS NULL ORDER BY n.code")            \
    SQL(GEOMETRY_GRIDS, GEOMETRY_SELECT "WHERE n.level = 'grid' AND "         \
                        "n.retired_at IS NULL ORDER BY n.code")               \
    SQL(GEOMETRY_SEQ, "SELECT seq FROM geometry_seq WHERE id = 1")            \
    SQL(BUILDING_POINTS, "SELECT id, node_code, name, address, lon, lat FROM " \
                         "buildings WHERE " UNDER(2) " AND "                   \
                         IN_SCOPE("node_code", 1) " AND lon IS NOT NULL AND " \
                         "lat IS NOT NULL ORDER BY id LIMIT ?3")              \
    SQL(IMPORT_INSERT, "INSERT INTO import_jobs(kind, node_code, actor_id, "  \
                       "state, dry_run, mode, created_at) VALUES (?1, ?2, "   \
                       "?3, ?4, ?5, ?6, ?7)")                                 \
    SQL(IMPORT_UPDATE, "UPDATE import_jobs SET state = ?2, total = ?3, "      \
                       "processed = ?4, ok = ?5, bad = ?6, errors = ?7, "     \
                       "message = ?8, started_at = ?9, finished_at = ?10 "    \
                       "WHERE id = ?1")                                       \
    SQL(IMPORT_GET, IMPORT_SELECT "WHERE id = ?2 AND "                        \
                    IN_SCOPE("node_code", 1))                                 \
    SQL(IMPORT_NEXT, IMPORT_SELECT "WHERE state = 'queued' ORDER BY id "      \
                     "LIMIT 1")                                               \
    SQL(IMPORT_INTERRUPTED, "UPDATE import_jobs SET state = 'failed', "       \
                            "message = 'interrupted', finished_at = ?1 "      \
                            "WHERE state = 'running'")

enum sqlite_stmt {
#define SQL_ENUM(id, text) STMT_##id,
    SQLITE_STATEMENTS(SQL_ENUM)
#undef SQL_ENUM
        STMT__COUNT
};

static const char *const stmt_sql[STMT__COUNT] = {
#define SQL_TEXT(id, text) [STMT_##id] = text,
    SQLITE_STATEMENTS(SQL_TEXT)
#undef SQL_TEXT
};

static const char *const stmt_name[STMT__COUNT] = {
#define SQL_NAME(id, text) [STMT_##id] = #id,
    SQLITE_STATEMENTS(SQL_NAME)
#undef SQL_NAME
};

/* The statements of registry records, built from the field lists of
 * store.h on first use (see record_sql()). */
enum record_op { ROP_INSERT, ROP_UPDATE, ROP_GET, ROP_LIST, ROP__COUNT };

struct sqlite_store {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT__COUNT];
    sqlite3_stmt *rstmt[STORE_KIND__COUNT][ROP__COUNT];
    sqlite3_stmt *xstmt[SQ_EXTRA_STMTS];
};

sqlite3 *
sq_db(struct sqlite_store *sq)
{
    return sq->db;
}

sqlite3_stmt *
sq_extra_stmt(struct sqlite_store *sq, int slot, const char *sql,
              const char *name, struct gg_err *err)
{
    sqlite3_stmt *st = sq->xstmt[slot];
    int rc;

    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                            NULL);
    if (rc != SQLITE_OK) {
        sq_fail(sq, rc, name, err);
        return NULL;
    }
    sq->xstmt[slot] = st;
    return st;
}

/* Maps a SQLite failure to our vocabulary; its text goes to the log only. */
int
sq_fail(struct sqlite_store *sq, int rc, const char *what, struct gg_err *err)
{
    int primary = rc & 0xff;

    /* A constraint is bad input (a duplicate ID number in an import), not
     * trouble with the database: keep the log for the latter. */
    gg_log(primary == SQLITE_CONSTRAINT ? GG_LOG_DEBUG : GG_LOG_WARN,
           "store.sqlite", "op=%s rc=%d msg=\"%s\"", what, rc,
           sqlite3_errmsg(sq->db));
    switch (primary) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return gg_fail(err, GG_EBUSY, "", MSG_BUSY);
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return gg_failf(err, GG_ECONFLICT, "", MSG_DUPLICATE, "%s", what);
        return gg_failf(err, GG_EINVAL, "", MSG_STORE_CONSTRAINT, "%s", what);
    default:
        return gg_fail(err, GG_ESTORE, "", MSG_STORE_UNAVAILABLE);
    }
}

/* Returns the cached statement, reset and unbound, or NULL on failure. */
static sqlite3_stmt *
sq_stmt(struct sqlite_store *sq, enum sqlite_stmt id, struct gg_err *err)
{
    sqlite3_stmt *st = sq->stmt[id];
    int rc;

    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    rc = sqlite3_prepare_v3(sq->db, stmt_sql[id], -1,
                            SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sq_fail(sq, rc, stmt_name[id], err);
        return NULL;
    }
    sq->stmt[id] = st;
    return st;
}

/* Steps a statement that returns no rows. */
int
sq_run(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
       struct gg_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(sq, rc, what, err);
    return 0;
}

static int
sq_exec(struct sqlite_store *sq, sqlite3_stmt *st, enum sqlite_stmt id,
        struct gg_err *err)
{
    return sq_run(sq, st, stmt_name[id], err);
}

/* Runs a statement that changes rows; GG_ENOTFOUND when none changed. */
static int
sq_change(struct sqlite_store *sq, sqlite3_stmt *st, enum sqlite_stmt id,
          int missing, struct gg_err *err)
{
    int rc = sq_exec(sq, st, id, err);
    if (!rc && !sqlite3_changes(sq->db))
        return gg_fail(err, missing, "", missing == GG_ECONFLICT
                                             ? MSG_CONFLICT
                                             : MSG_NOT_FOUND);
    return rc;
}

/* Steps to the one row a statement is after: 0 with the statement on it
 * (read the columns, then reset), GG_ENOTFOUND (field) when there is none,
 * or the failure. */
int
sq_row(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
       const char *field, struct gg_err *err)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return gg_fail(err, GG_ENOTFOUND, field, MSG_NOT_FOUND);
    return sq_fail(sq, rc, what, err);
}

#define STMT_OR_FAIL(sq, st, id)                                              \
    sqlite3_stmt *st = sq_stmt(sq, id, err);                                  \
    if (!st)                                                                  \
    return GG_ESTORE

void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

void
bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

void
bind_blob(sqlite3_stmt *st, int i, const unsigned char *p, size_t n)
{
    if (p && n)
        sqlite3_bind_blob(st, i, p, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

const char *
col_text(struct gg_arena *a, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    return gg_arena_strndup(a, (const char *)t,
                            (size_t)sqlite3_column_bytes(st, i));
}

/* The scope as a JSON array for json_each(); codes are digits only. */
const char *
scope_json(struct gg_arena *a, const struct store_scope *scope)
{
    size_t len = 3;
    char *out, *p;

    for (size_t i = 0; i < scope->n; i++)
        len += strlen(scope->prefixes[i]) + 3;
    out = p = gg_arena_alloc(a, len);
    *p++ = '[';
    for (size_t i = 0; i < scope->n; i++) {
        const char *c = scope->prefixes[i];
        if (strspn(c, "0123456789") != strlen(c))
            continue; /* never matches anything rather than inject */
        p += snprintf(p, len - (size_t)(p - out), "%s\"%s\"",
                      p == out + 1 ? "" : ",", c);
    }
    *p++ = ']';
    *p = '\0';
    return out;
}

/* ---- schema ---- */

int
sq_exec_sql(struct sqlite_store *sq, const char *sql, const char *what,
            struct gg_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(sq->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        gg_log(GG_LOG_ERROR, "store.sqlite", "op=%s rc=%d msg=\"%s\"", what,
               rc, msg ? msg : "");
        sqlite3_free(msg);
        return gg_failf(err, GG_ESTORE, "", MSG_DB_MIGRATION_FAILED, "%s",
                        what);
    }
    return 0;
}

static int
sq_schema_version(struct store *s, int *out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st;
    int rc;

    *out = 0;
    /* No schema table yet: a new, empty database. */
    if (sqlite3_table_column_metadata(sq->db, NULL, "schema_migrations",
                                      "version", NULL, NULL, NULL, NULL,
                                      NULL) != SQLITE_OK)
        return 0;
    st = sq_stmt(sq, STMT_SCHEMA_VERSION, err);
    if (!st)
        return GG_ESTORE;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return sq_fail(sq, rc, "schema_version", err);
    }
    *out = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

int
store_sqlite_schema_latest(void)
{
    return store_sqlite_migration_count;
}

static int
sq_migrate(struct store *s, int *from, int *to, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    int current, rc;

    rc = sq_exec_sql(sq,
                     "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS "
                     "schema_migrations (version INTEGER PRIMARY KEY, name "
                     "TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                     "schema_migrations", err);
    if (rc)
        return rc;
    rc = sq_schema_version(s, &current, err);
    if (rc)
        goto fail;
    *from = *to = current;
    if (current > store_sqlite_migration_count) {
        rc = gg_failf(err, GG_EINVAL, "db", MSG_DB_SCHEMA_NEW, "%d", current);
        goto fail;
    }
    for (int i = current; i < store_sqlite_migration_count; i++) {
        const struct store_migration *m = &store_sqlite_migrations[i];
        char *record;

        rc = sq_exec_sql(sq, m->sql, m->name, err);
        if (rc)
            goto fail;
        record = sqlite3_mprintf("INSERT INTO schema_migrations VALUES "
                                 "(%d, %Q, unixepoch())",
                                 m->version, m->name);
        rc = sq_exec_sql(sq, record, m->name, err);
        sqlite3_free(record);
        if (rc)
            goto fail;
        gg_log(GG_LOG_INFO, "store.migrate", "version=%d name=%s", m->version,
               m->name);
        *to = m->version;
    }
    rc = sq_exec_sql(sq, "COMMIT", "commit", err);
    if (rc)
        goto fail;
    /* Statements prepared before the schema changed are stale. */
    for (int i = 0; i < STMT__COUNT; i++) {
        sqlite3_finalize(sq->stmt[i]);
        sq->stmt[i] = NULL;
    }
    return 0;
fail:
    sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
    *to = *from;
    return rc;
}

static int
sq_check(struct store *s, struct gg_buf *report, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    static const char *const checks[] = {"PRAGMA quick_check",
                                         "PRAGMA foreign_key_check"};
    int problems = 0;

    for (size_t i = 0; i < GG_ARRAY_LEN(checks); i++) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(sq->db, checks[i], -1, &st, NULL);
        if (rc != SQLITE_OK)
            return sq_fail(sq, rc, checks[i], err);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            if (i == 0 && t && !strcmp(t, "ok"))
                continue;
            problems++;
            if (gg_buf_addf(report, "%s: %s%s%s\n", checks[i] + 7,
                            t ? t : "", i ? " row " : "",
                            i ? (const char *)sqlite3_column_text(st, 1) : ""))
                break;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW)
            return sq_fail(sq, rc, checks[i], err);
    }
    if (problems)
        return gg_failf(err, GG_ESTORE, "db", MSG_DB_CORRUPT, "%d", problems);
    return 0;
}

static int
sq_count_roots(struct store *s, int64_t *nodes, int64_t *persons,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_COUNT_ROOTS, err);
    int rc;

    if (!st)
        return GG_ESTORE;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return sq_fail(sq, rc, "count_roots", err);
    }
    *nodes = sqlite3_column_int64(st, 0);
    *persons = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return 0;
}

/* ---- transactions ---- */

static int
sq_simple(struct store *s, enum sqlite_stmt id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, id, err);
    if (!st)
        return GG_ESTORE;
    return sq_exec(sq, st, id, err);
}

static int
sq_step_begin(struct store *s, struct gg_err *err)
{
    return sq_simple(s, STMT_STEP_BEGIN, err);
}

static int
sq_step_keep(struct store *s, struct gg_err *err)
{
    return sq_simple(s, STMT_STEP_KEEP, err);
}

/* Undoes the step and ends it. */
static int
sq_step_undo(struct store *s, struct gg_err *err)
{
    int rc = sq_simple(s, STMT_STEP_UNDO, err);
    return rc ? rc : sq_simple(s, STMT_STEP_KEEP, err);
}

static int
sq_begin(struct store *s, struct gg_err *err)
{
    return sq_simple(s, STMT_BEGIN, err);
}

static int
sq_commit(struct store *s, struct gg_err *err)
{
    return sq_simple(s, STMT_COMMIT, err);
}

static int
sq_rollback(struct store *s, struct gg_err *err)
{
    if (sqlite3_get_autocommit(SQ(s)->db))
        return 0;
    return sq_simple(s, STMT_ROLLBACK, err);
}

static int
sq_read_begin(struct store *s, struct gg_err *err)
{
    if (!sqlite3_get_autocommit(SQ(s)->db))
        return 0; /* already inside a transaction */
    return sq_simple(s, STMT_READ_BEGIN, err);
}

static int
sq_read_end(struct store *s, struct gg_err *err)
{
    if (sqlite3_get_autocommit(SQ(s)->db))
        return 0;
    return sq_simple(s, STMT_COMMIT, err);
}

/* ---- nodes ---- */

static int
sq_node_insert(struct store *s, const struct store_node *n, int64_t now,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_NODE_INSERT, err);

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, n->code);
    bind_text(st, 2, n->parent_code);
    bind_text(st, 3, store_node_level_name(n->level));
    bind_text(st, 4, n->name);
    sqlite3_bind_int64(st, 5, now);
    return sq_exec(sq, st, STMT_NODE_INSERT, err);
}

static void
read_node(struct gg_arena *a, sqlite3_stmt *st, struct store_node *n)
{
    n->code = col_text(a, st, 0);
    n->parent_code = col_text(a, st, 1);
    if (store_node_level_parse((const char *)sqlite3_column_text(st, 2),
                               &n->level))
        n->level = NODE_GRID;
    n->name = col_text(a, st, 3);
    n->version = sqlite3_column_int64(st, 4);
    n->chief_person_id = sqlite3_column_int64(st, 5);
    n->child_count = sqlite3_column_int64(st, 6);
}

static int
sq_node_get(struct store *s, const struct store_scope *scope, const char *code,
            struct gg_arena *a, struct store_node **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_NODE_GET, err);
    int rc;

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, code);
    bind_text(st, 2, scope_json(a, scope));
    rc = sq_row(sq, st, "node_get", "code", err);
    if (!rc) {
        *out = gg_arena_alloc(a, sizeof(**out));
        read_node(a, st, *out);
    }
    sqlite3_reset(st);
    return rc;
}

/* Collects rows into an arena array, growing by doubling. */
int
sq_collect(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
           struct gg_arena *a, size_t size,
           void (*read)(struct gg_arena *, sqlite3_stmt *, void *),
           void **out, size_t *n, struct gg_err *err)
{
    size_t cap = 16, count = 0;
    char *items = gg_arena_alloc(a, cap * size);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            char *bigger = gg_arena_alloc(a, cap * 2 * size);
            memcpy(bigger, items, cap * size);
            items = bigger;
            cap *= 2;
        }
        read(a, st, items + count * size);
        count++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(sq, rc, what, err);
    *out = items;
    *n = count;
    return 0;
}

static void
read_node_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    read_node(a, st, item);
}

static int
sq_node_children(struct store *s, const struct store_scope *scope,
                 const char *parent, struct gg_arena *a,
                 struct store_node **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_NODE_CHILDREN, err);
    void *items = NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, parent && *parent ? parent : NULL);
    bind_text(st, 2, scope_json(a, scope));
    rc = sq_collect(sq, st, "node_children", a, sizeof(struct store_node),
                    read_node_cb, &items, n, err);
    *out = items;
    return rc;
}

/* ---- accounts and sessions ---- */

static int
sq_insert_id(struct sqlite_store *sq, sqlite3_stmt *st, enum sqlite_stmt id,
             int64_t *out, struct gg_err *err)
{
    int rc = sq_exec(sq, st, id, err);
    if (!rc && out)
        *out = sqlite3_last_insert_rowid(sq->db);
    return rc;
}

static int
sq_account_insert(struct store *s, const struct store_account *acct,
                  int64_t now, int64_t *id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ACCOUNT_INSERT, err);

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, acct->username);
    bind_text(st, 2, acct->display_name);
    bind_text(st, 3, acct->password_hash);
    bind_id(st, 4, acct->person_id);
    sqlite3_bind_int(st, 5, acct->disabled);
    sqlite3_bind_int(st, 6, acct->must_change_password);
    bind_text(st, 7, acct->home_node);
    sqlite3_bind_int64(st, 8, now);
    return sq_insert_id(sq, st, STMT_ACCOUNT_INSERT, id, err);
}

struct store_blob
col_blob(struct gg_arena *a, sqlite3_stmt *st, int i)
{
    struct store_blob b = {NULL, 0};
    const void *p = sqlite3_column_blob(st, i);
    int n = sqlite3_column_bytes(st, i);

    if (p && n > 0) {
        unsigned char *copy = gg_arena_alloc(a, (size_t)n);
        memcpy(copy, p, (size_t)n);
        b.data = copy;
        b.len = (size_t)n;
    }
    return b;
}

static void
read_account_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_account *acct = item;
    acct->id = sqlite3_column_int64(st, 0);
    acct->username = col_text(a, st, 1);
    acct->display_name = col_text(a, st, 2);
    acct->password_hash = col_text(a, st, 3);
    acct->person_id = sqlite3_column_int64(st, 4);
    acct->disabled = sqlite3_column_int(st, 5);
    acct->must_change_password = sqlite3_column_int(st, 6);
    acct->version = sqlite3_column_int64(st, 7);
    acct->home_node = col_text(a, st, 8);
    acct->password_changed_at = sqlite3_column_int64(st, 9);
    acct->failed_logins = sqlite3_column_int64(st, 10);
    acct->locked_until = sqlite3_column_int64(st, 11);
    acct->totp_secret = col_blob(a, st, 12);
    acct->totp_pending = col_blob(a, st, 13);
    acct->totp_last_step = sqlite3_column_int64(st, 14);
    acct->created_at = sqlite3_column_int64(st, 15);
}

/* Steps a statement expected to return at most one row into item. */
int
sq_one(struct sqlite_store *sq, sqlite3_stmt *st, const char *what,
       struct gg_arena *a, size_t size,
       void (*read)(struct gg_arena *, sqlite3_stmt *, void *), void **out,
       struct gg_err *err)
{
    int rc = sq_row(sq, st, what, "", err);

    *out = NULL;
    if (!rc) {
        *out = gg_arena_alloc(a, size);
        read(a, st, *out);
    }
    sqlite3_reset(st);
    return rc;
}

/* One row by id among those in scope (?1 the scope, ?2 the id). */
static int
sq_one_scoped(struct sqlite_store *sq, enum sqlite_stmt id_stmt,
              const struct store_scope *scope, int64_t id, struct gg_arena *a,
              size_t size,
              void (*read)(struct gg_arena *, sqlite3_stmt *, void *),
              void **out, struct gg_err *err)
{
    sqlite3_stmt *st = sq_stmt(sq, id_stmt, err);

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    return sq_one(sq, st, stmt_name[id_stmt], a, size, read, out, err);
}

static int
sq_account_read(struct sqlite_store *sq, sqlite3_stmt *st, struct gg_arena *a,
                struct store_account **out, struct gg_err *err)
{
    void *item;
    int rc = sq_one(sq, st, "account", a, sizeof(**out), read_account_cb,
                    &item, err);
    *out = item;
    return rc;
}

static int
sq_account_by_username(struct store *s, const char *username,
                       struct gg_arena *a, struct store_account **out,
                       struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ACCOUNT_BY_USERNAME, err);

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, username);
    return sq_account_read(sq, st, a, out, err);
}

static int
sq_account_by_id(struct store *s, int64_t id, struct gg_arena *a,
                 struct store_account **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ACCOUNT_BY_ID, err);

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    return sq_account_read(sq, st, a, out, err);
}

static int
sq_role_grant(struct store *s, int64_t account_id, const char *role,
              const char *node_code, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ROLE_GRANT, err);

    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, role);
    bind_text(st, 3, node_code);
    sqlite3_bind_int64(st, 4, now);
    return sq_exec(sq, st, STMT_ROLE_GRANT, err);
}

static void
read_role_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_role *r = item;
    r->role = col_text(a, st, 0);
    r->node_code = col_text(a, st, 1);
    r->node_name = col_text(a, st, 2);
    if (store_node_level_parse((const char *)sqlite3_column_text(st, 3),
                               &r->node_level))
        r->node_level = NODE_GRID;
}

static int
sq_account_roles(struct store *s, int64_t account_id, struct gg_arena *a,
                 struct store_role **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ACCOUNT_ROLES, err);
    void *items = NULL;
    int rc;

    *out = NULL;
    *n = 0;
    if (!st)
        return GG_ESTORE;
    sqlite3_bind_int64(st, 1, account_id);
    rc = sq_collect(sq, st, "account_roles", a, sizeof(struct store_role),
                    read_role_cb, &items, n, err);
    *out = items;
    return rc;
}

static int
sq_session_insert(struct store *s, const struct store_session *sess,
                  struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_SESSION_INSERT, err);

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, sess->token_hash);
    sqlite3_bind_int64(st, 2, sess->account_id);
    bind_text(st, 3, sess->csrf_token);
    sqlite3_bind_int64(st, 4, sess->created_at);
    sqlite3_bind_int64(st, 5, sess->last_seen_at);
    sqlite3_bind_int64(st, 6, sess->expires_at);
    sqlite3_bind_int64(st, 7, sess->idle_s);
    bind_text(st, 8, sess->user_agent);
    bind_text(st, 9, sess->ip);
    return sq_exec(sq, st, STMT_SESSION_INSERT, err);
}

static void
read_session_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_session *sess = item;
    sess->token_hash = col_text(a, st, 0);
    sess->account_id = sqlite3_column_int64(st, 1);
    sess->csrf_token = col_text(a, st, 2);
    sess->created_at = sqlite3_column_int64(st, 3);
    sess->last_seen_at = sqlite3_column_int64(st, 4);
    sess->expires_at = sqlite3_column_int64(st, 5);
    sess->idle_s = sqlite3_column_int64(st, 6);
    sess->user_agent = col_text(a, st, 7);
    sess->ip = col_text(a, st, 8);
}

static int
sq_session_get(struct store *s, const char *token_hash, int64_t now,
               struct gg_arena *a, struct store_session **out,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_SESSION_GET, err);
    void *item;
    int rc;

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    rc = sq_one(sq, st, "session_get", a, sizeof(**out), read_session_cb,
                &item, err);
    *out = item;
    return rc;
}

static int
sq_session_touch(struct store *s, const char *token_hash, int64_t now,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_SESSION_TOUCH, err);

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, now);
    return sq_exec(sq, st, STMT_SESSION_TOUCH, err);
}

static int
sq_session_delete(struct store *s, const char *token_hash, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_SESSION_DELETE, err);

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, token_hash);
    return sq_exec(sq, st, STMT_SESSION_DELETE, err);
}

/* ---- registry ---- */

static void
bind_sealed(sqlite3_stmt *st, int i, const struct store_sealed *v)
{
    bind_blob(st, i, v->sealed, v->sealed_len);
    bind_blob(st, i + 1, v->blind, v->blind ? 16 : 0);
    bind_text(st, i + 2, v->mask);
}

/* Binds ?1..?18 of PERSON_INSERT / PERSON_UPDATE. */
static void
bind_person(sqlite3_stmt *st, const struct store_person *p, int64_t now)
{
    bind_text(st, 1, p->node_code);
    bind_id(st, 2, p->household_id);
    bind_text(st, 3, p->relation);
    bind_text(st, 4, p->name);
    bind_text(st, 5, p->sex);
    bind_text(st, 6, p->birth_date);
    bind_text(st, 7, p->ethnic);
    bind_text(st, 8, p->political);
    bind_text(st, 9, p->residence);
    bind_sealed(st, 10, &p->id_no);
    bind_sealed(st, 13, &p->phone);
    sqlite3_bind_int64(st, 16, now);
    bind_text(st, 17, p->moved_in);
    bind_text(st, 18, p->moved_out);
}

static int
sq_person_tags(struct sqlite_store *sq, int64_t pid,
               const struct store_person *p, struct gg_err *err)
{
    int rc;

    for (size_t i = 0; i < p->n_tags; i++) {
        STMT_OR_FAIL(sq, st, STMT_PERSON_TAG_INSERT);
        sqlite3_bind_int64(st, 1, pid);
        bind_text(st, 2, p->tags[i]);
        bind_text(st, 3, p->node_code);
        rc = sq_exec(sq, st, STMT_PERSON_TAG_INSERT, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int
sq_person_insert(struct store *s, const struct store_person *p, int64_t now,
                 int64_t *id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_PERSON_INSERT);
    int64_t pid;
    int rc;

    bind_person(st, p, now);
    rc = sq_insert_id(sq, st, STMT_PERSON_INSERT, &pid, err);
    if (!rc)
        rc = sq_person_tags(sq, pid, p, err);
    if (!rc && id)
        *id = pid;
    return rc;
}

static int
sq_person_update(struct store *s, const struct store_person *p, int64_t now,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    int rc;

    {
        STMT_OR_FAIL(sq, st, STMT_PERSON_UPDATE);
        bind_person(st, p, now);
        sqlite3_bind_int64(st, 19, p->id);
        sqlite3_bind_int64(st, 20, p->version);
        rc = sq_change(sq, st, STMT_PERSON_UPDATE, GG_ECONFLICT, err);
        if (rc)
            return rc;
    }
    {
        STMT_OR_FAIL(sq, st, STMT_PERSON_TAGS_CLEAR);
        sqlite3_bind_int64(st, 1, p->id);
        rc = sq_exec(sq, st, STMT_PERSON_TAGS_CLEAR, err);
        if (rc)
            return rc;
    }
    return sq_person_tags(sq, p->id, p, err);
}

static struct store_sealed
col_sealed(struct gg_arena *a, sqlite3_stmt *st, int i)
{
    struct store_sealed v = {0};
    struct store_blob sealed = col_blob(a, st, i);
    struct store_blob blind = col_blob(a, st, i + 1);
    v.sealed = sealed.data;
    v.sealed_len = sealed.len;
    v.blind = blind.data;
    v.mask = col_text(a, st, i + 2);
    return v;
}

static void
read_person_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_person *p = item;
    const char *tags = col_text(a, st, 19);
    const char **list;
    size_t n = 0;

    p->id = sqlite3_column_int64(st, 0);
    p->version = sqlite3_column_int64(st, 1);
    p->node_code = col_text(a, st, 2);
    p->household_id = sqlite3_column_int64(st, 3);
    p->relation = col_text(a, st, 4);
    p->name = col_text(a, st, 5);
    p->sex = col_text(a, st, 6);
    p->birth_date = col_text(a, st, 7);
    p->ethnic = col_text(a, st, 8);
    p->political = col_text(a, st, 9);
    p->residence = col_text(a, st, 10);
    p->id_no = col_sealed(a, st, 11);
    p->phone = col_sealed(a, st, 14);
    p->moved_in = col_text(a, st, 17);
    p->moved_out = col_text(a, st, 18);
    list = gg_arena_alloc(a, (tags ? strlen(tags) / 2 + 2 : 1) *
                                 sizeof(*list));
    for (char *t = (char *)tags; t && *t;) {
        char *comma = strchr(t, ',');
        list[n++] = t;
        if (!comma)
            break;
        *comma = '\0';
        t = comma + 1;
    }
    p->tags = list;
    p->n_tags = n;
}

static int
sq_person_record(struct store *s, const struct store_scope *scope, int64_t id,
                 struct gg_arena *a, struct store_person **out,
                 struct gg_err *err)
{
    void *item;
    int rc = sq_one_scoped(SQ(s), STMT_PERSON_RECORD, scope, id, a, sizeof(**out),
                           read_person_cb, &item, err);
    *out = item;
    return rc;
}

static int
sq_household_node(struct store *s, const struct store_scope *scope,
                  int64_t id, struct gg_arena *a, const char **node,
                  struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_HOUSEHOLD_NODE);
    int rc;

    *node = NULL;
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    rc = sq_row(sq, st, "household_node", "household_id", err);
    if (!rc)
        *node = col_text(a, st, 0);
    sqlite3_reset(st);
    return rc;
}

/* ---- account security ---- */

static int
sq_account_login_failed(struct store *s, int64_t id, int64_t now, int limit,
                        int64_t lock_s, int64_t *locked_until,
                        struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_LOGIN_FAILED);
    int rc;

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, limit);
    sqlite3_bind_int64(st, 4, lock_s);
    rc = sqlite3_step(st);
    *locked_until = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(sq, rc, "account_login_failed", err);
    return 0;
}

static int
sq_account_login_ok(struct store *s, int64_t id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_LOGIN_OK);
    sqlite3_bind_int64(st, 1, id);
    return sq_exec(sq, st, STMT_ACCOUNT_LOGIN_OK, err);
}

static int
sq_account_set_password(struct store *s, int64_t id, const char *hash,
                        int must_change, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_SET_PASSWORD);
    sqlite3_bind_int64(st, 1, id);
    bind_text(st, 2, hash);
    sqlite3_bind_int(st, 3, must_change);
    sqlite3_bind_int64(st, 4, now);
    return sq_change(sq, st, STMT_ACCOUNT_SET_PASSWORD, GG_ENOTFOUND, err);
}

static int
sq_account_set_totp(struct store *s, int64_t id, int pending,
                    const struct store_blob *secret, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    enum sqlite_stmt which =
        pending ? STMT_ACCOUNT_SET_TOTP_PENDING : STMT_ACCOUNT_SET_TOTP;
    STMT_OR_FAIL(sq, st, which);
    sqlite3_bind_int64(st, 1, id);
    if (secret)
        bind_blob(st, 2, secret->data, secret->len);
    else
        sqlite3_bind_null(st, 2);
    return sq_change(sq, st, which, GG_ENOTFOUND, err);
}

static int
sq_account_totp_step(struct store *s, int64_t id, int64_t step,
                     struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_TOTP_STEP);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, step);
    return sq_change(sq, st, STMT_ACCOUNT_TOTP_STEP, GG_ECONFLICT, err);
}

static int
sq_account_update(struct store *s, int64_t id, int64_t version,
                  const char *display_name, int disabled, int64_t now,
                  struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_UPDATE);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, version);
    bind_text(st, 3, display_name);
    sqlite3_bind_int(st, 4, disabled);
    sqlite3_bind_int64(st, 5, now);
    return sq_change(sq, st, STMT_ACCOUNT_UPDATE, GG_ECONFLICT, err);
}

static int
sq_account_unlock(struct store *s, int64_t id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_UNLOCK);
    sqlite3_bind_int64(st, 1, id);
    return sq_change(sq, st, STMT_ACCOUNT_UNLOCK, GG_ENOTFOUND, err);
}

static int
sq_account_list(struct store *s, const struct store_scope *scope,
                const char *q, int64_t after, int limit, struct gg_arena *a,
                struct store_account **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_LIST);
    void *items = NULL;
    int rc;

    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, after);
    bind_text(st, 3, q && *q ? q : NULL);
    sqlite3_bind_int(st, 4, limit);
    rc = sq_collect(sq, st, "account_list", a, sizeof(**out),
                    read_account_cb, &items, n, err);
    *out = items;
    return rc;
}

static int
sq_account_get_scoped(struct store *s, const struct store_scope *scope,
                      int64_t id, struct gg_arena *a,
                      struct store_account **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ACCOUNT_GET_SCOPED);
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    return sq_account_read(sq, st, a, out, err);
}

static int
sq_account_roles_replace(struct store *s, int64_t id, int64_t version,
                         const struct store_grant *grants, size_t n,
                         int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    int rc;

    {
        STMT_OR_FAIL(sq, st, STMT_ACCOUNT_BUMP);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, version);
        sqlite3_bind_int64(st, 3, now);
        rc = sq_change(sq, st, STMT_ACCOUNT_BUMP, GG_ECONFLICT, err);
        if (rc)
            return rc;
    }
    {
        STMT_OR_FAIL(sq, st, STMT_ROLES_CLEAR);
        sqlite3_bind_int64(st, 1, id);
        rc = sq_exec(sq, st, STMT_ROLES_CLEAR, err);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < n; i++) {
        rc = sq_role_grant(s, id, grants[i].role, grants[i].node_code, now,
                           err);
        if (rc)
            return rc;
    }
    return 0;
}

static int
sq_session_list(struct store *s, int64_t account_id, int64_t now,
                struct gg_arena *a, struct store_session **out, size_t *n,
                struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_SESSION_LIST);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, account_id);
    sqlite3_bind_int64(st, 2, now);
    rc = sq_collect(sq, st, "session_list", a, sizeof(**out),
                    read_session_cb, &items, n, err);
    *out = items;
    return rc;
}

static int
sq_session_delete_prefix(struct store *s, int64_t account_id,
                         const char *prefix, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_SESSION_DELETE_PREFIX);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, prefix);
    return sq_change(sq, st, STMT_SESSION_DELETE_PREFIX, GG_ENOTFOUND, err);
}

static int
sq_session_delete_account(struct store *s, int64_t account_id,
                          const char *keep_hash, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_SESSION_DELETE_ACCOUNT);
    sqlite3_bind_int64(st, 1, account_id);
    bind_text(st, 2, keep_hash);
    return sq_exec(sq, st, STMT_SESSION_DELETE_ACCOUNT, err);
}

static int
sq_login_attempt(struct store *s, const char *address, int64_t now,
                 int64_t window_s, int64_t *count, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_LOGIN_ATTEMPT);
    int rc;

    bind_text(st, 1, address);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, window_s);
    rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return sq_fail(sq, rc, "login_attempt", err);
    return 0;
}

/* ---- API keys ---- */

static void
read_apikey_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_apikey *k = item;
    k->id = sqlite3_column_int64(st, 0);
    k->name = col_text(a, st, 1);
    k->prefix = col_text(a, st, 2);
    k->key_hash = col_text(a, st, 3);
    k->scopes = col_text(a, st, 4);
    k->node_code = col_text(a, st, 5);
    k->expires_at = sqlite3_column_int64(st, 6);
    k->created_at = sqlite3_column_int64(st, 7);
    k->created_by = sqlite3_column_int64(st, 8);
    k->last_used_at = sqlite3_column_int64(st, 9);
    k->revoked_at = sqlite3_column_int64(st, 10);
}

static int
sq_apikey_insert(struct store *s, const struct store_apikey *k, int64_t *id,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_APIKEY_INSERT);
    bind_text(st, 1, k->name);
    bind_text(st, 2, k->prefix);
    bind_text(st, 3, k->key_hash);
    bind_text(st, 4, k->scopes);
    bind_text(st, 5, k->node_code);
    sqlite3_bind_int64(st, 6, k->expires_at);
    sqlite3_bind_int64(st, 7, k->created_at);
    bind_id(st, 8, k->created_by);
    return sq_insert_id(sq, st, STMT_APIKEY_INSERT, id, err);
}

static int
sq_apikey_list(struct store *s, const struct store_scope *scope,
               struct gg_arena *a, struct store_apikey **out, size_t *n,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_APIKEY_LIST);
    void *items = NULL;
    int rc;

    bind_text(st, 1, scope_json(a, scope));
    rc = sq_collect(sq, st, "apikey_list", a, sizeof(**out), read_apikey_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

static int
sq_apikey_by_hash(struct store *s, const char *key_hash, int64_t now,
                  struct gg_arena *a, struct store_apikey **out,
                  struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_APIKEY_BY_HASH);
    void *item;
    int rc;

    bind_text(st, 1, key_hash);
    sqlite3_bind_int64(st, 2, now);
    rc = sq_one(sq, st, "apikey_by_hash", a, sizeof(**out), read_apikey_cb,
                &item, err);
    *out = item;
    return rc;
}

static int
sq_apikey_revoke(struct store *s, const struct store_scope *scope, int64_t id,
                 int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    struct gg_arena *a = gg_arena_new(512);
    int rc;
    sqlite3_stmt *st = sq_stmt(sq, STMT_APIKEY_REVOKE, err);

    if (!st) {
        gg_arena_free(a);
        return GG_ESTORE;
    }
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, now);
    rc = sq_change(sq, st, STMT_APIKEY_REVOKE, GG_ENOTFOUND, err);
    gg_arena_free(a);
    return rc;
}

static int
sq_apikey_touch(struct store *s, int64_t id, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_APIKEY_TOUCH);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    return sq_exec(sq, st, STMT_APIKEY_TOUCH, err);
}

/* ---- audit log ---- */

static int
sq_pair(struct sqlite_store *sq, enum sqlite_stmt id, int64_t *seq,
        char *hash, size_t cap, struct gg_err *err)
{
    STMT_OR_FAIL(sq, st, id);
    int rc = sqlite3_step(st);

    *seq = 0;
    hash[0] = '\0';
    if (rc == SQLITE_ROW) {
        const unsigned char *h = sqlite3_column_text(st, 1);
        *seq = sqlite3_column_int64(st, 0);
        snprintf(hash, cap, "%s", h ? (const char *)h : "");
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        rc = 0;
    } else {
        sqlite3_reset(st);
        return sq_fail(sq, rc, stmt_name[id], err);
    }
    sqlite3_reset(st);
    return rc;
}

static int
sq_audit_anchor(struct store *s, int64_t *seq, char *hash, size_t cap,
                struct gg_err *err)
{
    int rc = sq_pair(SQ(s), STMT_AUDIT_ANCHOR, seq, hash, cap, err);
    return rc < 0 ? rc : 0;
}

static int
sq_audit_last(struct store *s, int64_t *seq, char *hash, size_t cap,
              struct gg_err *err)
{
    int rc = sq_pair(SQ(s), STMT_AUDIT_LAST, seq, hash, cap, err);
    if (rc == 0)
        return sq_audit_anchor(s, seq, hash, cap, err);
    return rc < 0 ? rc : 0;
}

static int
sq_audit_insert(struct store *s, const struct store_audit *r,
                struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_AUDIT_INSERT);
    sqlite3_bind_int64(st, 1, r->seq);
    sqlite3_bind_int64(st, 2, r->at);
    bind_id(st, 3, r->actor_id);
    bind_text(st, 4, r->actor);
    bind_text(st, 5, r->action);
    bind_text(st, 6, r->target);
    bind_text(st, 7, r->detail);
    bind_text(st, 8, r->ip);
    bind_text(st, 9, r->prev_hash);
    bind_text(st, 10, r->hash);
    return sq_exec(sq, st, STMT_AUDIT_INSERT, err);
}

static void
read_audit_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_audit *r = item;
    r->seq = sqlite3_column_int64(st, 0);
    r->at = sqlite3_column_int64(st, 1);
    r->actor_id = sqlite3_column_int64(st, 2);
    r->actor = col_text(a, st, 3);
    r->action = col_text(a, st, 4);
    r->target = col_text(a, st, 5);
    r->detail = col_text(a, st, 6);
    r->ip = col_text(a, st, 7);
    r->prev_hash = col_text(a, st, 8);
    r->hash = col_text(a, st, 9);
}

static int
sq_audit_list(struct store *s, const struct store_audit_filter *f,
              struct gg_arena *a, struct store_audit **out, size_t *n,
              struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_AUDIT_LIST);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, f->from_ms);
    sqlite3_bind_int64(st, 2, f->to_ms);
    bind_text(st, 3, f->actor);
    bind_text(st, 4, f->action);
    sqlite3_bind_int64(st, 5, f->before_seq);
    sqlite3_bind_int(st, 6, f->limit);
    rc = sq_collect(sq, st, "audit_list", a, sizeof(**out), read_audit_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

static int
sq_audit_walk(struct store *s, int64_t after,
              int (*fn)(void *ctx, const struct store_audit *r), void *ctx,
              struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);

    for (;;) {
        struct gg_arena *a = gg_arena_new(1 << 16);
        struct store_audit *rows;
        size_t n = 0;
        void *items = NULL;
        int rc;
        sqlite3_stmt *st = sq_stmt(sq, STMT_AUDIT_WALK, err);

        if (!st) {
            gg_arena_free(a);
            return GG_ESTORE;
        }
        sqlite3_bind_int64(st, 1, after);
        rc = sq_collect(sq, st, "audit_walk", a, sizeof(*rows),
                        read_audit_cb, &items, &n, err);
        rows = items;
        for (size_t i = 0; !rc && i < n; i++) {
            rc = fn(ctx, &rows[i]);
            after = rows[i].seq;
        }
        gg_arena_free(a);
        if (rc || n == 0)
            return rc;
    }
}

static int
sq_audit_archived(struct store *s, int64_t seq, const char *hash,
                  struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    char num[24];
    int rc;

    snprintf(num, sizeof(num), "%" PRId64, seq);
    {
        STMT_OR_FAIL(sq, st, STMT_AUDIT_SET_META);
        bind_text(st, 1, "archived_through");
        bind_text(st, 2, num);
        rc = sq_exec(sq, st, STMT_AUDIT_SET_META, err);
        if (rc)
            return rc;
    }
    {
        STMT_OR_FAIL(sq, st, STMT_AUDIT_SET_META);
        bind_text(st, 1, "anchor_hash");
        bind_text(st, 2, hash);
        rc = sq_exec(sq, st, STMT_AUDIT_SET_META, err);
        if (rc)
            return rc;
    }
    {
        STMT_OR_FAIL(sq, st, STMT_AUDIT_DELETE_THROUGH);
        sqlite3_bind_int64(st, 1, seq);
        return sq_exec(sq, st, STMT_AUDIT_DELETE_THROUGH, err);
    }
}

/* ---- persons ---- */

static void
read_person_row_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_person_row *p = item;
    p->id = sqlite3_column_int64(st, 0);
    p->node_code = col_text(a, st, 1);
    p->name = col_text(a, st, 2);
    p->sex = col_text(a, st, 3);
    p->birth_date = col_text(a, st, 4);
    p->residence = col_text(a, st, 5);
    p->id_no_mask = col_text(a, st, 6);
    p->phone_mask = col_text(a, st, 7);
    p->tags = col_text(a, st, 8);
    p->relation = col_text(a, st, 9);
    p->household_id = sqlite3_column_int64(st, 10);
    p->ethnic = col_text(a, st, 11);
    p->political = col_text(a, st, 12);
    p->moved_in = col_text(a, st, 13);
    p->moved_out = col_text(a, st, 14);
    p->building = col_text(a, st, 15);
    p->unit_no = sqlite3_column_int(st, 16);
    p->room = col_text(a, st, 17);
}

static int
sq_person_list(struct store *s, const struct store_scope *scope,
               const struct store_person_filter *f, struct gg_arena *a,
               struct store_person_row **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    enum sqlite_stmt id = f->id_blind      ? STMT_PERSON_BY_ID_NO
                          : f->phone_blind ? STMT_PERSON_BY_PHONE
                                           : STMT_PERSON_LIST;
    STMT_OR_FAIL(sq, st, id);
    void *items = NULL;
    int rc;

    bind_text(st, 1, scope_json(a, scope));
    bind_text(st, 2, f->node);
    sqlite3_bind_int64(st, 3, f->after);
    sqlite3_bind_int(st, 4, f->limit);
    if (f->id_blind || f->phone_blind) {
        bind_blob(st, 5, f->id_blind ? f->id_blind : f->phone_blind, 16);
    } else {
        bind_text(st, 5, f->name_prefix);
        bind_text(st, 6, f->tag);
        bind_text(st, 7, f->address);
        bind_id(st, 8, f->building);
        bind_id(st, 9, f->household);
    }
    rc = sq_collect(sq, st, "person_list", a, sizeof(**out),
                    read_person_row_cb, &items, n, err);
    *out = items;
    return rc;
}

static void
read_count_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_count *c = item;
    c->key = col_text(a, st, 0);
    c->count = sqlite3_column_int64(st, 1);
}

static int
sq_person_counts(struct store *s, const struct store_scope *scope,
                 const char *node, size_t child_len, struct gg_arena *a,
                 int64_t *total, struct store_count **by_tag, size_t *n_tags,
                 struct store_count **by_child, size_t *n_children,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    const char *json = scope_json(a, scope);
    void *items = NULL;
    int rc;

    *by_tag = *by_child = NULL;
    *n_tags = *n_children = 0;
    {
        STMT_OR_FAIL(sq, st, STMT_PERSON_TOTAL);
        bind_text(st, 1, json);
        bind_text(st, 2, node);
        rc = sqlite3_step(st);
        *total = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return sq_fail(sq, rc, "person_total", err);
    }
    {
        STMT_OR_FAIL(sq, st, STMT_PERSON_BY_TAG);
        bind_text(st, 1, json);
        bind_text(st, 2, node);
        rc = sq_collect(sq, st, "person_by_tag", a, sizeof(**by_tag),
                        read_count_cb, &items, n_tags, err);
        *by_tag = items;
        if (rc)
            return rc;
    }
    if (!child_len)
        return 0;
    {
        STMT_OR_FAIL(sq, st, STMT_PERSON_BY_CHILD);
        bind_text(st, 1, json);
        bind_text(st, 2, node);
        sqlite3_bind_int(st, 3, (int)child_len);
        rc = sq_collect(sq, st, "person_by_child", a, sizeof(**by_child),
                        read_count_cb, &items, n_children, err);
        *by_child = items;
        return rc;
    }
}

static int
sq_person_get(struct store *s, const struct store_scope *scope, int64_t id,
              struct gg_arena *a, struct store_person_row **out,
              struct gg_err *err)
{
    void *item;
    int rc = sq_one_scoped(SQ(s), STMT_PERSON_GET, scope, id, a, sizeof(**out),
                           read_person_row_cb, &item, err);
    *out = item;
    return rc;
}

static int
sq_person_sealed(struct store *s, const struct store_scope *scope, int64_t id,
                 struct gg_arena *a, struct store_blob *id_no,
                 struct store_blob *phone, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_PERSON_SEALED);
    int rc;

    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    rc = sq_row(sq, st, "person_sealed", "id", err);
    if (!rc) {
        *id_no = col_blob(a, st, 0);
        *phone = col_blob(a, st, 1);
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- the hierarchy: changes ---- */

static int
sq_node_update(struct store *s, const char *code, int64_t version,
               const char *name, int64_t chief, int64_t now,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_NODE_UPDATE);
    bind_text(st, 1, code);
    sqlite3_bind_int64(st, 2, version);
    bind_text(st, 3, name);
    sqlite3_bind_int64(st, 4, chief);
    sqlite3_bind_int64(st, 5, now);
    return sq_change(sq, st, STMT_NODE_UPDATE, GG_ECONFLICT, err);
}

static int
sq_node_retire(struct store *s, const char *code, int64_t version,
               int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_NODE_RETIRE);
    bind_text(st, 1, code);
    sqlite3_bind_int64(st, 2, version);
    sqlite3_bind_int64(st, 3, now);
    return sq_change(sq, st, STMT_NODE_RETIRE, GG_ECONFLICT, err);
}

static int
sq_node_holds(struct store *s, const char *code, int64_t *nodes,
              int64_t *rows, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_NODE_HOLDS);
    int rc;

    bind_text(st, 1, code);
    rc = sqlite3_step(st);
    *nodes = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *rows = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq, rc, "node_holds", err);
}

static int
sq_node_code_taken(struct store *s, const char *code, int *taken,
                   struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_NODE_TAKEN);
    int rc;

    bind_text(st, 1, code);
    rc = sqlite3_step(st);
    *taken = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq, rc, "node_code_taken", err);
}

/* Every column that names a node, and the table it is in. */
static const char *const node_columns[][2] = {
    {"buildings", "node_code"},    {"households", "node_code"},
    {"persons", "node_code"},      {"person_tags", "node_code"},
    {"organisations", "node_code"}, {"roster", "node_code"},
    {"party_orgs", "node_code"},   {"party_members", "node_code"},
    {"node_geometry", "node_code"}, {"import_jobs", "node_code"},
    {"record_history", "node_code"},
    {"departments", "node_code"},  {"services", "node_code"},
    {"cases", "node_code"},        {"cases", "level_code"},
    {"points", "node_code"},
    {"role_grants", "node_code"},  {"accounts", "home_node"},
    {"api_keys", "node_code"},
};

static int
sq_node_move(struct store *s, const char *code, const char *new_code,
             const char *new_parent, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    char *sql;
    int rc;

    /* Parents and children change codes in one statement each; the
     * references are checked when the transaction commits. */
    rc = sq_exec_sql(sq, "PRAGMA defer_foreign_keys = ON", "node_move", err);
    if (rc)
        return rc;
    sql = sqlite3_mprintf(
        "UPDATE nodes SET code = %Q || substr(code, %d), parent_code = CASE "
        "WHEN code = %Q THEN %Q ELSE %Q || substr(parent_code, %d) END, "
        "updated_at = %lld, version = version + 1 WHERE code >= %Q AND code "
        "< %Q || ':'",
        new_code, (int)strlen(code) + 1, code, new_parent, new_code,
        (int)strlen(code) + 1, (long long)now, code, code);
    rc = sq_exec_sql(sq, sql, "node_move", err);
    sqlite3_free(sql);
    for (size_t i = 0; !rc && i < GG_ARRAY_LEN(node_columns); i++) {
        sql = sqlite3_mprintf("UPDATE %s SET %s = %Q || substr(%s, %d) WHERE "
                              "%s >= %Q AND %s < %Q || ':'",
                              node_columns[i][0], node_columns[i][1],
                              new_code, node_columns[i][1],
                              (int)strlen(code) + 1, node_columns[i][1], code,
                              node_columns[i][1], code);
        rc = sq_exec_sql(sq, sql, "node_move", err);
        sqlite3_free(sql);
    }
    if (!rc) {
        /* A node's history is keyed by its code: it follows the node. */
        sql = sqlite3_mprintf("UPDATE record_history SET record_id = "
                              "CAST(node_code AS INTEGER) WHERE kind = "
                              "'node' AND node_code >= %Q AND node_code < "
                              "%Q || ':'", new_code, new_code);
        rc = sq_exec_sql(sq, sql, "node_move", err);
        sqlite3_free(sql);
    }
    return rc;
}

static int
sq_history_add(struct store *s, const struct store_change *c,
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_HISTORY_ADD);
    bind_text(st, 1, c->kind);
    sqlite3_bind_int64(st, 2, c->record_id);
    bind_text(st, 3, c->node_code);
    sqlite3_bind_int64(st, 4, c->at);
    bind_id(st, 5, c->actor_id);
    bind_text(st, 6, c->action);
    bind_text(st, 7, c->before);
    bind_text(st, 8, c->after);
    return sq_exec(sq, st, STMT_HISTORY_ADD, err);
}

static void
read_change_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_change *c = item;
    c->id = sqlite3_column_int64(st, 0);
    c->kind = col_text(a, st, 1);
    c->record_id = sqlite3_column_int64(st, 2);
    c->node_code = col_text(a, st, 3);
    c->at = sqlite3_column_int64(st, 4);
    c->actor_id = sqlite3_column_int64(st, 5);
    c->action = col_text(a, st, 6);
    c->before = col_text(a, st, 7);
    c->after = col_text(a, st, 8);
    c->actor = col_text(a, st, 9);
}

static int
sq_history_list(struct store *s, const char *kind, int64_t record_id,
                struct gg_arena *a, struct store_change **out, size_t *n,
                struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_HISTORY_LIST);
    void *items = NULL;
    int rc;

    bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, record_id);
    rc = sq_collect(sq, st, "history_list", a, sizeof(**out), read_change_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

/* ---- registry records ---- */

/* What the backend adds to store.h's field lists for each kind: its table,
 * the count and label columns reads fill in, what q searches, and the
 * columns the kind and parent filters compare. */
static const struct {
    const char *table, *count, *label, *search, *kind_col, *parent_col;
} record_kinds[STORE_KIND__COUNT] = {
    [STORE_KIND_BUILDING] = {"buildings",
        "(SELECT count(*) FROM households h WHERE h.building_id = t.id)",
        "NULL", "(instr(t.name, ?5) > 0 OR instr(t.address, ?5) > 0)",
        "t.kind", "NULL"},
    [STORE_KIND_HOUSEHOLD] = {"households",
        "(SELECT count(*) FROM persons p WHERE p.household_id = t.id)",
        "(SELECT b.name FROM buildings b WHERE b.id = t.building_id)",
        "instr(t.room, ?5) > 0", "NULL", "t.building_id"},
    [STORE_KIND_ORG] = {"organisations", "0", "NULL",
        "(instr(t.name, ?5) > 0 OR instr(coalesce(t.address, ''), ?5) > 0)",
        "t.kind", "NULL"},
    [STORE_KIND_PARTY_ORG] = {"party_orgs",
        "(SELECT count(*) FROM party_members m WHERE m.party_org_id = t.id)",
        "NULL", "instr(t.name, ?5) > 0", "t.kind", "t.parent_id"},
    [STORE_KIND_DEPARTMENT] = {"departments",
        "(SELECT count(*) FROM department_members m WHERE "
        "m.department_id = t.id)", "NULL", "instr(t.name, ?5) > 0", "NULL",
        "NULL"},
    [STORE_KIND_SERVICE] = {"services", "0",
        "(SELECT o.name FROM organisations o WHERE o.id = t.provider_id)",
        "instr(t.name, ?5) > 0", "t.category", "t.provider_id"},
};

static const char *const record_op_name[ROP__COUNT] = {
    "record_insert", "record_update", "record_get", "record_list"};

/* The SQL of one operation on one kind, in memory from sqlite3_mprintf. */
static char *
record_sql(enum store_kind kind, enum record_op op)
{
    const struct store_field *f = store_kind_fields[kind];
    int nf = (int)store_kind_nfields[kind];
    char cols[512] = "", vals[256] = "", sets[768] = "";
    size_t c = 0, v = 0, u = 0;

    for (int i = 0; i < nf; i++) {
        c += (size_t)snprintf(cols + c, sizeof(cols) - c, ", t.%s", f[i].name);
        v += (size_t)snprintf(vals + v, sizeof(vals) - v, ", ?%d", i + 2);
        u += (size_t)snprintf(sets + u, sizeof(sets) - u, "%s = ?%d, ",
                              f[i].name, i + 2);
    }
    switch (op) {
    case ROP_INSERT:
        /* "t." is not allowed in an INSERT column list. */
        for (char *p = cols; (p = strstr(p, "t.")); )
            memmove(p, p + 2, strlen(p + 2) + 1);
        return sqlite3_mprintf("INSERT INTO %s(node_code%s, created_at, "
                               "updated_at) VALUES (?1%s, ?%d, ?%d)",
                               record_kinds[kind].table, cols, vals, nf + 2,
                               nf + 2);
    case ROP_UPDATE:
        return sqlite3_mprintf("UPDATE %s SET node_code = ?1, %supdated_at = "
                               "?%d, version = version + 1 WHERE id = ?%d "
                               "AND version = ?%d",
                               record_kinds[kind].table, sets, nf + 2, nf + 3,
                               nf + 4);
    case ROP_GET:
    case ROP_LIST:
        break;
    default:
        return NULL;
    }
    {
        char *where = op == ROP_GET
            ? sqlite3_mprintf("t.id = ?2 AND " IN_SCOPE("t.node_code", 1))
            : sqlite3_mprintf(
                  "t.node_code >= ?2 AND t.node_code < ?2 || ':' AND "
                  IN_SCOPE("t.node_code", 1) " AND t.id > ?3 AND (?5 IS NULL "
                  "OR %s) AND (?6 IS NULL OR %s = ?6) AND (?7 IS NULL OR %s "
                  "= ?7) ORDER BY t.id LIMIT ?4",
                  record_kinds[kind].search, record_kinds[kind].kind_col,
                  record_kinds[kind].parent_col);
        char *sql = sqlite3_mprintf(
            "SELECT t.id, t.version, t.node_code, (SELECT name FROM nodes "
            "WHERE code = t.node_code), %s, %s%s FROM %s t WHERE %s",
            record_kinds[kind].count, record_kinds[kind].label, cols,
            record_kinds[kind].table, where);
        sqlite3_free(where);
        return sql;
    }
}

static sqlite3_stmt *
record_stmt(struct sqlite_store *sq, enum store_kind kind, enum record_op op,
            struct gg_err *err)
{
    sqlite3_stmt *st = sq->rstmt[kind][op];
    char *sql;
    int rc;

    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    sql = record_sql(kind, op);
    rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                            NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
        sq_fail(sq, rc, record_op_name[op], err);
        return NULL;
    }
    sq->rstmt[kind][op] = st;
    return st;
}

static void
bind_values(sqlite3_stmt *st, enum store_kind kind,
            const struct store_record *r)
{
    const struct store_field *f = store_kind_fields[kind];

    bind_text(st, 1, r->node_code);
    for (size_t i = 0; i < store_kind_nfields[kind]; i++) {
        const struct store_value *v = &r->v[i];
        int at = (int)i + 2;
        if (!v->set)
            sqlite3_bind_null(st, at);
        else if (f[i].type == STORE_INT)
            sqlite3_bind_int64(st, at, v->i);
        else if (f[i].type == STORE_REAL)
            sqlite3_bind_double(st, at, v->r);
        else
            bind_text(st, at, v->s);
    }
}

static int
sq_record_insert(struct store *s, enum store_kind kind,
                 const struct store_record *r, int64_t now, int64_t *id,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = record_stmt(sq, kind, ROP_INSERT, err);
    int rc;

    if (!st)
        return GG_ESTORE;
    bind_values(st, kind, r);
    sqlite3_bind_int64(st, (int)store_kind_nfields[kind] + 2, now);
    rc = sq_run(sq, st, record_op_name[ROP_INSERT], err);
    if (!rc && id)
        *id = sqlite3_last_insert_rowid(sq->db);
    return rc;
}

static int
sq_record_update(struct store *s, enum store_kind kind,
                 const struct store_record *r, int64_t now,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = record_stmt(sq, kind, ROP_UPDATE, err);
    int nf = (int)store_kind_nfields[kind], rc;

    if (!st)
        return GG_ESTORE;
    bind_values(st, kind, r);
    sqlite3_bind_int64(st, nf + 2, now);
    sqlite3_bind_int64(st, nf + 3, r->id);
    sqlite3_bind_int64(st, nf + 4, r->version);
    rc = sq_run(sq, st, record_op_name[ROP_UPDATE], err);
    if (!rc && !sqlite3_changes(sq->db))
        rc = gg_fail(err, GG_ECONFLICT, "version", MSG_CONFLICT);
    return rc;
}

static void
read_record(struct gg_arena *a, sqlite3_stmt *st, enum store_kind kind,
            struct store_record *r)
{
    const struct store_field *f = store_kind_fields[kind];

    r->id = sqlite3_column_int64(st, 0);
    r->version = sqlite3_column_int64(st, 1);
    r->node_code = col_text(a, st, 2);
    r->node_name = col_text(a, st, 3);
    r->count = sqlite3_column_int64(st, 4);
    r->label = col_text(a, st, 5);
    for (size_t i = 0; i < store_kind_nfields[kind]; i++) {
        struct store_value *v = &r->v[i];
        int at = (int)i + 6;
        v->set = sqlite3_column_type(st, at) != SQLITE_NULL;
        if (!v->set)
            continue;
        if (f[i].type == STORE_INT)
            v->i = sqlite3_column_int64(st, at);
        else if (f[i].type == STORE_REAL)
            v->r = sqlite3_column_double(st, at);
        else
            v->s = col_text(a, st, at);
    }
}

static int
sq_record_get(struct store *s, enum store_kind kind,
              const struct store_scope *scope, int64_t id, struct gg_arena *a,
              struct store_record **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = record_stmt(sq, kind, ROP_GET, err);
    int rc;

    *out = NULL;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    rc = sq_row(sq, st, record_op_name[ROP_GET], "", err);
    if (!rc) {
        *out = gg_arena_alloc(a, sizeof(**out));
        memset(*out, 0, sizeof(**out));
        read_record(a, st, kind, *out);
    }
    sqlite3_reset(st);
    return rc;
}

static int
sq_record_list(struct store *s, enum store_kind kind,
               const struct store_scope *scope,
               const struct store_record_filter *f, struct gg_arena *a,
               struct store_record **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = record_stmt(sq, kind, ROP_LIST, err);
    size_t cap = 16, count = 0;
    struct store_record *items;
    int rc;

    *out = NULL;
    *n = 0;
    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, scope_json(a, scope));
    bind_text(st, 2, f->node);
    sqlite3_bind_int64(st, 3, f->after);
    sqlite3_bind_int(st, 4, f->limit);
    bind_text(st, 5, f->q);
    bind_text(st, 6, f->kind);
    bind_id(st, 7, f->parent);
    items = gg_arena_alloc(a, cap * sizeof(*items));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            struct store_record *bigger =
                gg_arena_alloc(a, cap * 2 * sizeof(*items));
            memcpy(bigger, items, cap * sizeof(*items));
            items = bigger;
            cap *= 2;
        }
        memset(&items[count], 0, sizeof(*items));
        read_record(a, st, kind, &items[count++]);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(sq, rc, record_op_name[ROP_LIST], err);
    *out = items;
    *n = count;
    return 0;
}

static int
sq_building_find(struct store *s, const char *node, const char *name,
                 int64_t *id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_BUILDING_FIND);
    int rc;

    bind_text(st, 1, node);
    bind_text(st, 2, name);
    rc = sq_row(sq, st, "building_find", "", err);
    *id = rc ? 0 : sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc;
}

static int
sq_household_find(struct store *s, int64_t building_id, int unit_no,
                  const char *room, int64_t *id, const char **node,
                  struct gg_arena *a, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_HOUSEHOLD_FIND);
    int rc;

    sqlite3_bind_int64(st, 1, building_id);
    if (unit_no)
        sqlite3_bind_int(st, 2, unit_no);
    bind_text(st, 3, room);
    rc = sq_row(sq, st, "household_find", "", err);
    *id = rc ? 0 : sqlite3_column_int64(st, 0);
    *node = rc ? NULL : col_text(a, st, 1);
    sqlite3_reset(st);
    return rc;
}

static int
sq_node_counts(struct store *s, const char *node, int64_t counts[5],
               struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_NODE_COUNTS);
    int rc;

    bind_text(st, 1, node);
    rc = sqlite3_step(st);
    for (int i = 0; i < 5; i++)
        counts[i] = rc == SQLITE_ROW ? sqlite3_column_int64(st, i) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq, rc, "node_counts", err);
}

/* ---- party members ---- */

static int
sq_party_member_put(struct store *s, const struct store_party_member *m,
                    int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_PARTY_MEMBER_PUT);
    sqlite3_bind_int64(st, 1, m->party_org_id);
    sqlite3_bind_int64(st, 2, m->person_id);
    bind_text(st, 3, m->node_code);
    bind_text(st, 4, m->duty);
    bind_text(st, 5, m->joined_on);
    sqlite3_bind_int(st, 6, m->center_household != 0);
    sqlite3_bind_int64(st, 7, now);
    return sq_exec(sq, st, STMT_PARTY_MEMBER_PUT, err);
}

static int
sq_party_member_delete(struct store *s, int64_t org_id, int64_t person_id,
                       struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_PARTY_MEMBER_DELETE);
    sqlite3_bind_int64(st, 1, org_id);
    sqlite3_bind_int64(st, 2, person_id);
    return sq_change(sq, st, STMT_PARTY_MEMBER_DELETE, GG_ENOTFOUND, err);
}

static void
read_party_member_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_party_member *m = item;
    m->party_org_id = sqlite3_column_int64(st, 0);
    m->person_id = sqlite3_column_int64(st, 1);
    m->node_code = col_text(a, st, 2);
    m->duty = col_text(a, st, 3);
    m->joined_on = col_text(a, st, 4);
    m->center_household = sqlite3_column_int(st, 5);
    m->name = col_text(a, st, 6);
    m->household_id = sqlite3_column_int64(st, 7);
}

static int
sq_party_members(struct store *s, int64_t org_id, struct gg_arena *a,
                 struct store_party_member **out, size_t *n,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_PARTY_MEMBERS);
    void *items = NULL;
    int rc;

    sqlite3_bind_int64(st, 1, org_id);
    rc = sq_collect(sq, st, "party_members", a, sizeof(**out),
                    read_party_member_cb, &items, n, err);
    *out = items;
    return rc;
}

/* ---- roster ---- */

static int
sq_roster_insert(struct store *s, const struct store_roster *r, int64_t *id,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    sqlite3_stmt *st = sq_stmt(sq, STMT_ROSTER_INSERT, err);
    int64_t rid = 0;
    int rc;

    if (!st)
        return GG_ESTORE;
    bind_text(st, 1, r->node_code);
    sqlite3_bind_int64(st, 2, r->person_id);
    bind_text(st, 3, r->post);
    bind_text(st, 4, r->work_phone);
    bind_id(st, 5, r->building_id);
    bind_id(st, 6, r->unit_no);
    sqlite3_bind_int64(st, 7, r->since);
    rc = sq_insert_id(sq, st, STMT_ROSTER_INSERT, &rid, err);
    if (!rc && id)
        *id = rid;
    for (size_t i = 0; !rc && i < r->n_households; i++) {
        STMT_OR_FAIL(sq, hs, STMT_ROSTER_HOUSEHOLD);
        sqlite3_bind_int64(hs, 1, rid);
        sqlite3_bind_int64(hs, 2, r->households[i]);
        rc = sq_exec(sq, hs, STMT_ROSTER_HOUSEHOLD, err);
    }
    return rc;
}

static void
read_roster_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_roster *r = item;
    const char *list;
    int64_t *ids;
    size_t n = 0;

    r->id = sqlite3_column_int64(st, 0);
    r->node_code = col_text(a, st, 1);
    r->person_id = sqlite3_column_int64(st, 2);
    r->post = col_text(a, st, 3);
    r->work_phone = col_text(a, st, 4);
    r->building_id = sqlite3_column_int64(st, 5);
    r->unit_no = sqlite3_column_int(st, 6);
    r->since = sqlite3_column_int64(st, 7);
    r->name = col_text(a, st, 8);
    list = (const char *)sqlite3_column_text(st, 9);
    for (const char *p = list; p && *p; p++)
        n += *p == ',';
    ids = gg_arena_alloc(a, (n + 1) * sizeof(*ids));
    n = 0;
    for (const char *p = list; p && *p;) {
        char *end;
        ids[n++] = strtoll(p, &end, 10);
        p = *end == ',' ? end + 1 : end + strlen(end);
    }
    r->households = ids;
    r->n_households = n;
    r->building_name = col_text(a, st, 10);
}

static int
sq_roster_delete(struct store *s, const struct store_scope *scope, int64_t id,
                 struct gg_arena *a, struct store_roster **out,
                 struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ROSTER_DELETE);
    void *item;
    int rc;

    /* roster_households go with it (ON DELETE CASCADE). */
    bind_text(st, 1, scope_json(a, scope));
    sqlite3_bind_int64(st, 2, id);
    rc = sq_one(sq, st, "roster_delete", a, sizeof(**out), read_roster_cb,
                &item, err);
    *out = item;
    return rc;
}

static int
sq_roster_list(struct store *s, const char *node, struct gg_arena *a,
               struct store_roster **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_ROSTER_LIST);
    void *items = NULL;
    int rc;

    bind_text(st, 1, node);
    rc = sq_collect(sq, st, "roster_list", a, sizeof(**out), read_roster_cb,
                    &items, n, err);
    *out = items;
    return rc;
}

/* ---- geometry ---- */

static int
geometry_bump(struct sqlite_store *sq, int64_t *seq, struct gg_err *err)
{
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_BUMP);
    int rc = sqlite3_step(st);

    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq, rc, "geometry_bump", err);
}

static int
sq_geometry_put(struct store *s, const struct store_geometry *g, int64_t now,
                struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    int64_t seq;
    int rc = geometry_bump(sq, &seq, err);
    if (rc)
        return rc;
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_PUT);
    bind_text(st, 1, g->node_code);
    bind_text(st, 2, g->geojson);
    sqlite3_bind_double(st, 3, g->area_m2);
    for (int i = 0; i < 4; i++)
        sqlite3_bind_double(st, 4 + i, g->bbox[i]);
    sqlite3_bind_int64(st, 8, seq);
    sqlite3_bind_int64(st, 9, now);
    return sq_exec(sq, st, STMT_GEOMETRY_PUT, err);
}

static int
sq_geometry_delete(struct store *s, const char *code, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    int64_t seq;
    int rc = geometry_bump(sq, &seq, err);
    if (rc)
        return rc;
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_DELETE);
    bind_text(st, 1, code);
    return sq_change(sq, st, STMT_GEOMETRY_DELETE, GG_ENOTFOUND, err);
}

static void
read_geometry_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_geometry *g = item;
    g->node_code = col_text(a, st, 0);
    g->name = col_text(a, st, 1);
    if (store_node_level_parse((const char *)sqlite3_column_text(st, 2),
                               &g->level))
        g->level = NODE_GRID;
    g->geojson = col_text(a, st, 3);
    g->area_m2 = sqlite3_column_double(st, 4);
    for (int i = 0; i < 4; i++)
        g->bbox[i] = sqlite3_column_double(st, 5 + i);
}

static int
sq_geometry_get(struct store *s, const char *code, struct gg_arena *a,
                struct store_geometry **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_GET);
    void *item;
    int rc;

    bind_text(st, 1, code);
    rc = sq_one(sq, st, "geometry_get", a, sizeof(**out), read_geometry_cb,
                &item, err);
    *out = item;
    return rc;
}

static int
sq_geometry_children(struct store *s, const char *code, struct gg_arena *a,
                     struct store_geometry **out, size_t *n,
                     struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_CHILDREN);
    void *items = NULL;
    int rc;

    bind_text(st, 1, code);
    rc = sq_collect(sq, st, "geometry_children", a, sizeof(**out),
                    read_geometry_cb, &items, n, err);
    *out = items;
    return rc;
}

static int
sq_geometry_seq(struct store *s, int64_t *seq, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_GEOMETRY_SEQ);
    int rc = sqlite3_step(st);

    *seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : sq_fail(sq, rc, "geometry_seq", err);
}

/* Reads in one snapshot so that the shapes match the sequence number. */
static int
sq_geometry_grids(struct store *s,
                  int (*fn)(void *ctx, const struct store_geometry *g),
                  void *ctx, int64_t *seq, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    struct gg_arena *a = gg_arena_new(1 << 16);
    int rc = sq_exec_sql(sq, "SAVEPOINT geometry_grids", "geometry_grids",
                         err);

    if (!rc)
        rc = sq_geometry_seq(s, seq, err);
    if (!rc) {
        sqlite3_stmt *st = sq_stmt(sq, STMT_GEOMETRY_GRIDS, err);
        int step = SQLITE_DONE;
        if (!st)
            rc = GG_ESTORE;
        while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
            struct store_geometry g;
            read_geometry_cb(a, st, &g);
            rc = fn(ctx, &g);
            gg_arena_reset(a);
        }
        if (!rc && step != SQLITE_DONE)
            rc = sq_fail(sq, step, "geometry_grids", err);
        if (st)
            sqlite3_reset(st);
    }
    if (sq_exec_sql(sq, "RELEASE geometry_grids", "geometry_grids", NULL))
        gg_log(GG_LOG_WARN, "store.sqlite", "op=geometry_grids release=0");
    gg_arena_free(a);
    return rc;
}

static int
sq_building_points(struct store *s, const struct store_scope *scope,
                   const char *node, int limit, struct gg_arena *a,
                   struct store_record **out, size_t *n, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_BUILDING_POINTS);
    size_t cap = 64, count = 0;
    struct store_record *items = gg_arena_alloc(a, cap * sizeof(*items));
    int rc;

    bind_text(st, 1, scope_json(a, scope));
    bind_text(st, 2, node);
    sqlite3_bind_int(st, 3, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_record *r;
        if (count == cap) {
            struct store_record *bigger =
                gg_arena_alloc(a, cap * 2 * sizeof(*items));
            memcpy(bigger, items, cap * sizeof(*items));
            items = bigger;
            cap *= 2;
        }
        r = &items[count++];
        memset(r, 0, sizeof(*r));
        r->id = sqlite3_column_int64(st, 0);
        r->node_code = col_text(a, st, 1);
        r->v[STORE_F_BUILDING_name] = (struct store_value){
            .set = 1, .s = col_text(a, st, 2)};
        r->v[STORE_F_BUILDING_address] = (struct store_value){
            .set = 1, .s = col_text(a, st, 3)};
        r->v[STORE_F_BUILDING_lon] = (struct store_value){
            .set = 1, .r = sqlite3_column_double(st, 4)};
        r->v[STORE_F_BUILDING_lat] = (struct store_value){
            .set = 1, .r = sqlite3_column_double(st, 5)};
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return sq_fail(sq, rc, "building_points", err);
    *out = items;
    *n = count;
    return 0;
}

/* ---- import jobs ---- */

static int
sq_import_job_insert(struct store *s, const struct store_import_job *j,
                     int64_t *id, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_IMPORT_INSERT);
    bind_text(st, 1, j->kind);
    bind_text(st, 2, j->node_code);
    bind_id(st, 3, j->actor_id);
    bind_text(st, 4, j->state);
    sqlite3_bind_int(st, 5, j->dry_run != 0);
    bind_text(st, 6, j->mode);
    sqlite3_bind_int64(st, 7, j->created_at);
    return sq_insert_id(sq, st, STMT_IMPORT_INSERT, id, err);
}

static int
sq_import_job_update(struct store *s, const struct store_import_job *j,
                     struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_IMPORT_UPDATE);
    sqlite3_bind_int64(st, 1, j->id);
    bind_text(st, 2, j->state);
    sqlite3_bind_int64(st, 3, j->total);
    sqlite3_bind_int64(st, 4, j->processed);
    sqlite3_bind_int64(st, 5, j->ok);
    sqlite3_bind_int64(st, 6, j->bad);
    bind_text(st, 7, j->errors ? j->errors : "[]");
    bind_text(st, 8, j->message);
    bind_id(st, 9, j->started_at);
    bind_id(st, 10, j->finished_at);
    return sq_change(sq, st, STMT_IMPORT_UPDATE, GG_ENOTFOUND, err);
}

static void
read_import_cb(struct gg_arena *a, sqlite3_stmt *st, void *item)
{
    struct store_import_job *j = item;
    j->id = sqlite3_column_int64(st, 0);
    j->kind = col_text(a, st, 1);
    j->node_code = col_text(a, st, 2);
    j->actor_id = sqlite3_column_int64(st, 3);
    j->state = col_text(a, st, 4);
    j->dry_run = sqlite3_column_int(st, 5);
    j->mode = col_text(a, st, 6);
    j->total = sqlite3_column_int64(st, 7);
    j->processed = sqlite3_column_int64(st, 8);
    j->ok = sqlite3_column_int64(st, 9);
    j->bad = sqlite3_column_int64(st, 10);
    j->errors = col_text(a, st, 11);
    j->message = col_text(a, st, 12);
    j->created_at = sqlite3_column_int64(st, 13);
    j->started_at = sqlite3_column_int64(st, 14);
    j->finished_at = sqlite3_column_int64(st, 15);
}

static int
sq_import_job_get(struct store *s, const struct store_scope *scope, int64_t id,
                  struct gg_arena *a, struct store_import_job **out,
                  struct gg_err *err)
{
    void *item;
    int rc = sq_one_scoped(SQ(s), STMT_IMPORT_GET, scope, id, a, sizeof(**out),
                           read_import_cb, &item, err);
    *out = item;
    return rc;
}

static int
sq_import_job_next(struct store *s, struct gg_arena *a,
                   struct store_import_job **out, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_IMPORT_NEXT);
    void *item;
    int rc = sq_one(sq, st, "import_job_next", a, sizeof(**out),
                    read_import_cb, &item, err);
    *out = item;
    return rc;
}

static int
sq_import_jobs_interrupted(struct store *s, int64_t now, struct gg_err *err)
{
    struct sqlite_store *sq = SQ(s);
    STMT_OR_FAIL(sq, st, STMT_IMPORT_INTERRUPTED);
    sqlite3_bind_int64(st, 1, now);
    return sq_exec(sq, st, STMT_IMPORT_INTERRUPTED, err);
}

/* ---- open / close ---- */

static void
sq_close(struct store *s)
{
    struct sqlite_store *sq = SQ(s);
    for (int i = 0; i < STMT__COUNT; i++)
        sqlite3_finalize(sq->stmt[i]);
    for (int k = 0; k < STORE_KIND__COUNT; k++)
        for (int o = 0; o < ROP__COUNT; o++)
            sqlite3_finalize(sq->rstmt[k][o]);
    for (int i = 0; i < SQ_EXTRA_STMTS; i++)
        sqlite3_finalize(sq->xstmt[i]);
    if (sqlite3_close(sq->db) != SQLITE_OK)
        gg_log(GG_LOG_ERROR, "store.sqlite", "op=close msg=\"%s\"",
               sqlite3_errmsg(sq->db));
    free(sq);
}

static const struct store_ops sqlite_ops = {
#define STORE_OPS_INIT(ret, name, params, args) .name = sq_##name,
    STORE_OPS(STORE_OPS_INIT)
    STORE_CASE_OPS(STORE_OPS_INIT)
#undef STORE_OPS_INIT
        .close = sq_close,
};

/* Process-wide SQLite settings, before the first connection. Memory
 * statistics would put every allocation of every connection behind one
 * global mutex: two workers then spend their time waking each other. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void
sqlite_setup(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        gg_log(GG_LOG_WARN, "store.sqlite", "op=config_memstatus failed=1");
}

int
store_sqlite_open(struct store **out, const char *path, int flags,
                  const struct store_options *opt, struct gg_err *err)
{
    struct sqlite_store *sq;
    struct stat stbuf;
    int oflags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    char *pragmas;
    int rc;

    *out = NULL;
    pthread_once(&sqlite_once, sqlite_setup);
    if (!*path)
        return gg_failf(err, GG_EINVAL, "db", MSG_DB_OPEN, "%s", "(empty)");
    if (!(flags & STORE_OPEN_CREATE) && stat(path, &stbuf) < 0)
        return gg_failf(err, GG_ENOTFOUND, "db", MSG_DB_NOT_FOUND, "%s", path);
    if (flags & STORE_OPEN_READONLY)
        oflags |= SQLITE_OPEN_READONLY;
    else
        oflags |= SQLITE_OPEN_READWRITE |
                  (flags & STORE_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);

    sq = gg_xcalloc(1, sizeof(*sq));
    sq->base.ops = &sqlite_ops;
    rc = sqlite3_open_v2(path, &sq->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        gg_log(GG_LOG_ERROR, "store.sqlite", "op=open rc=%d msg=\"%s\"", rc,
               sq->db ? sqlite3_errmsg(sq->db) : "out of memory");
        sqlite3_close(sq->db);
        free(sq);
        return gg_failf(err, GG_ESTORE, "db", MSG_DB_OPEN, "%s", path);
    }
    sqlite3_extended_result_codes(sq->db, 1);
    pragmas = sqlite3_mprintf("PRAGMA busy_timeout = %d;"
                              "PRAGMA foreign_keys = ON;"
                              "PRAGMA synchronous = FULL;"
                              "PRAGMA temp_store = MEMORY;"
                              "PRAGMA cache_size = -%d;"
                              "%s",
                              opt ? opt->busy_timeout_ms : 5000,
                              opt && opt->cache_kib > 0 ? opt->cache_kib
                                                        : 2000,
                              flags & STORE_OPEN_READONLY
                                  ? ""
                                  : "PRAGMA journal_mode = WAL;");
    rc = sqlite3_exec(sq->db, pragmas, NULL, NULL, NULL);
    sqlite3_free(pragmas);
    if (rc != SQLITE_OK) {
        /* Not a database, or not writable: say so plainly. */
        gg_log(GG_LOG_ERROR, "store.sqlite", "op=pragmas rc=%d msg=\"%s\"", rc,
               sqlite3_errmsg(sq->db));
        sq_close(&sq->base);
        return gg_failf(err, GG_ESTORE, "db", MSG_DB_OPEN, "%s", path);
    }
    *out = &sq->base;
    return 0;
}

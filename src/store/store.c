#include "core/gg.h"
#include "core/gg_time.h"
#include "store/store_backend.h"

#include <stdatomic.h>

static _Atomic uint64_t store_ns;

#define STORE_WRAP(ret, name, params, args)                                   \
    ret store_##name params                                                   \
    {                                                                         \
        uint64_t t0 = gg_mono_ns();                                           \
        ret rc_ = s->ops->name args;                                            \
        atomic_fetch_add_explicit(&store_ns, gg_mono_ns() - t0,               \
                                  memory_order_relaxed);                      \
        return rc_;                                                           \
    }
STORE_OPS(STORE_WRAP)
STORE_CASE_OPS(STORE_WRAP)
#undef STORE_WRAP

static const char *
uri_sqlite_path(const char *uri)
{
    if (!strncmp(uri, "sqlite:", 7))
        return uri + 7;
    return uri;
}

int
store_open(struct store **out, const char *uri, int flags,
           const struct store_options *opt, struct gg_err *err)
{
    *out = NULL;
    if (!strncmp(uri, "postgres://", 11) || !strncmp(uri, "postgresql://", 13))
        return gg_failf(err, GG_EINVAL, "db", MSG_DB_OPEN,
                        "%s (PostgreSQL: not yet supported)", "postgres://...");
    return store_sqlite_open(out, uri_sqlite_path(uri), flags, opt, err);
}

void
store_close(struct store **s)
{
    if (!s || !*s)
        return;
    (*s)->ops->close(*s);
    *s = NULL;
}

int
store_schema_latest(const char *uri)
{
    (void)uri;
    return store_sqlite_schema_latest();
}

uint64_t
store_time_ns(void)
{
    return atomic_load_explicit(&store_ns, memory_order_relaxed);
}

#define FIELD(n, t) {#n, STORE_##t},
static const struct store_field building_fields[] = {
    STORE_BUILDING_FIELDS(FIELD)};
static const struct store_field household_fields[] = {
    STORE_HOUSEHOLD_FIELDS(FIELD)};
static const struct store_field org_fields[] = {STORE_ORG_FIELDS(FIELD)};
static const struct store_field party_org_fields[] = {
    STORE_PARTY_ORG_FIELDS(FIELD)};
static const struct store_field department_fields[] = {
    STORE_DEPARTMENT_FIELDS(FIELD)};
static const struct store_field service_fields[] = {
    STORE_SERVICE_FIELDS(FIELD)};
#undef FIELD

const struct store_field *const store_kind_fields[STORE_KIND__COUNT] = {
    building_fields, household_fields, org_fields, party_org_fields,
    department_fields, service_fields};
const size_t store_kind_nfields[STORE_KIND__COUNT] = {
    GG_ARRAY_LEN(building_fields), GG_ARRAY_LEN(household_fields),
    GG_ARRAY_LEN(org_fields), GG_ARRAY_LEN(party_org_fields),
    GG_ARRAY_LEN(department_fields), GG_ARRAY_LEN(service_fields)};
const char *const store_kind_name[STORE_KIND__COUNT] = {
    "building", "household", "organisation", "party_org", "department",
    "service"};
_Static_assert(GG_ARRAY_LEN(org_fields) <= STORE_FIELDS_MAX,
               "STORE_FIELDS_MAX too small");

static const char *const level_names[NODE__COUNT] = {
    [NODE_PROVINCE] = "province", [NODE_CITY] = "city",
    [NODE_DISTRICT] = "district", [NODE_STREET] = "street",
    [NODE_COMMUNITY] = "community", [NODE_GRID] = "grid",
    [NODE_MICROGRID] = "microgrid",
};

const char *
store_node_level_name(enum store_node_level level)
{
    return (unsigned)level < NODE__COUNT ? level_names[level] : "unknown";
}

int
store_node_level_parse(const char *name, enum store_node_level *out)
{
    for (int i = 0; i < NODE__COUNT; i++) {
        if (!strcmp(name, level_names[i])) {
            *out = (enum store_node_level)i;
            return 0;
        }
    }
    return GG_EINVAL;
}

int
store_scope_covers(const struct store_scope *scope, const char *code)
{
    for (size_t i = 0; code && i < scope->n; i++)
        if (!strncmp(code, scope->prefixes[i], strlen(scope->prefixes[i])))
            return 1;
    return 0;
}

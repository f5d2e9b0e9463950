#include "core/gg.h"
#include "core/gg_log.h"
#include "domain/notify.h"

static int
log_send(const struct notify_channel *ch, const struct notify_message *m)
{
    gg_log(GG_LOG_INFO, "notify.outbound",
           "channel=%s account=%" PRId64 " kind=%s case=%" PRId64, ch->name,
           m->account_id, m->kind, m->case_id);
    return 0;
}

static int
none_send(const struct notify_channel *ch, const struct notify_message *m)
{
    (void)ch;
    (void)m;
    return 0;
}

static const struct notify_channel channels[] = {
    {"log", log_send},
    {"none", none_send},
};

const struct notify_channel *
notify_channel(const char *name)
{
    for (size_t i = 0; name && i < GG_ARRAY_LEN(channels); i++)
        if (!strcmp(channels[i].name, name))
            return &channels[i];
    return NULL;
}

int
notify_is_urgent(const char *kind)
{
    return !strcmp(kind, "case.dispatched") ||
           !strcmp(kind, "case.summoned") || !strcmp(kind, "case.alert.red");
}

void
notify_text(char *out, size_t cap, enum gg_lang lang, const char *kind,
            int64_t case_id)
{
    char id[24];
    enum gg_msg_id msg = !strcmp(kind, "case.alert.red") ? MSG_NOTIFY_OVERDUE
                         : !strcmp(kind, "case.summoned") ? MSG_NOTIFY_SUMMONED
                                                          : MSG_NOTIFY_TODO;
    snprintf(id, sizeof(id), "%" PRId64, case_id);
    gg_msg_format(out, cap, lang, msg, id);
}

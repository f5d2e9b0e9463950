#include "core/gg.h"
#include "core/gg_msg.h"
#include "core/gg_parse.h"

#include <strings.h>

static const char *const catalogue[MSG__COUNT][GG_LANG__COUNT] = {
#define GG_MSG(id, zh, en) [id] = {zh, en},
#include "core/messages.def"
#undef GG_MSG
};

const char *
gg_msg(enum gg_lang lang, enum gg_msg_id id)
{
    if ((unsigned)id >= MSG__COUNT)
        id = MSG_INTERNAL;
    if ((unsigned)lang >= GG_LANG__COUNT)
        lang = GG_LANG_ZH;
    return catalogue[id][lang];
}

void
gg_msg_format(char *out, size_t cap, enum gg_lang lang, enum gg_msg_id id,
              const char *arg)
{
    const char *text = gg_msg(lang, id);
    const char *hole = strstr(text, "{}");

    if (!cap)
        return;
    if (!hole) {
        snprintf(out, cap, "%s", text);
        return;
    }
    snprintf(out, cap, "%.*s%s%s", (int)(hole - text), text, arg ? arg : "",
             hole + 2);
}

enum gg_lang
gg_lang_from_accept(const char *header)
{
    int zh = gg_accept_q(header, "zh"), en = gg_accept_q(header, "en");
    /* Chinese first: English only when it is preferred outright. */
    return en > 0 && en > zh ? GG_LANG_EN : GG_LANG_ZH;
}

enum gg_lang
gg_lang_from_env(void)
{
    static const char *const vars[] = {"GRIDGOV_LANG", "LC_ALL", "LANG"};

    for (size_t i = 0; i < GG_ARRAY_LEN(vars); i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        return strncasecmp(v, "en", 2) ? GG_LANG_ZH : GG_LANG_EN;
    }
    return GG_LANG_ZH;
}

const char *
gg_lang_tag(enum gg_lang lang)
{
    return lang == GG_LANG_EN ? "en" : "zh-CN";
}

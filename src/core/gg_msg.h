/*
 * gg_msg.h - the message catalogue (messages.def) and language choice.
 *
 * Every text a user can read from the server or the CLI has an id here;
 * gg_msg() returns the text in the requested language. Returned strings are
 * static and read-only: thread-safe.
 */
#ifndef GG_MSG_H
#define GG_MSG_H

#include <stddef.h>

enum gg_lang { GG_LANG_ZH = 0, GG_LANG_EN, GG_LANG__COUNT };

enum gg_msg_id {
#define GG_MSG(id, zh, en) id,
#include "core/messages.def"
#undef GG_MSG
    MSG__COUNT
};

const char *gg_msg(enum gg_lang lang, enum gg_msg_id id);
/* Writes the message with "{}" replaced by arg (may be NULL) into out. */
void gg_msg_format(char *out, size_t cap, enum gg_lang lang,
                   enum gg_msg_id id, const char *arg);
/* Chooses zh or en from an Accept-Language header (NULL: zh). */
enum gg_lang gg_lang_from_accept(const char *accept_language);
/* Chooses from the environment (GRIDGOV_LANG, LC_ALL, LANG; default zh). */
enum gg_lang gg_lang_from_env(void);
const char *gg_lang_tag(enum gg_lang lang);

#endif

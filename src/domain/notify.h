/*
 * notify.h - the outbound channel for notifications that must reach a
 * person away from the screen (an SMS or WeChat gateway). Each channel is
 * one implementation of struct notify_channel; "log" writes one log line
 * per message (account, kind, case: never a phone number or a name) and
 * is what a deployment without a gateway runs. A gateway is added as
 * another entry of the channel table in notify.c.
 */
#ifndef DOMAIN_NOTIFY_H
#define DOMAIN_NOTIFY_H

#include <stdint.h>

#include "core/gg_msg.h"

struct notify_message {
    int64_t account_id;
    const char *kind;     /* case.dispatched case.summoned case.alert.red */
    int64_t case_id;
    const char *text;     /* the message as the person reads it */
};

struct notify_channel {
    const char *name;
    /* 0 when handed over to the gateway; GG_E* otherwise (logged). */
    int (*send)(const struct notify_channel *ch,
                const struct notify_message *m);
};

/* The channel of this name (the notify_channel key); NULL if unknown. */
const struct notify_channel *notify_channel(const char *name);
/* Whether a notification of this kind also goes out of band. */
int notify_is_urgent(const char *kind);
/* The outbound text of a notification, in lang, into out. */
void notify_text(char *out, size_t cap, enum gg_lang lang, const char *kind,
                 int64_t case_id);

#endif

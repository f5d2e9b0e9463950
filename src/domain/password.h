/*
 * password.h - the password rule (口令策略). Pure; thread-safe.
 * At least min_length characters, not a common password or a simple
 * pattern (one repeated character, a keyboard or number run), not
 * containing the username; staff passwords also mix at least
 * staff_classes of the four classes (lower, upper, digit, symbol).
 */
#ifndef DOMAIN_PASSWORD_H
#define DOMAIN_PASSWORD_H

#include "core/gg_err.h"

struct password_policy {
    int min_length;
    int staff_classes;
    int max_age_days; /* staff must change after this many days; 0: never */
};

int password_check(const char *password, const char *username, int is_staff,
                   const struct password_policy *pol, const char *field,
                   struct gg_err *err) __attribute__((warn_unused_result));
/* A random password that satisfies any policy: 16 characters from four
 * classes, without look-alike characters. out needs 17 bytes. */
void password_generate(char out[17]);

#endif

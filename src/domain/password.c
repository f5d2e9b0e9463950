#include "core/gg.h"
#include "core/gg_parse.h"
#include "domain/password.h"

#include "core/gg_crypto.h"
#include <strings.h>

static const char *const common[] = {
#include "domain/common_passwords.def"
};

/* 1 for runs like "aaaa...", "1234...", "abcd..." or "qwerty..." alone. */
static int
simple_pattern(const char *p, size_t n)
{
    static const char *const rows[] = {
        "01234567890123456789", "98765432109876543210",
        "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm"};
    int same = 1;

    for (size_t i = 1; i < n; i++)
        same &= p[i] == p[0];
    if (same)
        return 1;
    for (size_t r = 0; r < GG_ARRAY_LEN(rows); r++) {
        char lower[128];
        if (n >= sizeof(lower))
            return 0;
        for (size_t i = 0; i < n; i++)
            lower[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
        lower[n] = '\0';
        if (strstr(rows[r], lower))
            return 1;
    }
    return 0;
}

int
password_check(const char *password, const char *username, int is_staff,
               const struct password_policy *pol, const char *field,
               struct gg_err *err)
{
    size_t n = strlen(password), chars = gg_utf8_len(password, n);
    int lower = 0, upper = 0, digit = 0, other = 0, classes;

    if (!gg_utf8_valid(password, n) || gg_has_controls(password, n, 0))
        return gg_fail(err, GG_EINVAL, field, MSG_BAD_ENCODING);
    if (chars < (size_t)pol->min_length)
        return gg_failf(err, GG_EINVAL, field, MSG_PASSWORD_SHORT, "%d",
                        pol->min_length);
    for (size_t i = 0; i < GG_ARRAY_LEN(common); i++)
        if (!strcasecmp(password, common[i]))
            return gg_fail(err, GG_EINVAL, field, MSG_PASSWORD_COMMON);
    if (simple_pattern(password, n))
        return gg_fail(err, GG_EINVAL, field, MSG_PASSWORD_COMMON);
    if (username && strlen(username) >= 3 && strcasestr(password, username))
        return gg_fail(err, GG_EINVAL, field, MSG_PASSWORD_USERNAME);
    for (const unsigned char *p = (const unsigned char *)password; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lower = 1;
        else if (*p >= 'A' && *p <= 'Z')
            upper = 1;
        else if (*p >= '0' && *p <= '9')
            digit = 1;
        else
            other = 1;
    }
    classes = lower + upper + digit + other;
    if (is_staff && classes < pol->staff_classes)
        return gg_failf(err, GG_EINVAL, field, MSG_PASSWORD_CLASSES, "%d",
                        pol->staff_classes);
    return 0;
}

void
password_generate(char out[17])
{
    static const char *const sets[] = {"abcdefghjkmnpqrstuvwxyz",
                                       "ABCDEFGHJKLMNPQRSTUVWXYZ",
                                       "23456789", "@#%+=?"};
    for (int i = 0; i < 16; i++) {
        const char *set = sets[i < 4 ? (uint32_t)i : gg_random_uniform(4)];
        out[i] = set[gg_random_uniform((uint32_t)strlen(set))];
    }
    /* Shuffle so the four guaranteed classes are not always first. */
    for (int i = 15; i > 0; i--) {
        int j = (int)gg_random_uniform((uint32_t)i + 1);
        char t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    out[16] = '\0';
}

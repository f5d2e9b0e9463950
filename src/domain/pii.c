#include "core/gg.h"
#include "domain/pii.h"

static const char *const pii_ad[PII__COUNT] = {
    [PII_ID_NO] = "person.id_no",
    [PII_PHONE] = "person.phone",
};

const char *
pii_label(enum pii_kind kind)
{
    return pii_ad[kind];
}

void
pii_mask(enum pii_kind kind, const char *value, char *out, size_t cap)
{
    size_t len = strlen(value), keep_head, keep_tail;

    if (kind == PII_ID_NO) {
        keep_head = 4;
        keep_tail = 4;
    } else {
        keep_head = len == 11 ? 3 : 0;
        keep_tail = 4;
    }
    if (len <= keep_head + keep_tail) {
        keep_head = 0;
        keep_tail = len > 4 ? 2 : 0;
    }
    if (!cap)
        return;
    for (size_t i = 0; i < len && i + 1 < cap; i++)
        out[i] = (i < keep_head || i >= len - keep_tail) ? value[i] : '*';
    out[len < cap ? len : cap - 1] = '\0';
}

void
pii_blind_of(const struct gg_keys *keys, enum pii_kind kind, const char *value,
             unsigned char out[GG_BLIND_BYTES])
{
    gg_blind(keys, pii_ad[kind], value, strlen(value), out);
}

int
pii_phone_check(const char *phone, const char *field, struct gg_err *err)
{
    size_t n = strlen(phone), dash = strcspn(phone, "-");
    char digits[16];
    size_t k = 0;

    for (size_t i = 0; i < n && k < sizeof(digits) - 1; i++)
        if (phone[i] != '-' || i != dash)
            digits[k++] = phone[i];
    digits[k] = '\0';
    if (n < 10 || n > 13 || strspn(digits, "0123456789") != k)
        return gg_fail(err, GG_EINVAL, field, MSG_PHONE_INVALID);
    if (digits[0] == '1' && k == 11 && digits[1] >= '3' && dash == n)
        return 0;
    if (digits[0] == '0' && k >= 10 && k <= 12 && (dash == n || dash == 3 ||
                                                   dash == 4))
        return 0;
    return gg_fail(err, GG_EINVAL, field, MSG_PHONE_INVALID);
}

void
pii_seal(const struct gg_keys *keys, enum pii_kind kind, const char *value,
         struct gg_arena *a, struct store_sealed *out)
{
    size_t len = strlen(value);
    unsigned char *sealed = gg_arena_alloc(a, len + GG_SEAL_OVERHEAD);
    unsigned char *blind = gg_arena_alloc(a, GG_BLIND_BYTES);
    char *mask = gg_arena_alloc(a, len + 1);

    gg_seal(keys, pii_ad[kind], value, len, sealed);
    gg_blind(keys, pii_ad[kind], value, len, blind);
    pii_mask(kind, value, mask, len + 1);
    out->sealed = sealed;
    out->sealed_len = len + GG_SEAL_OVERHEAD;
    out->blind = blind;
    out->mask = mask;
}

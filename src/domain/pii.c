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

/*
 * store_backend.h - what a backend provides to store.c. Private to src/store.
 */
#ifndef STORE_BACKEND_H
#define STORE_BACKEND_H

#include "store/store.h"

struct store_ops {
#define STORE_VTABLE(ret, name, params, args) ret(*name) params;
    STORE_OPS(STORE_VTABLE)
    STORE_CASE_OPS(STORE_VTABLE)
#undef STORE_VTABLE
    void (*close)(struct store *s);
};

/* Every backend's handle starts with this. */
struct store {
    const struct store_ops *ops;
};

int store_sqlite_open(struct store **out, const char *path, int flags,
                      const struct store_options *opt, struct gg_err *err);
int store_sqlite_schema_latest(void);

#endif

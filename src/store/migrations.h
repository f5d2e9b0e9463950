/* migrations.h - numbered, forward-only schema migrations (generated). */
#ifndef STORE_MIGRATIONS_H
#define STORE_MIGRATIONS_H

#include "store/store.h"

extern const struct store_migration store_sqlite_migrations[];
extern const int store_sqlite_migration_count;

#endif

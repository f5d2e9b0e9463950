/* cli_store.h - the database and key file as commands open them. */
#ifndef CLI_STORE_H
#define CLI_STORE_H

#include "cli/cli.h"
#include "core/gg_crypto.h"
#include "store/store.h"

/* Opens args->cfg.db; with create, creates and migrates it. Fails (after
 * printing why) unless the schema is the latest this program knows. */
int cli_store_open(const struct cli_args *args, int create,
                   struct store **out);
/* Loads the key file; with create, makes one first if there is none. */
int cli_keys_load(const struct cli_args *args, int create,
                  struct gg_keys *keys);

#endif

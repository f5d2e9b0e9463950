/*
 * creditcode.h - the unified social credit code (统一社会信用代码, GB 32100):
 * 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY" (no I O S V Z):
 * registration authority, organisation type, 6-digit region, 9-character
 * organisation code (GB 11714, with its own check character) and a check
 * character (MOD 31). Pure functions.
 */
#ifndef DOMAIN_CREDITCODE_H
#define DOMAIN_CREDITCODE_H

#include "core/gg_err.h"

#define CREDITCODE_LEN 18

int creditcode_check(const char *code, const char *field, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Builds a valid code from region and an 8-digit serial (demo and tests). */
void creditcode_make(char authority, char type, const char *region6,
                     unsigned serial, char out[CREDITCODE_LEN + 1]);

#endif

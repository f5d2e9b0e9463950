/*
 * gg.h - included first by every .c file of gridgov.
 *
 * Pulls in the C library headers nearly every file needs, then bans the
 * functions we never call (git's banned.h): they are easy to misuse or not
 * thread-safe. Project headers come after this one.
 */
#ifndef GG_H
#define GG_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GG_MUST_CHECK __attribute__((warn_unused_result))
#define GG_UNUSED __attribute__((unused))
#define GG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define GG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#include "core/banned.h"

#endif

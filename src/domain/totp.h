/*
 * totp.h - time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits,
 * 30-second steps), as authenticator apps make them. Pure; thread-safe.
 */
#ifndef DOMAIN_TOTP_H
#define DOMAIN_TOTP_H

#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_STEP_S 30

/* The 6-digit code of a time step (unix time / 30). */
uint32_t totp_code(const unsigned char *secret, size_t len, uint64_t step);
/* Accepts a code of the current step or one step either side, newer than
 * last_step (no replays); returns the matching step, or -1. */
int64_t totp_match(const unsigned char *secret, size_t len, const char *code,
                   int64_t now_s, int64_t last_step);

#endif

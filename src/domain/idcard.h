/*
 * idcard.h - 18-digit citizen ID numbers (公民身份号码, GB 11643-1999).
 *
 * 6-digit region, 8-digit birth date, 3-digit sequence (odd: male, even:
 * female), 1 check digit (ISO 7064 MOD 11-2, 'X' for 10). Pure functions.
 */
#ifndef DOMAIN_IDCARD_H
#define DOMAIN_IDCARD_H

#include "core/gg_err.h"

#define IDCARD_LEN 18

struct idcard_info {
    char birth_date[11]; /* YYYY-MM-DD */
    char sex;            /* GB/T 2261.1: '1' male, '2' female */
};

char idcard_check_digit(const char *first17);
/* Validates shape, birth date (a real day, not after today_ymd, e.g.
 * 20261123) and check digit. A lower-case 'x' is refused: callers
 * normalise first. info may be NULL. */
int idcard_check(const char *id, int today_ymd, struct idcard_info *info,
                 const char *field, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Builds a valid number (for demo and test data). */
void idcard_make(const char *region6, int year, int month, int day, int seq,
                 char out[IDCARD_LEN + 1]);
/* 1 if y-m-d is a real calendar day. */
int date_valid(int y, int m, int d);

#endif

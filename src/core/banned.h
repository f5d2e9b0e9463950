/*
 * banned.h - functions that must not be used in gridgov (after git's).
 * Use snprintf/gg_buf instead of sprintf/strcpy, gg_parse_* instead of atoi,
 * gmtime_r/localtime_r instead of gmtime/localtime, and hand-written
 * splitting instead of strtok.
 */
#ifndef GG_BANNED_H
#define GG_BANNED_H

#define GG_BANNED(func) sorry_##func##_is_banned_in_gridgov

#undef strcpy
#define strcpy(x, y) GG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) GG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) GG_BANNED(strncpy)
#undef sprintf
#define sprintf(...) GG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) GG_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) GG_BANNED(strtok)
#undef atoi
#define atoi(x) GG_BANNED(atoi)
#undef atol
#define atol(x) GG_BANNED(atol)
#undef gmtime
#define gmtime(t) GG_BANNED(gmtime)
#undef localtime
#define localtime(t) GG_BANNED(localtime)
#undef asctime
#define asctime(t) GG_BANNED(asctime)
#undef ctime
#define ctime(t) GG_BANNED(ctime)

#endif

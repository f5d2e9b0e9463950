/*
 * http_static.c - the built front end, served from a directory.
 *
 * Paths are canonical or refused: no "." or ".." segments, no hidden files,
 * no backslashes, no symlinks as the last component. A precompressed
 * "name.gz" is sent to clients that accept gzip. ETags are weak
 * (size-mtime); If-None-Match answers 304. Hashed assets under /assets/ are
 * cached for a year; everything else is revalidated. A path that is not a
 * file falls back to index.html so client-side routes work, except under
 * /assets/, where a missing file is a plain 404 (a stale page asking for a
 * removed chunk should fail loudly, not parse HTML as JavaScript).
 */
#include "core/gg.h"
#include "core/gg_parse.h"
#include "http/http_internal.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *ext;
    const char *type;
    int compressible;
} mime_types[] = {
    {"html", "text/html; charset=utf-8", 1},
    {"js", "text/javascript; charset=utf-8", 1},
    {"mjs", "text/javascript; charset=utf-8", 1},
    {"css", "text/css; charset=utf-8", 1},
    {"json", "application/json; charset=utf-8", 1},
    {"map", "application/json; charset=utf-8", 1},
    {"svg", "image/svg+xml", 1},
    {"txt", "text/plain; charset=utf-8", 1},
    {"xml", "application/xml", 1},
    {"png", "image/png", 0},
    {"jpg", "image/jpeg", 0},
    {"jpeg", "image/jpeg", 0},
    {"gif", "image/gif", 0},
    {"webp", "image/webp", 0},
    {"ico", "image/x-icon", 0},
    {"woff", "font/woff", 0},
    {"woff2", "font/woff2", 0},
    {"ttf", "font/ttf", 0},
    {"pdf", "application/pdf", 0},
    {"webmanifest", "application/manifest+json", 1},
};

static const char *
mime_for(const char *path, int *compressible)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');

    *compressible = 0;
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < GG_ARRAY_LEN(mime_types); i++) {
            if (!strcasecmp(dot + 1, mime_types[i].ext)) {
                *compressible = mime_types[i].compressible;
                return mime_types[i].type;
            }
        }
    }
    return "application/octet-stream";
}

/* 1 if every segment of path is a plain name. */
static int
path_canonical(const char *path)
{
    const char *p = path;

    if (*p != '/')
        return 0;
    while (*p) {
        const char *seg = ++p;
        while (*p && *p != '/')
            p++;
        if (p == seg)
            return *p == '\0'; /* only a trailing slash may be empty */
        if (*seg == '.' || memchr(seg, '\\', (size_t)(p - seg)))
            return 0;
    }
    return 1;
}

static int
open_file(const char *dir, const char *rel, struct stat *st)
{
    char full[4096];
    int fd, n;

    n = snprintf(full, sizeof(full), "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof(full))
        return -1;
    fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return -1;
    }
    return fd;
}

static int
accepts_gzip(const struct http_req *req)
{
    return gg_accept_q(http_header(req, MHD_HTTP_HEADER_ACCEPT_ENCODING),
                       "gzip") > 0;
}

struct MHD_Response *
static_serve(struct http_req *req, const char *web_dir, int *status,
             struct gg_err *err)
{
    const char *rel = req->path + 1;
    struct MHD_Response *r;
    struct stat st;
    const char *type, *inm, *etag;
    int fd = -1, compressible, gz = 0, is_asset;
    char *gz_rel;

    if (!path_canonical(req->path))
        return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND), NULL;
    is_asset = !strncmp(req->path, "/assets/", 8);
    if (!*rel || rel[strlen(rel) - 1] == '/')
        rel = gg_arena_printf(req->arena, "%sindex.html", rel);
    type = mime_for(rel, &compressible);
    if (compressible && accepts_gzip(req)) {
        gz_rel = gg_arena_printf(req->arena, "%s.gz", rel);
        fd = open_file(web_dir, gz_rel, &st);
        gz = fd >= 0;
    }
    if (fd < 0)
        fd = open_file(web_dir, rel, &st);
    if (fd < 0) {
        if (is_asset)
            return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND), NULL;
        rel = "index.html";
        type = mime_for(rel, &compressible);
        if (accepts_gzip(req)) {
            fd = open_file(web_dir, "index.html.gz", &st);
            gz = fd >= 0;
        }
        if (fd < 0)
            fd = open_file(web_dir, rel, &st);
        if (fd < 0)
            return gg_fail(err, GG_ENOTFOUND, "", MSG_NOT_FOUND), NULL;
    }
    etag = gg_arena_printf(req->arena, "W/\"%llx-%llx%s\"",
                           (unsigned long long)st.st_size,
                           (unsigned long long)st.st_mtime, gz ? "-gz" : "");
    inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && strstr(inm, etag)) {
        close(fd);
        r = MHD_create_response_from_buffer(0, (void *)"",
                                            MHD_RESPMEM_PERSISTENT);
        *status = 304;
    } else {
        r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
        if (!r) {
            close(fd);
            return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL), NULL;
        }
        *status = 200;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (gz)
            MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING,
                                    "gzip");
    }
    if (!r)
        return gg_fail(err, GG_EINTERNAL, "", MSG_INTERNAL), NULL;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    if (compressible)
        MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
                            is_asset ? "public, max-age=31536000, immutable"
                                     : "no-cache");
    return r;
}

#include "core/gg.h"
#include "core/gg_log.h"
#include "core/gg_mem.h"
#include "domain/photo.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define RD_BUF 65536

/* A window of RD_BUF bytes over the first `size` bytes of a file, moved
 * by pread: the checkers walk a file of any size in bounded memory. */
struct rd {
    int fd;
    uint64_t size;
    uint64_t base; /* file offset of buf[0] */
    size_t len;    /* valid bytes in buf */
    int io_error;  /* pread failed (as opposed to the file ending early) */
    unsigned char *buf;
};

/* The n bytes at off (n <= RD_BUF), or NULL when they lie past `size` or
 * past the end of the file, or cannot be read (then r->io_error is set). */
static const unsigned char *
rd_at(struct rd *r, uint64_t off, size_t n)
{
    size_t want, got = 0;

    if (n > RD_BUF || off > r->size || n > r->size - off)
        return NULL;
    if (off >= r->base && off - r->base + n <= r->len)
        return r->buf + (off - r->base);
    want = r->size - off < RD_BUF ? (size_t)(r->size - off) : RD_BUF;
    while (got < want) {
        ssize_t k = pread(r->fd, r->buf + got, want - got, (off_t)(off + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            r->io_error = 1;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    r->base = off;
    r->len = got;
    return got >= n ? r->buf : NULL;
}

/* The bytes from off to the end of the window (at least one), *avail of
 * them; NULL at the end. */
static const unsigned char *
rd_window(struct rd *r, uint64_t off, size_t *avail)
{
    const unsigned char *p = rd_at(r, off, 1);

    if (p)
        *avail = (size_t)(r->base + r->len - off);
    return p;
}

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static unsigned
be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* A read that came up short: the file is truncated, unless it could not
 * be read at all. */
static int
damaged(const struct rd *r, struct gg_err *err, const char *part)
{
    if (r->io_error)
        return gg_fail(err, GG_EINTERNAL, "photo", MSG_INTERNAL);
    return gg_failf(err, GG_EINVAL, "photo", MSG_PHOTO_DAMAGED, "%s", part);
}

/* Only zero bytes may follow the image's end marker. */
static int
check_tail(struct rd *r, uint64_t off, struct gg_err *err)
{
    while (off < r->size) {
        size_t avail;
        const unsigned char *p = rd_window(r, off, &avail);
        if (!p)
            return damaged(r, err, "EOF");
        for (size_t i = 0; i < avail; i++)
            if (p[i])
                return gg_fail(err, GG_EINVAL, "photo", MSG_PHOTO_TRAILING);
        off += avail;
    }
    return 0;
}

static const unsigned char png_signature[8] = {0x89, 'P',  'N',  'G',
                                               '\r', '\n', 0x1a, '\n'};

static int
png_ihdr_valid(const unsigned char *d)
{
    unsigned depth = d[8], colour = d[9];

    if (d[10] != 0 || d[11] != 0 || d[12] > 1) /* compression, filter, */
        return 0;                              /* interlace */
    switch (colour) {
    case 0: /* grey */
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 ||
               depth == 16;
    case 3: /* palette */
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2: /* RGB */
    case 4: /* grey + alpha */
    case 6: /* RGBA */
        return depth == 8 || depth == 16;
    }
    return 0;
}

/* Walks the chunks after the signature by their lengths, checking every
 * CRC on the way (a few milliseconds for 10 MB). */
static int
png_walk(struct rd *r, int *width, int *height, struct gg_err *err)
{
    uint64_t off = sizeof(png_signature);
    int n_chunks = 0, n_idat = 0, plte = 0, palette = 0;

    for (;; n_chunks++) {
        const unsigned char *p = rd_at(r, off, 8);
        unsigned char type[5] = {0};
        uint32_t len, crc;
        uint64_t pos, end;

        if (!p)
            return damaged(r, err, n_chunks ? "PNG IEND" : "PNG IHDR");
        len = be32(p);
        memcpy(type, p + 4, 4);
        for (int i = 0; i < 4; i++)
            if (!((type[i] >= 'A' && type[i] <= 'Z') ||
                  (type[i] >= 'a' && type[i] <= 'z')))
                return damaged(r, err, "PNG chunk");
        if (len > 0x7fffffffu || r->size - off - 8 < (uint64_t)len + 4)
            return damaged(r, err, n_chunks ? "PNG chunk" : "PNG IHDR");
        if (!n_chunks && (memcmp(type, "IHDR", 4) || len != 13))
            return damaged(r, err, "PNG IHDR");
        if (n_chunks && !memcmp(type, "IHDR", 4))
            return damaged(r, err, "PNG IHDR");

        crc = (uint32_t)crc32(0L, type, 4);
        for (pos = off + 8, end = off + 8 + len; pos < end;) {
            size_t avail;
            const unsigned char *d = rd_window(r, pos, &avail);
            if (!d)
                return damaged(r, err, "PNG chunk");
            if (avail > end - pos)
                avail = (size_t)(end - pos);
            crc = (uint32_t)crc32(crc, d, (uInt)avail);
            pos += avail;
        }
        p = rd_at(r, end, 4);
        if (!p)
            return damaged(r, err, "PNG chunk");
        if (be32(p) != crc)
            return gg_failf(err, GG_EINVAL, "photo", MSG_PHOTO_DAMAGED,
                            "PNG %s CRC", (const char *)type);

        if (!n_chunks) {
            const unsigned char *d = rd_at(r, off + 8, 13);
            uint32_t w, h;
            if (!d)
                return damaged(r, err, "PNG IHDR");
            w = be32(d);
            h = be32(d + 4);
            if (!w || !h)
                return gg_fail(err, GG_EINVAL, "photo", MSG_PHOTO_DIMENSIONS);
            if (w > 0x7fffffffu || h > 0x7fffffffu || !png_ihdr_valid(d))
                return damaged(r, err, "PNG IHDR");
            palette = d[9] == 3;
            *width = (int)w;
            *height = (int)h;
        } else if (!memcmp(type, "PLTE", 4)) {
            plte = 1;
        } else if (!memcmp(type, "IDAT", 4)) {
            if (palette && !plte)
                return damaged(r, err, "PNG PLTE");
            n_idat++;
        } else if (!memcmp(type, "IEND", 4)) {
            if (len || !n_idat)
                return damaged(r, err, len ? "PNG IEND" : "PNG IDAT");
            return check_tail(r, end + 4, err);
        }
        off = end + 4;
    }
}

static int
jpeg_is_sof(unsigned m)
{
    /* SOF0-SOF15 but DHT (C4), JPG (C8) and DAC (CC) */
    return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/* Skips entropy-coded data from off up to the next marker that is neither
 * a stuffed 0xFF00 nor a restart marker, and returns its offset in *next. */
static int
jpeg_skip_scan(struct rd *r, uint64_t off, uint64_t *next, struct gg_err *err)
{
    for (;;) {
        size_t avail;
        const unsigned char *p = rd_window(r, off, &avail), *ff, *b;

        if (!p)
            return damaged(r, err, "JPEG EOI");
        ff = memchr(p, 0xff, avail);
        if (!ff) {
            off += avail;
            continue;
        }
        off += (uint64_t)(ff - p);
        b = rd_at(r, off + 1, 1);
        if (!b)
            return damaged(r, err, "JPEG EOI");
        if (*b == 0x00 || (*b >= 0xd0 && *b <= 0xd7))
            off += 2;
        else if (*b == 0xff)
            off += 1; /* fill byte before a marker */
        else {
            *next = off;
            return 0;
        }
    }
}

/* Walks the segments from SOI to EOI by their lengths, and the scans by
 * their markers. */
static int
jpeg_walk(struct rd *r, int *width, int *height, struct gg_err *err)
{
    uint64_t off = 2;
    int sof = 0, sos = 0, rc;

    for (;;) {
        const unsigned char *p = rd_at(r, off, 2);
        unsigned m, len;

        if (!p)
            return damaged(r, err, "JPEG EOI");
        if (p[0] != 0xff)
            return damaged(r, err, "JPEG marker");
        m = p[1];
        if (m == 0xff) { /* fill byte */
            off++;
            continue;
        }
        off += 2;
        if (m == 0xd9) { /* EOI */
            if (!sos)
                return damaged(r, err, sof ? "JPEG SOS" : "JPEG SOF");
            return check_tail(r, off, err);
        }
        if (m == 0x00 || m == 0xd8)
            return damaged(r, err, "JPEG marker");
        if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) /* TEM, RSTn: no length */
            continue;
        p = rd_at(r, off, 2);
        if (!p)
            return damaged(r, err, "JPEG segment");
        len = be16(p);
        if (len < 2 || r->size - off < len)
            return damaged(r, err, "JPEG segment");
        if (jpeg_is_sof(m) && !sof) {
            const unsigned char *f = rd_at(r, off + 2, 6);
            unsigned h, w, n;
            if (!f || len < 8)
                return damaged(r, err, "JPEG SOF");
            h = be16(f + 1);
            w = be16(f + 3);
            n = f[5];
            if (!n || len != 8 + 3 * n)
                return damaged(r, err, "JPEG SOF");
            if (!w || !h)
                return gg_fail(err, GG_EINVAL, "photo", MSG_PHOTO_DIMENSIONS);
            *width = (int)w;
            *height = (int)h;
            sof = 1;
        }
        off += len;
        if (m == 0xda) { /* SOS: entropy-coded data follows */
            if (!sof)
                return damaged(r, err, "JPEG SOF");
            rc = jpeg_skip_scan(r, off, &off, err);
            if (rc)
                return rc;
            sos = 1;
        }
    }
}

int
photo_check(int fd, uint64_t size, enum photo_type *type, int *width,
            int *height, struct gg_err *err)
{
    struct rd r = {.fd = fd, .size = size};
    const unsigned char *p;
    enum photo_type t = 0;
    int w = 0, h = 0, rc;

    r.buf = gg_xmalloc(RD_BUF);
    p = rd_at(&r, 0, size < 8 ? (size_t)size : 8);
    if (p && size >= 8 && !memcmp(p, png_signature, 8)) {
        t = PHOTO_PNG;
        rc = png_walk(&r, &w, &h, err);
    } else if (p && size >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
        t = PHOTO_JPEG;
        rc = jpeg_walk(&r, &w, &h, err);
    } else if (r.io_error) {
        rc = gg_fail(err, GG_EINTERNAL, "photo", MSG_INTERNAL);
    } else {
        rc = gg_fail(err, GG_EINVAL, "photo", MSG_PHOTO_FORMAT);
    }
    free(r.buf);
    if (rc)
        return rc;
    *type = t;
    *width = w;
    *height = h;
    return 0;
}

static const char *
photo_ext(enum photo_type type)
{
    return type == PHOTO_PNG ? "png" : "jpg";
}

static int
fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* BLAKE2b-256 of the whole file behind fd, read from offset 0; with `copy`
 * >= 0 the bytes are also written there. */
static int
hash_file(int fd, int copy, unsigned char out[32])
{
    crypto_generichash_state st;
    unsigned char *buf = gg_xmalloc(RD_BUF);
    off_t off = 0;
    int rc = 0;

    crypto_generichash_init(&st, NULL, 0, 32);
    for (;;) {
        ssize_t k = pread(fd, buf, RD_BUF, off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = -1;
            break;
        }
        if (!k)
            break;
        crypto_generichash_update(&st, buf, (unsigned long long)k);
        if (copy >= 0 && write_all(copy, buf, (size_t)k)) {
            rc = -1;
            break;
        }
        off += k;
    }
    crypto_generichash_final(&st, out, 32);
    free(buf);
    return rc;
}

/* Copies the upload into a temporary file in sub and links that to
 * target: for an upload directory on another file system. */
static int
store_copy(int fd, const unsigned char hash[32], const char *sub,
           const char *target, const char **step)
{
    char tmp[PATH_MAX];
    unsigned char again[32];
    int tfd = -1, rc = -1;

    if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", sub) >=
        sizeof(tmp)) {
        errno = ENAMETOOLONG;
        *step = "copy";
        return -1;
    }
    *step = "mkstemp";
    tfd = mkstemp(tmp); /* mode 0600 */
    if (tfd < 0)
        return -1;
    *step = "copy";
    if (hash_file(fd, tfd, again))
        goto out;
    if (memcmp(again, hash, sizeof(again))) { /* the upload changed */
        errno = EIO;
        goto out;
    }
    *step = "fsync";
    if (fsync(tfd))
        goto out;
    *step = "link";
    if (link(tmp, target) && errno != EEXIST)
        goto out;
    rc = 0;
out:
    close(tfd);
    unlink(tmp);
    return rc;
}

int
photo_store(const char *dir, const char *upload_path, enum photo_type type,
            char hash_out[PHOTO_HASH_HEX + 1], struct gg_err *err)
{
    char hex[PHOTO_HASH_HEX + 1], sub[PATH_MAX], target[PATH_MAX];
    unsigned char h[32];
    const char *step = "open";
    struct stat st;
    int fd = -1, made_sub = 0, rc = 0;

    fd = open(upload_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        goto fail;
    step = "stat";
    if (fstat(fd, &st))
        goto fail;
    if (!S_ISREG(st.st_mode)) {
        errno = EINVAL;
        goto fail;
    }
    step = "read";
    if (hash_file(fd, -1, h))
        goto fail;
    sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
    step = "path";
    if ((size_t)snprintf(sub, sizeof(sub), "%s/%.2s", dir, hex) >=
            sizeof(sub) ||
        (size_t)snprintf(target, sizeof(target), "%s/%s.%s", sub, hex,
                         photo_ext(type)) >= sizeof(target)) {
        errno = ENAMETOOLONG;
        goto fail;
    }
    step = "mkdir";
    if (mkdir(dir, 0700) && errno != EEXIST)
        goto fail;
    if (!mkdir(sub, 0700))
        made_sub = 1;
    else if (errno != EEXIST)
        goto fail;

    if (lstat(target, &st) == 0)
        goto stored; /* same hash, same bytes: keep the one we have */
    step = "fsync";
    if (fchmod(fd, 0600) || fsync(fd))
        goto fail;
    step = "link";
    if (link(upload_path, target) && errno != EEXIST) {
        if (errno != EXDEV)
            goto fail;
        if (store_copy(fd, h, sub, target, &step))
            goto fail;
    }
    step = "fsync dir";
    if (fsync_dir(sub) || (made_sub && fsync_dir(dir)))
        goto fail;
stored:
    unlink(upload_path);
    memcpy(hash_out, hex, sizeof(hex));
    goto out;
fail:
    gg_log(GG_LOG_ERROR, "photo.store", "step=\"%s\" errno=%d error=\"%s\"",
           step, errno, strerror(errno));
    rc = gg_fail(err, GG_EINTERNAL, "photo", MSG_UPLOAD_FAILED);
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

static int
photo_hash_valid(const char *hash)
{
    size_t i;

    if (!hash)
        return 0;
    for (i = 0; i <= PHOTO_HASH_HEX && hash[i]; i++)
        if (!((hash[i] >= '0' && hash[i] <= '9') ||
              (hash[i] >= 'a' && hash[i] <= 'f')))
            return 0;
    return i == PHOTO_HASH_HEX && !hash[i];
}

int
photo_open(const char *dir, const char *hash, int *fd, uint64_t *size,
           const char **content_type, struct gg_err *err)
{
    static const struct {
        enum photo_type type;
        const char *content_type;
    } kinds[] = {{PHOTO_JPEG, "image/jpeg"}, {PHOTO_PNG, "image/png"}};
    char path[PATH_MAX];
    struct stat st;

    if (!photo_hash_valid(hash))
        return gg_fail(err, GG_ENOTFOUND, "photo", MSG_NOT_FOUND);
    for (size_t i = 0; i < GG_ARRAY_LEN(kinds); i++) {
        int f;

        if ((size_t)snprintf(path, sizeof(path), "%s/%.2s/%s.%s", dir, hash,
                             hash, photo_ext(kinds[i].type)) >= sizeof(path))
            return gg_fail(err, GG_EINTERNAL, "photo", MSG_INTERNAL);
        f = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (f < 0 && (errno == ENOENT || errno == ENOTDIR))
            continue;
        if (f < 0 || fstat(f, &st) || !S_ISREG(st.st_mode)) {
            gg_log(GG_LOG_ERROR, "photo.open", "errno=%d error=\"%s\"", errno,
                   strerror(errno));
            if (f >= 0)
                close(f);
            return gg_fail(err, GG_EINTERNAL, "photo", MSG_INTERNAL);
        }
        *fd = f;
        *size = (uint64_t)st.st_size;
        *content_type = kinds[i].content_type;
        return 0;
    }
    return gg_fail(err, GG_ENOTFOUND, "photo", MSG_NOT_FOUND);
}

void
photo_dir(const struct gg_config *cfg, char *out, size_t cap)
{
    const char *db = cfg->db;

    if (cfg->photo_dir[0]) {
        snprintf(out, cap, "%s", cfg->photo_dir);
        return;
    }
    if (!strncmp(db, "sqlite:", 7))
        db += 7;
    snprintf(out, cap, "%s.photos", db);
}

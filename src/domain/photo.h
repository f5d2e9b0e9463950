/*
 * photo.h - case photos (案件照片): checked by content, stored once by hash.
 *
 * The HTTP layer streams an upload to a temporary file; photo_check reads
 * its structure (not just its first bytes) and photo_store moves it into
 * the photo directory under the BLAKE2b-256 of its bytes:
 *
 *     <photo_dir>/ab/<64 hex>.jpg|.png     (ab = the hash's first 2 digits)
 *
 * The same photo uploaded twice is stored once (same hash = same bytes), so
 * records refer to photos by hash and a stored file never changes. Files
 * are mode 0600 in directories of mode 0700. Nothing here deletes a stored
 * photo: one may be shared by several cases.
 *
 * Every function is thread-safe; concurrent stores of the same photo are
 * safe (the second finds the first's file). Errors name the field "photo".
 */
#ifndef DOMAIN_PHOTO_H
#define DOMAIN_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/gg_config.h"
#include "core/gg_err.h"

#define PHOTO_HASH_HEX 64
/* Room for photo_dir()'s answer. */
#define PHOTO_DIR_MAX (GG_CONF_STR_MAX + 16)

enum photo_type { PHOTO_JPEG = 1, PHOTO_PNG };

/* Checks by content that the first `size` bytes of fd are one complete JPEG
 * or PNG image, reading with pread (fd's offset is not moved) through a
 * 64 KiB buffer, whatever the file's size.
 *
 * PNG: the signature; IHDR first, with a valid CRC, non-zero width and
 * height (at most 2^31 - 1) and a valid bit depth / colour type; every
 * chunk whole with a valid CRC; at least one IDAT; IEND.
 * JPEG: SOI; segments walked by their lengths; a SOFn frame header with
 * non-zero width and height before the first SOS; entropy-coded data
 * scanned to its end marker; EOI.
 * Both: after IEND / EOI only zero bytes may follow (padding some devices
 * write); anything else is refused, which also keeps out files that are
 * an image and something else at once.
 *
 * On success sets *type, *width and *height. GG_EINVAL naming "photo"
 * otherwise: MSG_PHOTO_FORMAT (neither JPEG nor PNG, e.g. a GIF or text),
 * MSG_PHOTO_DAMAGED (truncated or corrupt; the argument names the part),
 * MSG_PHOTO_DIMENSIONS (zero width or height), MSG_PHOTO_TRAILING (data
 * after the end). GG_EINTERNAL (MSG_INTERNAL) when fd cannot be read.
 * Outputs are untouched on error. */
int photo_check(int fd, uint64_t size, enum photo_type *type, int *width,
                int *height, struct gg_err *err)
    __attribute__((warn_unused_result));

/* Moves the checked upload at upload_path into dir as dir/ab/<hash>.jpg or
 * .png (after `type`, as photo_check found it: it is not checked again) and
 * writes the hash (64 lower-case hex digits of BLAKE2b-256 over the file's
 * bytes) to hash_out.
 *
 * Creates dir and dir/ab (mode 0700) when missing (not dir's parents). The
 * file gets mode 0600 and is fsync'd before it appears under its name by
 * link(2), then the directory is fsync'd: after a crash the name holds the
 * whole photo or does not exist. When upload_path lies on another file
 * system, it is first copied to a temporary ".tmp-*" file in dir/ab.
 * If the photo is already stored, the existing file is kept.
 *
 * On success the upload is gone (moved or removed); the caller may still
 * close a descriptor it holds and its own unlink will find nothing. On
 * failure the upload is left for the caller to remove: GG_EINTERNAL
 * (MSG_UPLOAD_FAILED; the reason is logged, event photo.store). */
int photo_store(const char *dir, const char *upload_path, enum photo_type type,
                char hash_out[PHOTO_HASH_HEX + 1], struct gg_err *err)
    __attribute__((warn_unused_result));

/* Opens the stored photo with this hash for reading: *fd (O_CLOEXEC; the
 * caller closes it), *size, and *content_type "image/jpeg" or "image/png"
 * (static strings). GG_ENOTFOUND (MSG_NOT_FOUND) when hash is not exactly
 * 64 lower-case hex digits, so no path can be smuggled in, or when no such
 * photo is stored; GG_EINTERNAL (MSG_INTERNAL) when it cannot be opened. */
int photo_open(const char *dir, const char *hash, int *fd, uint64_t *size,
               const char **content_type, struct gg_err *err)
    __attribute__((warn_unused_result));

/* The photo directory: the photo_dir key, or else the database path (cfg->db
 * without a "sqlite:" prefix) followed by ".photos". out holds cap bytes;
 * PHOTO_DIR_MAX is always enough. */
void photo_dir(const struct gg_config *cfg, char *out, size_t cap);

#endif

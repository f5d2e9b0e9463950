/* test_photo.c - case photos (domain/photo): checking JPEG and PNG files by
 * their structure, storing them by hash, opening them again.
 * Every image is made here: PNGs with real CRCs and a zlib-compressed IDAT,
 * baseline greyscale JPEGs that libjpeg decodes without a warning (every
 * block is DC 0 + EOB, one-code Huffman tables). */
#include "unit.h"

#include "core/gg_config.h"
#include "domain/photo.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define IMG_MAX 8192

struct img {
    unsigned char b[IMG_MAX];
    size_t n;
};

static char tmpdir[64];
static int nfiles;

static void
img_put(struct img *m, const void *p, size_t len)
{
    assert_true(m->n + len <= IMG_MAX);
    memcpy(m->b + m->n, p, len);
    m->n += len;
}

static void
img_be32(struct img *m, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    img_put(m, b, 4);
}

static void
png_chunk(struct img *m, const char *type, const void *data, size_t len)
{
    uint32_t crc = (uint32_t)crc32(0L, (const unsigned char *)type, 4);

    if (len)
        crc = (uint32_t)crc32(crc, data, (uInt)len);
    img_be32(m, (uint32_t)len);
    img_put(m, type, 4);
    if (len)
        img_put(m, data, len);
    img_be32(m, crc);
}

/* An RGB PNG of w x h (a gradient), with a tEXt chunk when `text`. */
static void
png_make(struct img *m, uint32_t w, uint32_t h, int text)
{
    static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13], raw[16384], z[16384];
    uLongf zlen = sizeof(z);
    size_t rlen = 0;

    m->n = 0;
    img_put(m, sig, sizeof(sig));
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
        ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering */
    ihdr[12] = 0; /* no interlace */
    png_chunk(m, "IHDR", ihdr, sizeof(ihdr));
    if (text)
        png_chunk(m, "tEXt", "Comment\0gridgov", 15);
    assert_true((size_t)h * (1 + 3 * (size_t)w) <= sizeof(raw));
    for (uint32_t y = 0; y < h; y++) {
        raw[rlen++] = 0; /* filter: none */
        for (uint32_t x = 0; x < w; x++) {
            raw[rlen++] = (unsigned char)(x * 40);
            raw[rlen++] = (unsigned char)(y * 40);
            raw[rlen++] = 0x80;
        }
    }
    assert_int_equal(compress(z, &zlen, raw, rlen), Z_OK);
    png_chunk(m, "IDAT", z, zlen);
    png_chunk(m, "IEND", NULL, 0);
}

/* A baseline greyscale JPEG of w x h, every pixel 128; with `restart`
 * a DRI of one MCU and RSTn markers between MCUs. */
static void
jpeg_make(struct img *m, int w, int h, int restart)
{
    static const unsigned char soi_app0[] = {0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J',
                                             'F',  'I',  'F',  0,    1, 1,  0,
                                             0,    1,    0,    1,    0, 0};
    static const unsigned char dri[] = {0xff, 0xdd, 0, 4, 0, 1};
    static const unsigned char sos[] = {0xff, 0xda, 0, 8, 1, 1, 0x00, 0, 63, 0};
    unsigned char dqt[69] = {0xff, 0xdb, 0, 67, 0};
    /* SOF0: 8 bits, h, w, one component (id 1, 1x1 sampling, table 0) */
    unsigned char sof[13] = {0xff, 0xc0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0};
    /* one code of length 1 for symbol 0: DC "difference 0", AC "EOB" */
    unsigned char dht[2][22] = {{0xff, 0xc4, 0, 20, 0x00, 1},
                                {0xff, 0xc4, 0, 20, 0x10, 1}};
    size_t blocks = (size_t)((w + 7) / 8) * (size_t)((h + 7) / 8);
    unsigned char b;

    m->n = 0;
    sof[5] = (unsigned char)(h >> 8);
    sof[6] = (unsigned char)h;
    sof[7] = (unsigned char)(w >> 8);
    sof[8] = (unsigned char)w;
    memset(dqt + 5, 1, 64);
    img_put(m, soi_app0, sizeof(soi_app0));
    img_put(m, dqt, sizeof(dqt));
    img_put(m, sof, sizeof(sof));
    img_put(m, dht[0], sizeof(dht[0]));
    img_put(m, dht[1], sizeof(dht[1]));
    if (restart)
        img_put(m, dri, sizeof(dri));
    img_put(m, sos, sizeof(sos));
    if (restart) {
        for (size_t i = 0; i < blocks; i++) {
            unsigned char rst[3] = {0x3f, 0xff, (unsigned char)(0xd0 + i % 8)};
            img_put(m, rst, i + 1 < blocks ? 3 : 1);
        }
    } else {
        /* two zero bits a block, padded with one bits */
        for (size_t i = 0; i < 2 * blocks / 8; i++)
            img_put(m, "", 1);
        b = (unsigned char)(0xff >> (2 * blocks % 8));
        if (2 * blocks % 8)
            img_put(m, &b, 1);
    }
    img_put(m, "\xff\xd9", 2);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gg_photo_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
rm_tree(const char *path)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    return system(cmd) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    return rm_tree(tmpdir);
}

/* Writes bytes to a fresh file in the temporary directory; the name is in
 * static storage until the next call. */
static const char *
write_file(const void *data, size_t len)
{
    static char path[128];
    int fd;

    snprintf(path, sizeof(path), "%s/upload-%d", tmpdir, nfiles++);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    return path;
}

/* photo_check over `size` bytes of a file holding data. */
static int
check_sized(const void *data, size_t len, uint64_t size, enum photo_type *type,
            int *w, int *h, struct gg_err *err)
{
    const char *path = write_file(data, len);
    int fd = open(path, O_RDONLY), rc;

    assert_true(fd >= 0);
    gg_err_clear(err);
    rc = photo_check(fd, size, type, w, h, err);
    close(fd);
    unlink(path);
    return rc;
}

static int
check(const void *data, size_t len, enum photo_type *type, int *w, int *h,
      struct gg_err *err)
{
    return check_sized(data, len, len, type, w, h, err);
}

/* Asserts the bytes are refused as a photo with message msg. */
static void
refused(const void *data, size_t len, enum gg_msg_id msg)
{
    enum photo_type t = 0;
    int w = -1, h = -1;
    struct gg_err err;

    assert_int_equal(check(data, len, &t, &w, &h, &err), GG_EINVAL);
    assert_string_equal(err.field, "photo");
    assert_int_equal(err.msg, msg);
    assert_int_equal(t, 0); /* outputs untouched */
    assert_int_equal(w, -1);
}

static void
png_valid(void **state)
{
    struct img m;
    enum photo_type t;
    int w, h;
    struct gg_err err;
    unsigned char padded[IMG_MAX];

    (void)state;
    png_make(&m, 3, 2, 0);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(t, PHOTO_PNG);
    assert_int_equal(w, 3);
    assert_int_equal(h, 2);

    png_make(&m, 64, 40, 1);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(w, 64);
    assert_int_equal(h, 40);

    /* zero padding after IEND is accepted */
    memcpy(padded, m.b, m.n);
    memset(padded + m.n, 0, 100);
    assert_int_equal(check(padded, m.n + 100, &t, &w, &h, &err), 0);
    /* only the first `size` bytes count */
    padded[m.n + 50] = 'x';
    assert_int_equal(check_sized(padded, m.n + 100, m.n, &t, &w, &h, &err), 0);
    refused(padded, m.n + 100, MSG_PHOTO_TRAILING);
}

static void
png_palette(void **state)
{
    static const unsigned char sig[8] = {0x89, 'P',  'N',  'G',
                                         '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13] = {0, 0, 0, 2, 0, 0, 0, 1, 8, 3, 0, 0, 0};
    unsigned char plte[6] = {0, 0, 0, 255, 255, 255}, raw[3] = {0, 0, 1};
    unsigned char z[64];
    uLongf zlen = sizeof(z);
    struct img m = {.n = 0};
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    assert_int_equal(compress(z, &zlen, raw, sizeof(raw)), Z_OK);
    img_put(&m, sig, 8);
    png_chunk(&m, "IHDR", ihdr, sizeof(ihdr));
    png_chunk(&m, "PLTE", plte, sizeof(plte));
    png_chunk(&m, "IDAT", z, zlen);
    png_chunk(&m, "IEND", NULL, 0);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(w, 2);
    assert_int_equal(h, 1);

    /* a palette image without its palette */
    m.n = 0;
    img_put(&m, sig, 8);
    png_chunk(&m, "IHDR", ihdr, sizeof(ihdr));
    png_chunk(&m, "IDAT", z, zlen);
    png_chunk(&m, "IEND", NULL, 0);
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);

    /* 16-bit palette: no such thing */
    ihdr[8] = 16;
    m.n = 0;
    img_put(&m, sig, 8);
    png_chunk(&m, "IHDR", ihdr, sizeof(ihdr));
    png_chunk(&m, "PLTE", plte, sizeof(plte));
    png_chunk(&m, "IDAT", z, zlen);
    png_chunk(&m, "IEND", NULL, 0);
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
}

static void
jpeg_valid(void **state)
{
    struct img m;
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    jpeg_make(&m, 1, 1, 0);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(t, PHOTO_JPEG);
    assert_int_equal(w, 1);
    assert_int_equal(h, 1);

    jpeg_make(&m, 640, 9, 0);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(w, 640);
    assert_int_equal(h, 9);

    jpeg_make(&m, 17, 300, 1);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), 0);
    assert_int_equal(w, 17);
    assert_int_equal(h, 300);

    /* zero padding after EOI */
    memset(m.b + m.n, 0, 16);
    assert_int_equal(check(m.b, m.n + 16, &t, &w, &h, &err), 0);
    m.b[m.n + 15] = 1;
    refused(m.b, m.n + 16, MSG_PHOTO_TRAILING);
}

/* Segments are walked by their lengths, so markers inside them (an EXIF
 * thumbnail's EOI) do not count; stuffed 0xFF00 and fill bytes in the
 * entropy-coded data do not end a scan; a progressive file has several. */
static void
jpeg_structure(void **state)
{
    static const unsigned char app1[] = {
        0xff, 0xe1, 0,    14,   'E',  'x',  'i',  'f',
        0,    0,    0xff, 0xd8, 0xff, 0xd9, 0xff, 0xd9}; /* a "thumbnail" */
    static const unsigned char com[] = {0xff, 0xfe, 0, 2};
    static const unsigned char scan2[] = {
        /* the first scan goes on: stuffing, RST3, fill bytes */
        0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56, 0xff, 0xff,
        /* DHT: AC table 0, one code of length 1, symbol 0 */
        0xff, 0xc4, 0, 20, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0,
        /* SOS of the second scan, and its data */
        0xff, 0xda, 0, 8, 1, 1, 0x00, 1, 63, 0, 0xab, 0xff, 0x00};
    struct img m, x;
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    jpeg_make(&m, 8, 8, 0);
    /* insert APP1 and COM after SOI/APP0 (20 bytes) */
    x.n = 0;
    img_put(&x, m.b, 20);
    img_put(&x, app1, sizeof(app1));
    img_put(&x, com, sizeof(com));
    img_put(&x, m.b + 20, m.n - 20);
    assert_int_equal(check(x.b, x.n, &t, &w, &h, &err), 0);
    assert_int_equal(w, 8);

    /* a second scan with stuffing, a restart marker, fill bytes and a
     * table between the scans, before EOI */
    x.n = 0;
    img_put(&x, m.b, m.n - 2);
    img_put(&x, scan2, sizeof(scan2));
    img_put(&x, "\xff\xd9", 2);
    assert_int_equal(check(x.b, x.n, &t, &w, &h, &err), 0);
    assert_int_equal(h, 8);
}

static void
not_images(void **state)
{
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00"
                                       "\xff\xff\xff\x00\x00\x00!\xf9\x04\x01"
                                       "\x00\x00\x00\x00,\x00\x00\x00\x00\x01"
                                       "\x00\x01\x00\x00\x02\x02D\x01\x00;";
    static const char text[] = "姓名,身份证号\n张三,110101199003070011\n";
    static const unsigned char garbage[] = {
        0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 'h', 'e', 'l', 'l', 'o',
        ' ',  'w', 'o', 'r', 'l',  'd',  '!',  0,    1,   2,   3,   4,   5};
    static const unsigned char bmp[] = "BM\x3a\x00\x00\x00\x00\x00";
    static const unsigned char webp[] = "RIFF\x1a\x00\x00\x00WEBPVP8L";
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    refused("", 0, MSG_PHOTO_FORMAT);
    refused(gif, sizeof(gif) - 1, MSG_PHOTO_FORMAT);
    refused(text, strlen(text), MSG_PHOTO_FORMAT);
    refused(bmp, sizeof(bmp) - 1, MSG_PHOTO_FORMAT);
    refused(webp, sizeof(webp) - 1, MSG_PHOTO_FORMAT);
    refused("\xff\xd8", 2, MSG_PHOTO_FORMAT);
    refused("\xff\xd8\xff", 3, MSG_PHOTO_DAMAGED);
    refused("\xff\xd8\x00\x00", 4, MSG_PHOTO_FORMAT);
    refused(garbage, sizeof(garbage), MSG_PHOTO_DAMAGED);
    /* a file that cannot be read */
    assert_int_equal(photo_check(-1, 100, &t, &w, &h, &err), GG_EINTERNAL);
    assert_string_equal(err.field, "photo");
}

static void
png_broken(void **state)
{
    struct img m, good;
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    png_make(&good, 4, 4, 1);

    /* every truncation */
    for (size_t n = 0; n < good.n; n++) {
        assert_int_equal(check(good.b, n, &t, &w, &h, &err), GG_EINVAL);
        assert_string_equal(err.field, "photo");
        assert_true(err.msg == (n < 8 ? MSG_PHOTO_FORMAT : MSG_PHOTO_DAMAGED));
    }
    /* the caller says the file is longer than it is */
    assert_int_equal(check_sized(good.b, good.n, good.n + 10, &t, &w, &h, &err),
                     GG_EINVAL);
    assert_int_equal(err.msg, MSG_PHOTO_DAMAGED);

    /* IHDR's CRC */
    m = good;
    m.b[8 + 8 + 13 + 3] ^= 1;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), GG_EINVAL);
    assert_string_equal(err.arg, "PNG IHDR CRC");
    /* a byte of the image data */
    m = good;
    m.b[m.n - 12 - 6] ^= 0x10;
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), GG_EINVAL);
    assert_string_equal(err.arg, "PNG IDAT CRC");
    /* a chunk length running past the end */
    m = good;
    m.b[8 + 25 + 1] = 0x7f;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* no IEND */
    refused(good.b, good.n - 12, MSG_PHOTO_DAMAGED);
    /* IEND right after IHDR: no image data */
    m.n = 0;
    img_put(&m, good.b, 8 + 25);
    png_chunk(&m, "IEND", NULL, 0);
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* something else first */
    m.n = 0;
    img_put(&m, good.b, 8);
    png_chunk(&m, "tEXt", "a\0b", 3);
    img_put(&m, good.b + 8, good.n - 8);
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* zero width, zero height, with correct CRCs */
    png_make(&m, 0, 4, 0);
    refused(m.b, m.n, MSG_PHOTO_DIMENSIONS);
    png_make(&m, 4, 0, 0);
    refused(m.b, m.n, MSG_PHOTO_DIMENSIONS);
    /* data after IEND */
    m = good;
    img_put(&m, "PK\x03\x04", 4);
    refused(m.b, m.n, MSG_PHOTO_TRAILING);
}

static void
jpeg_broken(void **state)
{
    struct img m, good;
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    jpeg_make(&good, 17, 9, 1);

    /* every truncation, EOI included */
    for (size_t n = 0; n < good.n; n++) {
        assert_int_equal(check(good.b, n, &t, &w, &h, &err), GG_EINVAL);
        assert_string_equal(err.field, "photo");
        assert_true(err.msg == (n < 3 ? MSG_PHOTO_FORMAT : MSG_PHOTO_DAMAGED));
    }
    /* without EOI */
    assert_int_equal(check(good.b, good.n - 2, &t, &w, &h, &err), GG_EINVAL);
    assert_string_equal(err.arg, "JPEG EOI");
    /* EOI replaced by zeros */
    m = good;
    m.b[m.n - 2] = m.b[m.n - 1] = 0;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* zero height and zero width in SOF0 (after SOI, APP0, DQT) */
    m = good;
    m.b[20 + 69 + 5] = m.b[20 + 69 + 6] = 0;
    refused(m.b, m.n, MSG_PHOTO_DIMENSIONS);
    m = good;
    m.b[20 + 69 + 7] = m.b[20 + 69 + 8] = 0;
    refused(m.b, m.n, MSG_PHOTO_DIMENSIONS);
    /* SOF0's length disagrees with its component count */
    m = good;
    m.b[20 + 69 + 9] = 2;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* no SOF at all: SOF0 turned into an APP15 */
    m = good;
    m.b[20 + 69 + 1] = 0xef;
    assert_int_equal(check(m.b, m.n, &t, &w, &h, &err), GG_EINVAL);
    assert_string_equal(err.arg, "JPEG SOF");
    /* a segment length running past the end */
    m = good;
    m.b[20 + 2] = 0x7f;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* something that is not a marker where one belongs */
    m = good;
    m.b[20] = 0x00;
    refused(m.b, m.n, MSG_PHOTO_DAMAGED);
    /* SOI then straight to EOI */
    refused("\xff\xd8\xff\xd9", 4, MSG_PHOTO_DAMAGED);
    /* a ZIP appended after EOI */
    m = good;
    img_put(&m, "PK\x03\x04\x14\x00", 6);
    refused(m.b, m.n, MSG_PHOTO_TRAILING);
}

/* Every byte flipped in turn: the checker must answer, never crash or read
 * out of bounds (the sanitizer build watches). */
static void
flipped_bytes(void **state)
{
    struct img imgs[2], m;
    enum photo_type t;
    int w, h;
    struct gg_err err;

    (void)state;
    png_make(&imgs[0], 5, 3, 1);
    jpeg_make(&imgs[1], 20, 20, 1);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < imgs[k].n; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                int rc;
                m = imgs[k];
                m.b[i] ^= (unsigned char)(1 << bit);
                rc = check(m.b, m.n, &t, &w, &h, &err);
                assert_true(rc == 0 || rc == GG_EINVAL);
                if (rc)
                    assert_string_equal(err.field, "photo");
                else
                    assert_true(w > 0 && h > 0);
            }
        }
    }
}

static void
hash_of(const struct img *m, char out[65])
{
    unsigned char h[32];

    crypto_generichash(h, sizeof(h), m->b, m->n, NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

static int
count_files(const char *dir)
{
    char cmd[256], line[64];
    FILE *p;
    int n = 0;

    snprintf(cmd, sizeof(cmd), "find '%s' -type f | wc -l", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    if (fgets(line, sizeof(line), p))
        n = (int)strtol(line, NULL, 10);
    pclose(p);
    return n;
}

static void
store_and_open(void **state)
{
    char dir[128], want[65], hash[65], again[65], path[256], upload[128];
    struct img jpg, png;
    struct gg_err err;
    struct stat st;
    const char *ctype = NULL;
    uint64_t size = 0;
    unsigned char back[IMG_MAX];
    int fd = -1;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/photos", tmpdir);
    jpeg_make(&jpg, 32, 24, 0);
    hash_of(&jpg, want);

    snprintf(upload, sizeof(upload), "%s", write_file(jpg.b, jpg.n));
    assert_int_equal(photo_store(dir, upload, PHOTO_JPEG, hash, &err), 0);
    assert_string_equal(hash, want);
    assert_int_equal(access(upload, F_OK), -1); /* moved */
    snprintf(path, sizeof(path), "%s/%.2s/%s.jpg", dir, want, want);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, (off_t)jpg.n);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/%.2s", dir, want);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    /* the same bytes again: same hash, still one file, upload removed */
    snprintf(upload, sizeof(upload), "%s", write_file(jpg.b, jpg.n));
    assert_int_equal(photo_store(dir, upload, PHOTO_JPEG, again, &err), 0);
    assert_string_equal(again, hash);
    assert_int_equal(access(upload, F_OK), -1);
    assert_int_equal(count_files(dir), 1);

    /* a PNG beside it */
    png_make(&png, 7, 5, 0);
    snprintf(upload, sizeof(upload), "%s", write_file(png.b, png.n));
    assert_int_equal(photo_store(dir, upload, PHOTO_PNG, again, &err), 0);
    hash_of(&png, want);
    assert_string_equal(again, want);
    assert_int_equal(count_files(dir), 2);

    /* open both */
    assert_int_equal(photo_open(dir, hash, &fd, &size, &ctype, &err), 0);
    assert_int_equal(size, jpg.n);
    assert_string_equal(ctype, "image/jpeg");
    assert_int_equal(read(fd, back, sizeof(back)), (ssize_t)jpg.n);
    assert_memory_equal(back, jpg.b, jpg.n);
    close(fd);
    assert_int_equal(photo_open(dir, again, &fd, &size, &ctype, &err), 0);
    assert_int_equal(size, png.n);
    assert_string_equal(ctype, "image/png");
    close(fd);
}

static void
open_bad_hashes(void **state)
{
    char dir[128], upper[65], hash[65], longer[70], upload[128];
    const char *bad[] = {"../etc",
                         "../../../../etc/passwd",
                         "",
                         NULL,
                         upper,
                         longer,
                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcde",
                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcdeg",
                         "0123456789abcdef0123456789abcdef0123456789abcdef"
                         "0123456789abcdef", /* well-formed, not stored */
                         "ab/../../../../../../../../../../../../etc/passwd"
                         "aaaaaaaaaaaaaa"};
    struct img jpg;
    struct gg_err err;
    const char *ctype;
    uint64_t size;
    int fd = -1;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/photos2", tmpdir);
    jpeg_make(&jpg, 8, 16, 0);
    snprintf(upload, sizeof(upload), "%s", write_file(jpg.b, jpg.n));
    assert_int_equal(photo_store(dir, upload, PHOTO_JPEG, hash, &err), 0);
    for (int i = 0; i < 64; i++)
        upper[i] = (char)(hash[i] >= 'a' ? hash[i] - 32 : hash[i]);
    upper[64] = '\0';
    snprintf(longer, sizeof(longer), "%s0", hash);
    for (size_t i = 0; i < GG_ARRAY_LEN(bad); i++) {
        gg_err_clear(&err);
        assert_int_equal(photo_open(dir, bad[i], &fd, &size, &ctype, &err),
                         GG_ENOTFOUND);
        assert_int_equal(err.msg, MSG_NOT_FOUND);
        assert_int_equal(fd, -1);
    }
    assert_int_equal(photo_open(dir, hash, &fd, &size, &ctype, &err), 0);
    close(fd);
    /* nothing stored yet */
    fd = -1;
    assert_int_equal(
        photo_open("/nonexistent/photos", hash, &fd, &size, &ctype, &err),
        GG_ENOTFOUND);
}

static void
store_failures(void **state)
{
    char dir[256], hash[65] = "", upload[128];
    struct img jpg;
    struct gg_err err;

    (void)state;
    jpeg_make(&jpg, 8, 8, 0);
    /* the directory cannot be made: its parent is a file */
    snprintf(upload, sizeof(upload), "%s", write_file(jpg.b, jpg.n));
    snprintf(dir, sizeof(dir), "%s/photos", upload);
    assert_int_equal(photo_store(dir, upload, PHOTO_JPEG, hash, &err),
                     GG_EINTERNAL);
    assert_string_equal(err.field, "photo");
    assert_int_equal(err.msg, MSG_UPLOAD_FAILED);
    assert_int_equal(access(upload, F_OK), 0); /* left to the caller */
    assert_string_equal(hash, "");
    unlink(upload);
    /* no upload */
    snprintf(dir, sizeof(dir), "%s/photos3", tmpdir);
    assert_int_equal(photo_store(dir, upload, PHOTO_JPEG, hash, &err),
                     GG_EINTERNAL);
}

/* An upload on another file system is copied, not linked. */
static void
store_across_file_systems(void **state)
{
    char dir[128], hash[65], want[65], upload[128], path[256];
    struct stat a, b;
    struct img png;
    struct gg_err err;
    int fd;

    (void)state;
    if (stat("/dev/shm", &a) || stat(tmpdir, &b) || a.st_dev == b.st_dev ||
        access("/dev/shm", W_OK))
        skip();
    snprintf(upload, sizeof(upload), "/dev/shm/gg_photo_upload_%d",
             (int)getpid());
    png_make(&png, 2, 2, 0);
    fd = open(upload, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, png.b, png.n), (ssize_t)png.n);
    close(fd);
    snprintf(dir, sizeof(dir), "%s/photos4", tmpdir);
    assert_int_equal(photo_store(dir, upload, PHOTO_PNG, hash, &err), 0);
    hash_of(&png, want);
    assert_string_equal(hash, want);
    assert_int_equal(access(upload, F_OK), -1);
    snprintf(path, sizeof(path), "%s/%.2s/%s.png", dir, hash, hash);
    assert_int_equal(stat(path, &a), 0);
    assert_int_equal(a.st_mode & 0777, 0600);
    assert_int_equal(a.st_size, (off_t)png.n);
    assert_int_equal(count_files(dir), 1); /* no temporary file left */
}

static void
photo_dir_default(void **state)
{
    struct gg_config *cfg = calloc(1, sizeof(*cfg));
    char out[PHOTO_DIR_MAX];

    (void)state;
    assert_non_null(cfg);
    gg_config_defaults(cfg);
    photo_dir(cfg, out, sizeof(out));
    assert_string_equal(out, "gridgov.db.photos");
    snprintf(cfg->db, sizeof(cfg->db), "sqlite:/var/lib/gridgov/g.db");
    photo_dir(cfg, out, sizeof(out));
    assert_string_equal(out, "/var/lib/gridgov/g.db.photos");
    snprintf(cfg->photo_dir, sizeof(cfg->photo_dir), "/srv/photos");
    photo_dir(cfg, out, sizeof(out));
    assert_string_equal(out, "/srv/photos");
    free(cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(png_valid),
        cmocka_unit_test(png_palette),
        cmocka_unit_test(jpeg_valid),
        cmocka_unit_test(jpeg_structure),
        cmocka_unit_test(not_images),
        cmocka_unit_test(png_broken),
        cmocka_unit_test(jpeg_broken),
        cmocka_unit_test(flipped_bytes),
        cmocka_unit_test(store_and_open),
        cmocka_unit_test(open_bad_hashes),
        cmocka_unit_test(store_failures),
        cmocka_unit_test(store_across_file_systems),
        cmocka_unit_test(photo_dir_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

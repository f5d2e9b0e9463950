/*
 * gg_sheet.c - streaming CSV/XLSX reader and XLSX writer (see gg_sheet.h).
 *
 * In order: the row being built (shared by both formats); CSV (sniffing,
 * GB18030 decoding, the RFC 4180 state machine); ZIP (central directory and
 * entry streams); the XLSX parts read whole (workbook, relationships,
 * styles, shared strings); the worksheet stream; the public reader; the
 * writer.
 *
 * The ZIP reader is our own, on zlib's raw inflate, rather than minizip:
 * we must judge every entry's declared sizes and compression ratio before
 * inflating a byte, hold the inflated size and CRC to what the directory
 * declared while streaming, and read at offsets (pread) instead of through
 * a shared file position. Those checks are most of what such a reader is,
 * and the rest is small.
 *
 * The worksheet is parsed with expat, which pushes events; to hand out one
 * row per call we suspend the parser at each </row> (XML_StopParser with
 * resumable set) and resume it on the next call.
 */
#include "core/gg.h"
#include "core/gg_buf.h"
#include "core/gg_mem.h"
#include "core/gg_parse.h"
#include "core/gg_sheet.h"

#include <expat.h>
#include <fcntl.h>
#include <iconv.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zlib.h>

#define SHEET_FIELD "file"

#define CSV_CHUNK (256 * 1024) /* bytes read at a time */
#define CSV_SNIFF (64 * 1024)  /* bytes the encoding is judged on */

#define ZIP_CHUNK (64 * 1024)
#define ZIP_MAX_DIR (64u << 20)
/* Small parts may compress well beyond the ratio without being bombs (a
 * styles.xml of repeated entries); the ratio is judged above this size. */
#define ZIP_RATIO_FLOOR (1u << 20)
/* Bytes expat may hold without reporting anything (one giant tag or
 * comment in the streamed worksheet). */
#define XML_MAX_PENDING (16u << 20)

#define ROW_EMPTY UINT32_MAX
#define XLSX_PATH 256

static int
sheet_fail_line(struct gg_err *err, int code, enum gg_msg_id msg, int64_t line)
{
    return gg_failf(err, code, SHEET_FIELD, msg, "%" PRId64, line);
}

/* ------------------------------------------------------------------ */
/* The row being built: every cell's bytes, NUL-terminated, one after the
 * other in one buffer; off[] finds them (ROW_EMPTY for a gap). */

struct sheet_row {
    char *buf;
    size_t len, alloc;
    size_t cell_start; /* where the cell being built begins */
    size_t n;
    uint32_t off[GG_SHEET_MAX_COLS];
    const char *ptr[GG_SHEET_MAX_COLS];
};

static void
row_reserve(struct sheet_row *r, size_t extra)
{
    size_t alloc = r->alloc ? r->alloc : 4096;

    if (r->len + extra <= r->alloc)
        return;
    while (alloc < r->len + extra)
        alloc *= 2;
    r->buf = gg_xrealloc(r->buf, alloc);
    r->alloc = alloc;
}

static void
row_reset(struct sheet_row *r)
{
    r->len = 0;
    r->cell_start = 0;
    r->n = 0;
}

/* Appends to the cell being built (CSV); GG_ETOOBIG past the cell limit. */
static int
row_append(struct sheet_row *r, const void *p, size_t n)
{
    if (r->len - r->cell_start + n > GG_SHEET_MAX_CELL)
        return GG_ETOOBIG;
    row_reserve(r, n + 1);
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return 0;
}

/* Ends the cell being built as the next column; the caller has checked
 * the column limit. */
static void
row_end_cell(struct sheet_row *r)
{
    row_reserve(r, 1);
    r->buf[r->len++] = '\0';
    r->off[r->n++] = (uint32_t)r->cell_start;
    r->cell_start = r->len;
}

/* Puts a whole cell at column col (XLSX): GG_ETOOBIG for a long cell,
 * GG_EINVAL for a column given twice. */
static int
row_put(struct sheet_row *r, size_t col, const char *p, size_t n)
{
    if (n > GG_SHEET_MAX_CELL)
        return GG_ETOOBIG;
    if (col < r->n && r->off[col] != ROW_EMPTY)
        return GG_EINVAL;
    while (r->n <= col)
        r->off[r->n++] = ROW_EMPTY;
    row_reserve(r, n + 1);
    memcpy(r->buf + r->len, p, n);
    r->off[col] = (uint32_t)r->len;
    r->len += n;
    r->buf[r->len++] = '\0';
    return 0;
}

static void
row_finish(struct sheet_row *r)
{
    for (size_t i = 0; i < r->n; i++)
        r->ptr[i] = r->off[i] == ROW_EMPTY ? "" : r->buf + r->off[i];
}

/* ------------------------------------------------------------------ */
/* The reader */

enum csv_state { CSV_FIELD, CSV_UNQUOTED, CSV_QUOTED, CSV_QUOTE };

struct csv {
    char *raw;                    /* CSV_CHUNK bytes read from the file */
    size_t raw_len;               /* GB18030: bytes not converted yet */
    char *text;                   /* GB18030: converted text */
    const unsigned char *p, *end; /* text not parsed yet */
    iconv_t cd;                   /* (iconv_t)-1 for UTF-8 */
    int eof, skip_lf, in_record, quoted, converted;
    enum csv_state state;
    unsigned char sep;
    unsigned char stop[256]; /* bytes that end an unquoted run */
    int64_t line;            /* physical line at p */
    int64_t text_lines;      /* GB18030: newlines converted so far */
    int64_t bad_line;        /* GB18030: line of undecodable bytes */
};

struct zip_entry {
    const char *name;
    uint16_t method, flags;
    uint32_t crc;
    uint64_t csize, usize, offset; /* offset of the local header */
};

struct zip_stream {
    const struct zip_entry *e;
    z_stream z;
    int inflating, ended;
    uint64_t pos, left; /* next compressed byte in the file, bytes left */
    uint64_t out;       /* bytes produced */
    uint32_t crc;
    unsigned char *in;
};

enum cell_type { CELL_NUM, CELL_SST, CELL_TEXT, CELL_BOOL };
enum date_kind { DATE_NONE, DATE_DAY, DATE_TIME };

struct numfmt {
    uint32_t id;
    uint8_t kind;
};

struct xlsx {
    struct zip_entry *ent;
    size_t nent;
    char *names;
    /* workbook and relationships */
    char rid[128];
    char sheet_path[XLSX_PATH], sst_path[XLSX_PATH], styles_path[XLSX_PATH];
    int has_workbook, date1904;
    /* styles: the date kind of each cell format */
    struct numfmt *fmts;
    size_t nfmts;
    uint8_t *xf;
    size_t nxf;
    int in_cellxfs;
    /* shared strings, NUL-terminated in one buffer; sst_off has a sentinel */
    char *sst;
    size_t sst_len, sst_alloc;
    uint32_t *sst_off;
    size_t sst_n, sst_cap;
    int in_si, in_t, rph;
    /* the worksheet stream */
    XML_Parser sheet;
    const struct zip_entry *sheet_entry;
    struct zip_stream st;
    int suspended, final, ready, in_cell, in_is, collect;
    uint64_t fed, seen;
    int64_t row_num;
    size_t next_col, col;
    enum cell_type type;
    uint32_t style;
    struct gg_buf val;
};

struct gg_sheet {
    enum gg_sheet_format format;
    const char *encoding;
    int fd;
    uint64_t size, done;
    int at_end;
    int64_t line;
    struct sheet_row row;
    int failed;
    struct gg_err fail;
    XML_Parser xml; /* the parser running now, for handlers */
    int cb_rc;      /* set by a handler that stopped it */
    struct gg_err *cb_err;
    struct csv csv;
    struct xlsx x;
};

static int
read_full(int fd, void *buf, size_t n, size_t *got)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r = read(fd, (char *)buf + done, n - done);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *got = done;
    return 0;
}

/* 0 when all n bytes at off were read. */
static int
pread_full(int fd, void *buf, size_t n, uint64_t off)
{
    size_t done = 0;

    while (done < n) {
        ssize_t r =
            pread(fd, (char *)buf + done, n - done, (off_t)(off + done));

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        done += (size_t)r;
    }
    return 0;
}

static int
sheet_read_error(struct gg_err *err)
{
    return gg_fail(err, GG_EINTERNAL, SHEET_FIELD, MSG_SHEET_READ);
}

/* ------------------------------------------------------------------ */
/* CSV: sniffing */

/* Text has no NUL and hardly any other control bytes. */
static int
csv_looks_binary(const unsigned char *p, size_t n)
{
    size_t controls = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == 0)
            return 1;
        if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            controls++;
    }
    return controls * 100 > n;
}

static size_t
utf8_seq_len(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/*
 * UTF-8 or not: GB18030 text read as UTF-8 is mostly invalid sequences
 * (about one pair in ten happens to be valid), while UTF-8 text with a
 * stray bad byte is mostly valid ones. The latter stays UTF-8 so that the
 * bad line is reported rather than the whole file garbled. A sequence cut
 * by the end of the sample (cut) is not held against it.
 */
static int
csv_looks_utf8(const unsigned char *p, size_t n, int cut)
{
    size_t good = 0, bad = 0, i = 0;

    while (i < n) {
        size_t len = p[i] < 0x80 ? 1 : utf8_seq_len(p[i]);

        if (len == 1) {
            i++;
        } else if (len && i + len > n && cut) {
            break;
        } else if (len && i + len <= n &&
                   gg_utf8_valid((const char *)p + i, len)) {
            good++;
            i += len;
        } else {
            bad++;
            i++;
        }
    }
    return bad == 0 || good >= 3 * bad;
}

/* The header line's separator: a tab if it has more tabs than commas. */
static unsigned char
csv_guess_sep(const unsigned char *p, size_t n)
{
    size_t commas = 0, tabs = 0;
    int quoted = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            quoted = !quoted;
        else if (quoted)
            continue;
        else if (p[i] == '\n' || p[i] == '\r')
            break;
        else if (p[i] == ',')
            commas++;
        else if (p[i] == '\t')
            tabs++;
    }
    return tabs > commas ? '\t' : ',';
}

/* The first chunk (n bytes) is in c->raw. */
static int
csv_open(struct gg_sheet *s, size_t n, struct gg_err *err)
{
    struct csv *c = &s->csv;
    const unsigned char *u = (const unsigned char *)c->raw;
    size_t sniff = n < CSV_SNIFF ? n : CSV_SNIFF;
    size_t bom = n >= 3 && memcmp(u, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;

    if (csv_looks_binary(u, sniff))
        return gg_fail(err, GG_EMEDIA, SHEET_FIELD, MSG_SHEET_FORMAT);
    s->format = GG_SHEET_CSV;
    c->line = 1;
    c->eof = n < CSV_CHUNK;
    /* GB18030 never uses these ASCII bytes inside a character, so the raw
     * bytes can be searched whatever the encoding. */
    c->sep = csv_guess_sep(u + bom, sniff - bom);
    c->stop[c->sep] = c->stop['\n'] = c->stop['\r'] = 1;
    if (bom || csv_looks_utf8(u, sniff, sniff < n)) {
        s->encoding = "UTF-8";
        c->p = u + bom;
        c->end = u + n;
        return 0;
    }
    c->cd = iconv_open("UTF-8", "GB18030");
    if (c->cd == (iconv_t)-1)
        return sheet_read_error(err);
    s->encoding = "GB18030";
    /* GB18030 grows by at most half in UTF-8 (two bytes become three). */
    c->text = gg_xmalloc(2 * CSV_CHUNK);
    c->raw_len = n;
    return 0;
}

/* ------------------------------------------------------------------ */
/* CSV: reading and decoding */

static int64_t
count_newlines(const char *p, size_t n)
{
    const char *end = p + n;
    int64_t lines = 0;

    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        lines++;
        p++;
    }
    return lines;
}

static int
csv_fill_utf8(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    size_t got;

    if (c->eof)
        return 0;
    if (read_full(s->fd, c->raw, CSV_CHUNK, &got))
        return sheet_read_error(err);
    s->done += got;
    c->eof = got < CSV_CHUNK;
    c->p = (const unsigned char *)c->raw;
    c->end = c->p + got;
    return got > 0;
}

/* Tops up c->raw behind the bytes iconv left over. */
static int
csv_read_more(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    size_t want = CSV_CHUNK - c->raw_len, got;

    if (c->eof || want == 0)
        return 0;
    if (read_full(s->fd, c->raw + c->raw_len, want, &got))
        return sheet_read_error(err);
    s->done += got;
    c->raw_len += got;
    c->eof = got < want;
    return 0;
}

/*
 * Converts what c->raw holds; returns the bytes of text made. Bytes that
 * are not GB18030 (or a character cut by the end of the file) set
 * bad_line; the text before them is still handed out, so every good row
 * before the bad line is read first.
 */
static size_t
csv_convert(struct csv *c)
{
    char *in = c->raw, *out = c->text;
    size_t inleft = c->raw_len, outleft = 2 * CSV_CHUNK, made;
    int bad = 0;

    if (iconv(c->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
        bad = errno != EINVAL || c->eof;
    made = (size_t)(out - c->text);
    c->text_lines += count_newlines(c->text, made);
    if (bad)
        c->bad_line = c->text_lines + 1;
    memmove(c->raw, in, inleft);
    c->raw_len = inleft;
    c->p = (const unsigned char *)c->text;
    c->end = c->p + made;
    /* A GB18030 byte order mark converts to UTF-8's. */
    if (!c->converted && made >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
    c->converted = 1;
    return made;
}

static int
csv_fill_gb(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    int rc;

    for (;;) {
        if (c->bad_line)
            return sheet_fail_line(err, GG_EINVAL, MSG_SHEET_ENCODING,
                                   c->bad_line);
        rc = csv_read_more(s, err);
        if (rc)
            return rc;
        if (c->raw_len == 0)
            return 0;
        if (csv_convert(c) > 0)
            return 1;
    }
}

/* Makes c->p..c->end the next text; 0 at the end of the file. */
static int
csv_fill(struct gg_sheet *s, struct gg_err *err)
{
    return s->csv.cd == (iconv_t)-1 ? csv_fill_utf8(s, err)
                                    : csv_fill_gb(s, err);
}

/* ------------------------------------------------------------------ */
/* CSV: records */

static int
csv_add(struct gg_sheet *s, const unsigned char *p, size_t n,
        struct gg_err *err)
{
    if (n && row_append(&s->row, p, n))
        return sheet_fail_line(err, GG_ETOOBIG, MSG_SHEET_CELL_TOO_LONG,
                               s->line);
    return 0;
}

/* UTF-8 input is checked cell by cell: a cell always holds whole
 * characters, since the delimiters are ASCII. */
static int
csv_end_cell(struct gg_sheet *s, struct gg_err *err)
{
    struct sheet_row *r = &s->row;
    const char *cell = r->buf + r->cell_start;
    size_t len = r->len - r->cell_start;

    if (len && (!gg_utf8_valid(cell, len) || memchr(cell, 0, len)))
        return sheet_fail_line(err, GG_EINVAL, MSG_SHEET_ENCODING, s->csv.line);
    row_end_cell(r);
    return 0;
}

/* A separator or line end after a cell: 1 when it ends the record. */
static int
csv_delim(struct gg_sheet *s, unsigned char ch, struct gg_err *err)
{
    struct csv *c = &s->csv;
    int rc = csv_end_cell(s, err);

    if (rc)
        return rc;
    if (ch == c->sep) {
        if (s->row.n == GG_SHEET_MAX_COLS)
            return sheet_fail_line(err, GG_ETOOBIG, MSG_SHEET_COLUMNS, s->line);
        c->state = CSV_FIELD;
        return 0;
    }
    c->line++;
    c->skip_lf = ch == '\r';
    return 1;
}

static const unsigned char *
csv_quoted_run(struct csv *c, const unsigned char *p, const unsigned char *end)
{
    while (p < end && *p != '"') {
        if (*p == '\n')
            c->line++;
        p++;
    }
    return p;
}

/* Parses the text into the row: 1 when a record ended, 0 when the text
 * ran out first, or an error. */
static int
csv_scan(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    const unsigned char *p = c->p, *end = c->end, *q;
    int rc = 0;

    if (c->skip_lf && *p == '\n')
        p++;
    c->skip_lf = 0;
    while (p < end && rc == 0) {
        switch (c->state) {
        case CSV_FIELD:
            c->in_record = 1;
            c->state = *p == '"' ? CSV_QUOTED : CSV_UNQUOTED;
            if (*p == '"') {
                c->quoted = 1;
                p++;
            }
            break;
        case CSV_UNQUOTED:
            for (q = p; q < end && !c->stop[*q]; q++)
                ;
            rc = csv_add(s, p, (size_t)(q - p), err);
            p = q;
            if (rc == 0 && p < end)
                rc = csv_delim(s, *p++, err);
            break;
        case CSV_QUOTED:
            q = csv_quoted_run(c, p, end);
            rc = csv_add(s, p, (size_t)(q - p), err);
            p = q;
            if (rc == 0 && p < end) {
                p++;
                c->state = CSV_QUOTE;
            }
            break;
        case CSV_QUOTE: /* after a quote inside a quoted field */
            if (*p == '"') {
                rc = csv_add(s, p++, 1, err);
                c->state = CSV_QUOTED;
            } else if (c->stop[*p]) {
                rc = csv_delim(s, *p++, err);
            } else {
                /* `"ab"c` is not RFC 4180; keep the rest as written,
                 * as Excel does. */
                c->state = CSV_UNQUOTED;
            }
            break;
        }
    }
    c->p = p;
    return rc;
}

static int
csv_eof(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    int rc;

    if (c->state == CSV_QUOTED)
        return sheet_fail_line(err, GG_EINVAL, MSG_SHEET_QUOTE, s->line);
    if (!c->in_record)
        return 0;
    rc = csv_end_cell(s, err);
    c->in_record = 0;
    return rc ? rc : 1;
}

static int
csv_record(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    int rc;

    for (;;) {
        if (c->p == c->end) {
            rc = csv_fill(s, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                return csv_eof(s, err);
        }
        rc = csv_scan(s, err);
        if (rc)
            return rc;
    }
}

/* A line with nothing on it. */
static int
csv_blank(const struct gg_sheet *s)
{
    return s->row.n == 1 && s->row.buf[s->row.off[0]] == '\0' && !s->csv.quoted;
}

static int
csv_next(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    int rc;

    for (;;) {
        row_reset(&s->row);
        c->state = CSV_FIELD;
        c->quoted = 0;
        c->in_record = 0;
        s->line = c->line;
        rc = csv_record(s, err);
        if (rc != 1 || !csv_blank(s))
            return rc;
    }
}

/* ------------------------------------------------------------------ */
/* ZIP: the central directory */

static uint16_t
rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const unsigned char *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int
zip_damaged(struct gg_err *err)
{
    return gg_fail(err, GG_EINVAL, SHEET_FIELD, MSG_SHEET_ZIP_DAMAGED);
}

static int
part_damaged(const char *name, struct gg_err *err)
{
    return gg_failf(err, GG_EINVAL, SHEET_FIELD, MSG_SHEET_PART_DAMAGED, "%s",
                    name);
}

struct zip_dir {
    uint64_t off, size, count;
};

/* A ZIP64 archive keeps its directory's place in a second record, found
 * through a locator just before the classic end record at eocd. */
static int
zip_eocd64(struct gg_sheet *s, uint64_t eocd, struct zip_dir *d,
           struct gg_err *err)
{
    unsigned char b[56];
    uint64_t at;

    if (eocd < 20 || pread_full(s->fd, b, 20, eocd - 20) ||
        rd32(b) != 0x07064b50)
        return zip_damaged(err);
    at = rd64(b + 8);
    if (at > eocd - 20 || pread_full(s->fd, b, 56, at) || rd32(b) != 0x06064b50)
        return zip_damaged(err);
    d->count = rd64(b + 32);
    d->size = rd64(b + 40);
    d->off = rd64(b + 48);
    if (d->off > at || d->size > at - d->off)
        return zip_damaged(err);
    return 0;
}

/* Finds the end-of-central-directory record (behind it may sit a comment
 * of up to 64 KiB) and reads where the directory is. */
static int
zip_find_dir(struct gg_sheet *s, struct zip_dir *d, struct gg_err *err)
{
    size_t tail = s->size < 22 + 65535 ? (size_t)s->size : 22 + 65535;
    unsigned char *b = NULL;
    uint64_t eocd;
    size_t i;
    int rc = 0;

    if (tail < 22)
        return zip_damaged(err);
    b = gg_xmalloc(tail);
    if (pread_full(s->fd, b, tail, s->size - tail)) {
        rc = sheet_read_error(err);
        goto out;
    }
    for (i = tail - 22; i > 0 && rd32(b + i) != 0x06054b50; i--)
        ;
    if (rd32(b + i) != 0x06054b50 || rd16(b + i + 4) || rd16(b + i + 6)) {
        rc = zip_damaged(err); /* missing, or spread over disks */
        goto out;
    }
    eocd = s->size - tail + i;
    d->count = rd16(b + i + 10);
    d->size = rd32(b + i + 12);
    d->off = rd32(b + i + 16);
    if (d->count == 0xFFFF || d->size == 0xFFFFFFFF || d->off == 0xFFFFFFFF)
        rc = zip_eocd64(s, eocd, d, err);
    else if (d->off > eocd || d->size > eocd - d->off)
        rc = zip_damaged(err);
out:
    free(b);
    return rc;
}

/* Sizes and offsets that did not fit 32 bits are in the ZIP64 extra
 * field, in this order, each only when its classic field is all ones. */
static void
zip_extra64(const unsigned char *x, size_t len, struct zip_entry *e)
{
    while (len >= 4) {
        size_t id = rd16(x), n = rd16(x + 2);

        if (n > len - 4)
            return;
        if (id == 1) {
            uint64_t *fields[] = {&e->usize, &e->csize, &e->offset};
            const unsigned char *v = x + 4;

            for (size_t i = 0; i < GG_ARRAY_LEN(fields); i++) {
                if (*fields[i] != 0xFFFFFFFF)
                    continue;
                if (n < 8)
                    return;
                *fields[i] = rd64(v);
                v += 8;
                n -= 8;
            }
            return;
        }
        x += 4 + n;
        len -= 4 + n;
    }
}

/* Parses one directory record at p (left bytes); returns its size, or 0
 * when it is damaged. Names are copied to *names, NUL-terminated. */
static size_t
zip_parse_entry(const unsigned char *p, size_t left, struct zip_entry *e,
                char **names)
{
    size_t nlen, xlen, clen;

    if (left < 46 || rd32(p) != 0x02014b50)
        return 0;
    nlen = rd16(p + 28);
    xlen = rd16(p + 30);
    clen = rd16(p + 32);
    if (46 + nlen + xlen + clen > left)
        return 0;
    e->flags = rd16(p + 8);
    e->method = rd16(p + 10);
    e->crc = rd32(p + 16);
    e->csize = rd32(p + 20);
    e->usize = rd32(p + 24);
    e->offset = rd32(p + 42);
    zip_extra64(p + 46 + nlen, xlen, e);
    memcpy(*names, p + 46, nlen);
    (*names)[nlen] = '\0';
    e->name = *names;
    *names += nlen + 1;
    return 46 + nlen + xlen + clen;
}

static int
zip_open(struct gg_sheet *s, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    struct zip_dir d = {0, 0, 0};
    unsigned char *dir = NULL;
    char *names;
    size_t pos = 0;
    int rc = zip_find_dir(s, &d, err);

    if (rc)
        return rc;
    if (d.size > ZIP_MAX_DIR || d.count > d.size / 46)
        return zip_damaged(err);
    dir = gg_xmalloc(d.size ? d.size : 1);
    /* A record takes 46 bytes more than its name: room for names + NULs. */
    names = x->names = gg_xmalloc(d.size ? d.size : 1);
    x->ent = gg_xcalloc(d.count ? d.count : 1, sizeof(*x->ent));
    if (pread_full(s->fd, dir, d.size, d.off)) {
        rc = zip_damaged(err);
        goto out;
    }
    for (x->nent = 0; x->nent < d.count; x->nent++) {
        size_t used =
            zip_parse_entry(dir + pos, d.size - pos, &x->ent[x->nent], &names);

        if (!used) {
            rc = zip_damaged(err);
            goto out;
        }
        pos += used;
    }
out:
    free(dir);
    return rc;
}

/* Part names in OPC packages compare without case. */
static const struct zip_entry *
zip_find(const struct gg_sheet *s, const char *name)
{
    for (size_t i = 0; i < s->x.nent; i++)
        if (strcasecmp(s->x.ent[i].name, name) == 0)
            return &s->x.ent[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* ZIP: entry streams */

/* Checks what the directory declares before a byte is inflated. */
static int
zip_check_entry(const struct zip_entry *e, uint64_t cap, struct gg_err *err)
{
    if (e->usize > cap)
        return gg_failf(err, GG_ETOOBIG, SHEET_FIELD, MSG_SHEET_PART_TOO_BIG,
                        "%s", e->name);
    if (e->usize > ZIP_RATIO_FLOOR &&
        e->usize / GG_SHEET_MAX_RATIO >= e->csize + 1)
        return gg_failf(err, GG_ETOOBIG, SHEET_FIELD, MSG_SHEET_ZIP_BOMB, "%s",
                        e->name);
    if (e->flags & 1)
        return gg_fail(err, GG_EMEDIA, SHEET_FIELD, MSG_SHEET_XLS);
    if ((e->method != 0 && e->method != 8) ||
        (e->method == 0 && e->csize != e->usize))
        return part_damaged(e->name, err);
    return 0;
}

static int
zip_stream_open(struct gg_sheet *s, struct zip_stream *st,
                const struct zip_entry *e, uint64_t cap, struct gg_err *err)
{
    unsigned char h[30];
    int rc = zip_check_entry(e, cap, err);

    memset(st, 0, sizeof(*st));
    st->e = e;
    if (rc)
        return rc;
    if (e->offset > s->size - 30 || pread_full(s->fd, h, 30, e->offset) ||
        rd32(h) != 0x04034b50)
        return part_damaged(e->name, err);
    /* The local header's name and extra field may differ from the
     * directory's; the data starts after them. */
    st->pos = e->offset + 30 + rd16(h + 26) + rd16(h + 28);
    st->left = e->csize;
    if (st->pos > s->size || st->left > s->size - st->pos)
        return part_damaged(e->name, err);
    st->crc = (uint32_t)crc32(0, NULL, 0);
    if (e->method == 8) {
        if (inflateInit2(&st->z, -MAX_WBITS) != Z_OK)
            return sheet_read_error(err);
        st->inflating = 1;
        st->in = gg_xmalloc(ZIP_CHUNK);
    }
    return 0;
}

static void
zip_stream_close(struct zip_stream *st)
{
    if (st->inflating)
        inflateEnd(&st->z);
    free(st->in);
    memset(st, 0, sizeof(*st));
}

static int
zip_read_stored(struct gg_sheet *s, struct zip_stream *st, char *buf,
                size_t cap, size_t *got, struct gg_err *err)
{
    size_t n = st->left < cap ? (size_t)st->left : cap;

    if (n && pread_full(s->fd, buf, n, st->pos))
        return part_damaged(st->e->name, err);
    st->pos += n;
    st->left -= n;
    *got = n;
    return 0;
}

/* Inflates until something comes out or the stream ends. */
static int
zip_read_deflated(struct gg_sheet *s, struct zip_stream *st, char *buf,
                  size_t cap, size_t *got, struct gg_err *err)
{
    z_stream *z = &st->z;

    z->next_out = (unsigned char *)buf;
    z->avail_out = (uInt)cap;
    while (!st->ended && z->avail_out == cap) {
        int zr;

        if (z->avail_in == 0 && st->left > 0) {
            size_t n = st->left < ZIP_CHUNK ? (size_t)st->left : ZIP_CHUNK;

            if (pread_full(s->fd, st->in, n, st->pos))
                return part_damaged(st->e->name, err);
            z->next_in = st->in;
            z->avail_in = (uInt)n;
            st->pos += n;
            st->left -= n;
        }
        zr = inflate(z, Z_NO_FLUSH);
        if (zr == Z_STREAM_END)
            st->ended = 1;
        else if (zr != Z_OK && zr != Z_BUF_ERROR)
            return part_damaged(st->e->name, err);
        else if (zr == Z_BUF_ERROR && z->avail_in == 0 && st->left == 0)
            return part_damaged(st->e->name, err); /* cut short */
    }
    *got = cap - z->avail_out;
    return 0;
}

/* Reads up to cap bytes of the entry; *got is 0 at its end. The output
 * may not exceed the declared size and must match the declared CRC. */
static int
zip_stream_read(struct gg_sheet *s, struct zip_stream *st, char *buf,
                size_t cap, size_t *got, struct gg_err *err)
{
    int rc = st->e->method == 0 ? zip_read_stored(s, st, buf, cap, got, err)
                                : zip_read_deflated(s, st, buf, cap, got, err);

    if (rc)
        return rc;
    st->out += *got;
    if (st->out > st->e->usize)
        return part_damaged(st->e->name, err);
    if (*got)
        st->crc =
            (uint32_t)crc32(st->crc, (const unsigned char *)buf, (uInt)*got);
    else if (st->out != st->e->usize || st->crc != st->e->crc)
        return part_damaged(st->e->name, err);
    return 0;
}

/* ------------------------------------------------------------------ */
/* XML helpers */

static const char *
xml_local(const char *name)
{
    const char *colon = strchr(name, ':');

    return colon ? colon + 1 : name;
}

static const char *
xml_attr(const char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

/* Stops the running parser from a handler; rc and err say why. */
static void
xml_stop(struct gg_sheet *s, int rc)
{
    if (!s->cb_rc)
        s->cb_rc = rc;
    XML_StopParser(s->xml, XML_FALSE);
}

/* Office files never carry a DTD; refusing one also shuts out entity
 * expansion. Stopping without a code reads as a damaged part. */
static void XMLCALL
xml_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
            const XML_Char *pubid, int internal)
{
    struct gg_sheet *s = ud;

    (void)name;
    (void)sysid;
    (void)pubid;
    (void)internal;
    XML_StopParser(s->xml, XML_FALSE);
}

/* After XML_STATUS_ERROR: a handler's own error (it has filled err), or
 * bad XML. */
static int
xml_error(struct gg_sheet *s, const char *part, struct gg_err *err)
{
    int rc = s->cb_rc;

    s->cb_rc = 0;
    return rc ? rc : part_damaged(part, err);
}

static void *
xml_buffer(XML_Parser p)
{
    void *buf = XML_GetBuffer(p, ZIP_CHUNK);

    if (!buf) {
        fputs("gridgov: out of memory\n", stderr);
        abort();
    }
    return buf;
}

static XML_Parser
xml_new(struct gg_sheet *s, XML_StartElementHandler start,
        XML_EndElementHandler end, XML_CharacterDataHandler text)
{
    XML_Parser p = XML_ParserCreate(NULL);

    if (!p) {
        fputs("gridgov: out of memory\n", stderr);
        abort();
    }
    XML_SetUserData(p, s);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, text);
    XML_SetStartDoctypeDeclHandler(p, xml_doctype);
    return p;
}

/* Streams a whole part through a parser; GG_ENOTFOUND (err untouched)
 * when the package has no such part. */
static int
xml_run(struct gg_sheet *s, const char *name, XML_StartElementHandler start,
        XML_EndElementHandler end, XML_CharacterDataHandler text,
        struct gg_err *err)
{
    const struct zip_entry *e = zip_find(s, name);
    struct zip_stream st;
    int rc;

    if (!e)
        return GG_ENOTFOUND;
    rc = zip_stream_open(s, &st, e, GG_SHEET_MAX_ENTRY, err);
    if (rc == 0) {
        s->xml = xml_new(s, start, end, text);
        s->cb_err = err;
    }
    while (rc == 0) {
        void *buf = xml_buffer(s->xml);
        size_t got;

        rc = zip_stream_read(s, &st, buf, ZIP_CHUNK, &got, err);
        if (rc)
            break;
        if (XML_ParseBuffer(s->xml, (int)got, got == 0) != XML_STATUS_OK)
            rc = xml_error(s, e->name, err);
        if (got == 0)
            break;
    }
    if (s->xml)
        XML_ParserFree(s->xml);
    s->xml = NULL;
    zip_stream_close(&st);
    return rc;
}

/* ------------------------------------------------------------------ */
/* XLSX: workbook and relationships */

static void
copy_str(char *out, size_t cap, const char *s)
{
    if (snprintf(out, cap, "%s", s) >= (int)cap)
        out[0] = '\0'; /* too long to be right: as if absent */
}

static void XMLCALL
wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct gg_sheet *s = ud;
    const char *ln = xml_local(name), *v;

    if (strcmp(ln, "sheet") == 0 && !s->x.rid[0]) {
        /* r:id, whatever the relationships namespace's prefix */
        for (size_t i = 0; atts[i]; i += 2)
            if (strchr(atts[i], ':') && strcmp(xml_local(atts[i]), "id") == 0)
                copy_str(s->x.rid, sizeof(s->x.rid), atts[i + 1]);
    } else if (strcmp(ln, "workbookPr") == 0) {
        v = xml_attr(atts, "date1904");
        s->x.date1904 = v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0);
    }
}

/* Resolves a relationship target of xl/workbook.xml to a part name:
 * "/xl/a.xml" is absolute, "worksheets/b.xml" and "../c.xml" are relative
 * to xl/. */
static void
xlsx_resolve(char *out, size_t cap, const char *target)
{
    char tmp[XLSX_PATH];
    const char *seg;
    size_t len = 0;

    if (snprintf(tmp, sizeof(tmp), "%s%s", target[0] == '/' ? "" : "xl/",
                 target + (target[0] == '/')) >= (int)sizeof(tmp)) {
        out[0] = '\0';
        return;
    }
    out[0] = '\0';
    for (seg = tmp; *seg;) {
        size_t n = strcspn(seg, "/");

        if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len > 0 && out[--len] != '/')
                ;
            out[len] = '\0';
        } else if (n && !(n == 1 && seg[0] == '.') && len + n + 1 < cap) {
            len += (size_t)snprintf(out + len, cap - len, "%s%.*s",
                                    len ? "/" : "", (int)n, seg);
        }
        seg += n + (seg[n] == '/');
    }
}

static int
ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);

    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void XMLCALL
rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct gg_sheet *s = ud;
    struct xlsx *x = &s->x;
    const char *id, *type, *target;

    if (strcmp(xml_local(name), "Relationship") != 0)
        return;
    id = xml_attr(atts, "Id");
    type = xml_attr(atts, "Type");
    target = xml_attr(atts, "Target");
    if (!type || !target)
        return;
    if (id && strcmp(id, x->rid) == 0 && ends_with(type, "/worksheet"))
        xlsx_resolve(x->sheet_path, XLSX_PATH, target);
    else if (ends_with(type, "/sharedStrings"))
        xlsx_resolve(x->sst_path, XLSX_PATH, target);
    else if (ends_with(type, "/styles"))
        xlsx_resolve(x->styles_path, XLSX_PATH, target);
}

/* Finds the first worksheet, the shared strings and the styles. */
static int
xlsx_find_parts(struct gg_sheet *s, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    int rc = xml_run(s, "xl/workbook.xml", wb_start, NULL, NULL, err);

    x->has_workbook = rc != GG_ENOTFOUND;
    if (rc && rc != GG_ENOTFOUND)
        return rc;
    if (x->rid[0]) {
        rc = xml_run(s, "xl/_rels/workbook.xml.rels", rels_start, NULL, NULL,
                     err);
        if (rc && rc != GG_ENOTFOUND)
            return rc;
    }
    if (!x->sst_path[0])
        copy_str(x->sst_path, XLSX_PATH, "xl/sharedStrings.xml");
    if (!x->styles_path[0])
        copy_str(x->styles_path, XLSX_PATH, "xl/styles.xml");
    if (!x->sheet_path[0] || !zip_find(s, x->sheet_path))
        copy_str(x->sheet_path, XLSX_PATH, "xl/worksheets/sheet1.xml");
    x->sheet_entry = zip_find(s, x->sheet_path);
    if (x->sheet_entry)
        return 0;
    if (!x->has_workbook) /* some other ZIP: a .docx, an archive */
        return gg_fail(err, GG_EMEDIA, SHEET_FIELD, MSG_SHEET_FORMAT);
    return gg_fail(err, GG_EINVAL, SHEET_FIELD, MSG_SHEET_NO_SHEET);
}

/* ------------------------------------------------------------------ */
/* XLSX: styles, to know which numbers are dates */

/* Built-in formats: 14-17 and 22 everywhere; 27-31, 36, 50-54, 57, 58 are
 * the dates of East Asian Excel (zh-CN "yyyy年m月d日" is 31). 18-21 and
 * the CJK 32-35, 55, 56 are times of day, which stay numbers. */
static enum date_kind
numfmt_builtin(uint32_t id)
{
    if (id == 22)
        return DATE_TIME;
    if ((id >= 14 && id <= 17) || (id >= 27 && id <= 31) || id == 36 ||
        (id >= 50 && id <= 54) || id == 57 || id == 58)
        return DATE_DAY;
    return DATE_NONE;
}

/* A custom format is a date when its first section has y or d, or m with
 * no h or s (m next to h or s means minutes); quoted text, [..] and
 * escaped characters are not codes. */
static enum date_kind
numfmt_custom(const char *code)
{
    int y = 0, m = 0, d = 0, h = 0, sec = 0;

    for (const char *p = code; *p && *p != ';'; p++) {
        switch (*p) {
        case '"':
            p = strchr(p + 1, '"');
            if (!p)
                return DATE_NONE;
            break;
        case '[':
            p = strchr(p + 1, ']');
            if (!p)
                return DATE_NONE;
            break;
        case '\\':
        case '_':
        case '*':
            if (!*++p)
                return DATE_NONE;
            break;
        case 'y':
        case 'Y':
            y = 1;
            break;
        case 'm':
        case 'M':
            m = 1;
            break;
        case 'd':
        case 'D':
            d = 1;
            break;
        case 'h':
        case 'H':
            h = 1;
            break;
        case 's':
        case 'S':
            sec = 1;
            break;
        default:
            break;
        }
    }
    if (!(y || d || (m && !h && !sec)))
        return DATE_NONE;
    return h || sec ? DATE_TIME : DATE_DAY;
}

/* Digits only, at most 9 of them (strtoll is a hot spot in worksheets). */
static int
parse_u32(const char *v, uint32_t *out)
{
    uint32_t n = 0;
    size_t i;

    if (!v)
        return -1;
    for (i = 0; v[i] >= '0' && v[i] <= '9' && i < 9; i++)
        n = n * 10 + (uint32_t)(v[i] - '0');
    if (i == 0 || v[i])
        return -1;
    *out = n;
    return 0;
}

static enum date_kind
numfmt_kind(const struct xlsx *x, uint32_t id)
{
    for (size_t i = 0; i < x->nfmts; i++)
        if (x->fmts[i].id == id)
            return (enum date_kind)x->fmts[i].kind;
    return numfmt_builtin(id);
}

/* Enough for any real workbook; more are ignored (their cells read as
 * numbers). */
#define XLSX_MAX_FMTS 4096
#define XLSX_MAX_XFS 65536

static void XMLCALL
styles_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = &((struct gg_sheet *)ud)->x;
    const char *ln = xml_local(name), *code;
    uint32_t id;

    if (strcmp(ln, "cellXfs") == 0) {
        x->in_cellxfs = 1;
    } else if (strcmp(ln, "numFmt") == 0 && x->nfmts < XLSX_MAX_FMTS &&
               parse_u32(xml_attr(atts, "numFmtId"), &id) == 0) {
        code = xml_attr(atts, "formatCode");
        if (!x->fmts)
            x->fmts = gg_xcalloc(XLSX_MAX_FMTS, sizeof(*x->fmts));
        x->fmts[x->nfmts].id = id;
        x->fmts[x->nfmts++].kind = code ? numfmt_custom(code) : DATE_NONE;
    } else if (strcmp(ln, "xf") == 0 && x->in_cellxfs &&
               x->nxf < XLSX_MAX_XFS) {
        if (parse_u32(xml_attr(atts, "numFmtId"), &id))
            id = 0;
        if (!x->xf)
            x->xf = gg_xcalloc(XLSX_MAX_XFS, 1);
        x->xf[x->nxf++] = (uint8_t)numfmt_kind(x, id);
    }
}

static void XMLCALL
styles_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = &((struct gg_sheet *)ud)->x;

    if (strcmp(xml_local(name), "cellXfs") == 0)
        x->in_cellxfs = 0;
}

/* ------------------------------------------------------------------ */
/* XLSX: shared strings */

static int
hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                       : -1;

        if (d < 0)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

static int
ooxml_escape_at(const char *s, size_t left, uint32_t *u)
{
    return left >= 7 && s[0] == '_' && s[1] == 'x' && s[6] == '_' &&
           hex4(s + 2, u);
}

static size_t
utf8_put(char *out, uint32_t u)
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/*
 * OOXML writes characters XML cannot carry (control characters) as
 * _xHHHH_, UTF-16 code units, and a literal "_x" as _x005F_x. Undoes it in
 * place (the result is never longer) and returns the new length. NUL and
 * unpaired surrogates stay as written.
 */
static size_t
ooxml_unescape(char *s, size_t len)
{
    size_t i = 0, o = 0;
    uint32_t u, lo;

    while (i < len) {
        if (ooxml_escape_at(s + i, len - i, &u)) {
            size_t used = 7;

            if (u >= 0xD800 && u <= 0xDBFF &&
                ooxml_escape_at(s + i + 7, len - i - 7, &lo) && lo >= 0xDC00 &&
                lo <= 0xDFFF) {
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                used = 14;
            }
            if (u != 0 && (u < 0xD800 || u > 0xDFFF)) {
                o += utf8_put(s + o, u);
                i += used;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    return o;
}

static size_t
maybe_unescape(char *s, size_t len)
{
    return memchr(s, '_', len) ? ooxml_unescape(s, len) : len;
}

static void
sst_push_offset(struct xlsx *x)
{
    if (x->sst_n + 1 >= x->sst_cap) {
        x->sst_cap = x->sst_cap ? x->sst_cap * 2 : 1024;
        x->sst_off = gg_xrealloc(x->sst_off, x->sst_cap * sizeof(uint32_t));
    }
    x->sst_off[x->sst_n + 1] = (uint32_t)x->sst_len;
}

static void
sst_add(struct xlsx *x, const char *p, size_t n)
{
    if (x->sst_len + n + 1 > x->sst_alloc) {
        size_t alloc = x->sst_alloc ? x->sst_alloc : 64 * 1024;

        while (alloc < x->sst_len + n + 1)
            alloc *= 2;
        x->sst = gg_xrealloc(x->sst, alloc);
        x->sst_alloc = alloc;
    }
    memcpy(x->sst + x->sst_len, p, n);
    x->sst_len += n;
}

static void XMLCALL
sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct xlsx *x = &((struct gg_sheet *)ud)->x;
    const char *ln = xml_local(name);

    (void)atts;
    if (strcmp(ln, "si") == 0) {
        x->in_si = 1;
        x->sst_off[x->sst_n] = (uint32_t)x->sst_len;
    } else if (strcmp(ln, "t") == 0) {
        x->in_t = x->in_si;
    } else if (strcmp(ln, "rPh") == 0) {
        x->rph++; /* phonetic hints are not part of the text */
    }
}

static void XMLCALL
sst_end(void *ud, const XML_Char *name)
{
    struct xlsx *x = &((struct gg_sheet *)ud)->x;
    const char *ln = xml_local(name);
    uint32_t start;

    if (strcmp(ln, "t") == 0) {
        x->in_t = 0;
    } else if (strcmp(ln, "rPh") == 0) {
        x->rph--;
    } else if (strcmp(ln, "si") == 0 && x->in_si) {
        x->in_si = 0;
        start = x->sst_off[x->sst_n];
        x->sst_len = start + maybe_unescape(x->sst + start, x->sst_len - start);
        sst_add(x, "", 1);
        sst_push_offset(x);
        x->sst_n++;
    }
}

static void XMLCALL
sst_text(void *ud, const XML_Char *p, int n)
{
    struct xlsx *x = &((struct gg_sheet *)ud)->x;

    if (x->in_t && !x->rph)
        sst_add(x, p, (size_t)n);
}

static int
xlsx_load_sst(struct gg_sheet *s, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    int rc;

    x->sst_cap = 1024;
    x->sst_off = gg_xmalloc(x->sst_cap * sizeof(uint32_t));
    x->sst_off[0] = 0;
    sst_add(x, "", 0); /* so that x->sst is never NULL */
    rc = xml_run(s, x->sst_path, sst_start, sst_end, sst_text, err);
    return rc == GG_ENOTFOUND ? 0 : rc;
}

/* ------------------------------------------------------------------ */
/* XLSX: cell values */

/* Excel's day number (1900 system: 1 = 1900-01-01, with Lotus 1-2-3's
 * fictitious 1900-02-29 as 60; 1904 system: 0 = 1904-01-01) as
 * YYYY-MM-DD, and " HH:MM:SS" for a date-and-time with a time of day.
 * 0 when the number is no date Excel would show. */
static int
excel_date(double serial, int date1904, enum date_kind kind, char *out,
           size_t cap)
{
    int64_t days, secs;
    struct tm tm;
    time_t t;

    if (!(serial >= 0 && serial < 2958466.0)) /* up to 9999-12-31 */
        return 0;
    days = (int64_t)floor(serial);
    secs = (int64_t)llround((serial - (double)days) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    if (!date1904 && days < 1)
        return 0;
    if (!date1904 && days == 60) {
        tm = (struct tm){.tm_year = 0, .tm_mon = 1, .tm_mday = 29};
    } else {
        /* days since 1970-01-01 */
        days -= date1904 ? 24107 : days < 60 ? 25568 : 25569;
        t = (time_t)(days * 86400);
        if (!gmtime_r(&t, &tm))
            return 0;
    }
    snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday);
    if (kind == DATE_TIME && secs)
        snprintf(out + 10, cap - 10, " %02d:%02d:%02d", (int)(secs / 3600),
                 (int)(secs / 60 % 60), (int)(secs % 60));
    return 1;
}

/* The length of v without trailing fraction zeros when it is a plain
 * decimal of at most 15 significant digits, which any double reads and
 * prints back the same (DBL_DIG); 0 otherwise. */
static size_t
plain_decimal(const char *v, size_t len)
{
    size_t i = v[0] == '-', digits = 0, dot = 0;

    for (; i < len; i++) {
        if (v[i] == '.' && !dot)
            dot = i;
        else if (v[i] >= '0' && v[i] <= '9')
            digits += digits || v[i] != '0';
        else
            return 0;
    }
    if (!dot || digits > 15 || dot == (v[0] == '-') || dot == len - 1)
        return 0;
    while (v[len - 1] == '0')
        len--;
    return v[len - 1] == '.' ? len - 1 : len;
}

/*
 * A number cell's text. Digits alone are passed through as written, so a
 * long identifier some program stored as a plain integer is kept whole.
 * Plain decimals are kept too (less trailing zeros). Otherwise: integral
 * values below 2^53 exactly, others in the shortest of 15 to 17
 * significant digits that reads back as the same double (Excel stores 3.3
 * as "3.2999999999999998"). An 18-digit identifier Excel stored as a
 * number has lost its last digits already; it reads back as
 * 1.10101199001011e+17 with every digit the double holds, never as a
 * plausible but wrong integer.
 */
static const char *
number_text(const char *v, size_t len, char *out, size_t cap)
{
    size_t i = v[0] == '-', plain;
    char *end;
    double d;

    if (len > i && gg_all_digits(v + i, len - i))
        return v;
    plain = plain_decimal(v, len);
    if (plain && plain < cap) {
        memcpy(out, v, plain);
        out[plain] = '\0';
        return strcmp(out, "-0") ? out : "0";
    }
    d = strtod(v, &end);
    if (end != v + len || !isfinite(d))
        return v;
    if (d == 0)
        return "0";
    if (d == floor(d) && fabs(d) < 9007199254740992.0) {
        snprintf(out, cap, "%.0f", d);
        return out;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
    return out;
}

static const char *
numeric_cell(const struct xlsx *x, char *out, size_t cap)
{
    enum date_kind kind = x->style < x->nxf ? x->xf[x->style] : DATE_NONE;
    const char *v = x->val.data;
    char *end;
    double d;

    if (kind != DATE_NONE && x->val.len) {
        d = strtod(v, &end);
        if (end == v + x->val.len && excel_date(d, x->date1904, kind, out, cap))
            return out;
    }
    return x->val.len ? number_text(v, x->val.len, out, cap) : "";
}

/* The value of the cell just ended; GG_EINVAL for a bad string index. */
static int
cell_value(struct xlsx *x, const char **v, size_t *n, char *out, size_t cap)
{
    uint32_t i;

    switch (x->type) {
    case CELL_SST:
        if (parse_u32(x->val.data, &i) || i >= x->sst_n)
            return GG_EINVAL;
        *v = x->sst + x->sst_off[i];
        *n = x->sst_off[i + 1] - x->sst_off[i] - 1;
        return 0;
    case CELL_BOOL:
        *v = strcmp(x->val.data, "1") == 0   ? "TRUE"
             : strcmp(x->val.data, "0") == 0 ? "FALSE"
                                             : x->val.data;
        break;
    case CELL_TEXT:
        x->val.len = maybe_unescape(x->val.data, x->val.len);
        if (x->val.alloc)
            x->val.data[x->val.len] = '\0';
        *v = x->val.data;
        *n = x->val.len;
        return 0;
    case CELL_NUM:
        *v = numeric_cell(x, out, cap);
        break;
    }
    *n = strlen(*v);
    return 0;
}

/* ------------------------------------------------------------------ */
/* XLSX: the worksheet stream */

/* "C5" -> 2; -1 unless it starts with one to three letters. */
static int64_t
ref_col(const char *r)
{
    int64_t col = 0;
    size_t i;

    for (i = 0; r[i] >= 'A' && r[i] <= 'Z'; i++) {
        if (i == 3)
            return -1;
        col = col * 26 + (r[i] - 'A' + 1);
    }
    return i ? col - 1 : -1;
}

static void
ws_row_start(struct gg_sheet *s, const char **atts)
{
    struct xlsx *x = &s->x;
    uint32_t num;

    if (parse_u32(xml_attr(atts, "r"), &num) == 0 && num > 0)
        x->row_num = num;
    else
        x->row_num++;
    x->next_col = 0;
    row_reset(&s->row);
}

static void
ws_cell_start(struct gg_sheet *s, const char **atts)
{
    struct xlsx *x = &s->x;
    const char *r = NULL, *t = NULL, *style = NULL;
    int64_t col;

    /* one pass over the attributes: this runs for every cell */
    for (size_t i = 0; atts[i]; i += 2) {
        if (atts[i][0] && !atts[i][1]) {
            if (atts[i][0] == 'r')
                r = atts[i + 1];
            else if (atts[i][0] == 't')
                t = atts[i + 1];
            else if (atts[i][0] == 's')
                style = atts[i + 1];
        }
    }
    col = r ? ref_col(r) : -1;
    x->col = col >= 0 ? (size_t)col : x->next_col;
    x->next_col = x->col + 1;
    /* t="str", "inlineStr", "e" (an error such as #N/A) and "d" (an ISO
     * 8601 date) are all text as written. */
    if (!t || strcmp(t, "n") == 0)
        x->type = CELL_NUM;
    else if (strcmp(t, "s") == 0)
        x->type = CELL_SST;
    else if (strcmp(t, "b") == 0)
        x->type = CELL_BOOL;
    else
        x->type = CELL_TEXT;
    if (parse_u32(style, &x->style))
        x->style = 0;
    gg_buf_reset(&x->val);
    x->in_cell = 1;
}

static void
ws_cell_end(struct gg_sheet *s)
{
    struct xlsx *x = &s->x;
    char out[64];
    const char *v = "";
    size_t n = 0;
    int rc;

    x->in_cell = x->in_is = x->collect = 0;
    if (cell_value(x, &v, &n, out, sizeof(out))) {
        xml_stop(s, part_damaged(x->sheet_entry->name, s->cb_err));
        return;
    }
    if (n == 0)
        return;
    if (x->col >= GG_SHEET_MAX_COLS) {
        xml_stop(s, sheet_fail_line(s->cb_err, GG_ETOOBIG, MSG_SHEET_COLUMNS,
                                    x->row_num));
        return;
    }
    rc = row_put(&s->row, x->col, v, n);
    if (rc == GG_ETOOBIG)
        xml_stop(s, sheet_fail_line(s->cb_err, rc, MSG_SHEET_CELL_TOO_LONG,
                                    x->row_num));
    else if (rc)
        xml_stop(s, part_damaged(x->sheet_entry->name, s->cb_err));
}

/* A row with values suspends the parser: gg_sheet_next hands it out. */
static void
ws_row_end(struct gg_sheet *s)
{
    if (s->row.n == 0)
        return;
    s->x.ready = 1;
    XML_StopParser(s->x.sheet, XML_TRUE);
}

enum ws_tag { WS_OTHER, WS_ROW, WS_C, WS_V, WS_IS, WS_T, WS_RPH };

/* The worksheet elements we act on, by local name. Called for every
 * element, so unprefixed names are told apart by their first bytes. */
static enum ws_tag
ws_tag(const char *name)
{
    const char *colon;

    switch (name[0]) {
    case 'c':
        return name[1] ? WS_OTHER : WS_C;
    case 'v':
        return name[1] ? WS_OTHER : WS_V;
    case 't':
        return name[1] ? WS_OTHER : WS_T;
    case 'i':
        return strcmp(name, "is") ? WS_OTHER : WS_IS;
    case 'r':
        if (strcmp(name, "row") == 0)
            return WS_ROW;
        return strcmp(name, "rPh") ? WS_OTHER : WS_RPH;
    default:
        colon = strchr(name, ':');
        return colon ? ws_tag(colon + 1) : WS_OTHER;
    }
}

static void XMLCALL
ws_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct gg_sheet *s = ud;
    struct xlsx *x = &s->x;

    x->seen = (uint64_t)XML_GetCurrentByteIndex(x->sheet);
    if (s->cb_rc || x->ready)
        return;
    switch (ws_tag(name)) {
    case WS_C:
        ws_cell_start(s, atts);
        break;
    case WS_V:
        x->collect = x->in_cell;
        break;
    case WS_ROW:
        ws_row_start(s, atts);
        break;
    case WS_IS:
        x->in_is = x->in_cell;
        break;
    case WS_T:
        x->collect = x->in_is && !x->rph;
        break;
    case WS_RPH:
        x->rph++;
        break;
    case WS_OTHER:
        break;
    }
}

static void XMLCALL
ws_end(void *ud, const XML_Char *name)
{
    struct gg_sheet *s = ud;
    struct xlsx *x = &s->x;

    x->seen = (uint64_t)XML_GetCurrentByteIndex(x->sheet);
    if (s->cb_rc || x->ready)
        return;
    switch (ws_tag(name)) {
    case WS_C:
        ws_cell_end(s);
        break;
    case WS_V:
    case WS_T:
        x->collect = 0;
        break;
    case WS_ROW:
        ws_row_end(s);
        break;
    case WS_RPH:
        x->rph--;
        break;
    case WS_IS:
    case WS_OTHER:
        break;
    }
}

static void XMLCALL
ws_text(void *ud, const XML_Char *p, int n)
{
    struct gg_sheet *s = ud;
    struct xlsx *x = &s->x;

    x->seen = (uint64_t)XML_GetCurrentByteIndex(x->sheet);
    if (!x->collect || s->cb_rc || x->ready)
        return;
    if (gg_buf_add(&x->val, p, (size_t)n))
        xml_stop(s, sheet_fail_line(s->cb_err, GG_ETOOBIG,
                                    MSG_SHEET_CELL_TOO_LONG, x->row_num));
}

static int
xlsx_start_sheet(struct gg_sheet *s, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    int rc = zip_stream_open(s, &x->st, x->sheet_entry, UINT64_MAX, err);

    if (rc)
        return rc;
    x->sheet = xml_new(s, ws_start, ws_end, ws_text);
    gg_buf_init(&x->val, GG_SHEET_MAX_CELL);
    return 0;
}

/* Gives the parser the next piece of the worksheet. */
static int
xlsx_feed(struct gg_sheet *s, enum XML_Status *status, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    void *buf;
    size_t got;
    int rc;

    if (x->fed - x->seen > XML_MAX_PENDING)
        return part_damaged(x->sheet_entry->name, err);
    buf = xml_buffer(x->sheet);
    rc = zip_stream_read(s, &x->st, buf, ZIP_CHUNK, &got, err);
    if (rc)
        return rc;
    x->fed += got;
    x->final = got == 0;
    *status = XML_ParseBuffer(x->sheet, (int)got, x->final);
    return 0;
}

static int
xlsx_next(struct gg_sheet *s, struct gg_err *err)
{
    struct xlsx *x = &s->x;
    enum XML_Status status;
    int rc;

    row_reset(&s->row);
    x->ready = 0;
    s->xml = x->sheet;
    s->cb_err = err;
    for (;;) {
        if (x->suspended) {
            x->suspended = 0;
            status = XML_ResumeParser(x->sheet);
        } else if (x->final) {
            return 0;
        } else {
            rc = xlsx_feed(s, &status, err);
            if (rc)
                return rc;
        }
        if (status == XML_STATUS_ERROR)
            return xml_error(s, x->sheet_entry->name, err);
        if (status == XML_STATUS_SUSPENDED) {
            x->suspended = 1;
            s->line = x->row_num;
            return 1;
        }
    }
}

static int
xlsx_open(struct gg_sheet *s, struct gg_err *err)
{
    int rc;

    s->format = GG_SHEET_XLSX;
    s->encoding = "XLSX";
    rc = zip_open(s, err);
    if (rc == 0)
        rc = xlsx_find_parts(s, err);
    if (rc == 0) {
        rc = xml_run(s, s->x.styles_path, styles_start, styles_end, NULL, err);
        if (rc == GG_ENOTFOUND)
            rc = 0;
    }
    if (rc == 0)
        rc = xlsx_load_sst(s, err);
    if (rc == 0)
        rc = xlsx_start_sheet(s, err);
    return rc;
}

static void
xlsx_release(struct xlsx *x)
{
    if (x->sheet)
        XML_ParserFree(x->sheet);
    zip_stream_close(&x->st);
    gg_buf_release(&x->val);
    free(x->ent);
    free(x->names);
    free(x->fmts);
    free(x->xf);
    free(x->sst);
    free(x->sst_off);
}

/* ------------------------------------------------------------------ */
/* The reader's interface */

static int
sheet_open_file(struct gg_sheet *s, const char *path, struct gg_err *err)
{
    struct stat st;

    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0 && errno == ENOENT)
        return gg_fail(err, GG_ENOTFOUND, SHEET_FIELD, MSG_SHEET_READ);
    if (s->fd < 0 || fstat(s->fd, &st))
        return sheet_read_error(err);
    if (!S_ISREG(st.st_mode))
        return gg_fail(err, GG_EMEDIA, SHEET_FIELD, MSG_SHEET_FORMAT);
    s->size = (uint64_t)st.st_size;
    return 0;
}

/* The format from the first bytes: a ZIP is XLSX, an OLE2 compound file
 * an old .xls (or an encrypted .xlsx, which Office wraps the same way),
 * anything else CSV if it is text. */
static int
sheet_detect(struct gg_sheet *s, struct gg_err *err)
{
    struct csv *c = &s->csv;
    size_t n;

    c->raw = gg_xmalloc(CSV_CHUNK);
    if (read_full(s->fd, c->raw, CSV_CHUNK, &n))
        return sheet_read_error(err);
    if (n >= 4 && memcmp(c->raw, "PK\3\4", 4) == 0) {
        free(c->raw);
        c->raw = NULL;
        return xlsx_open(s, err);
    }
    if (n >= 8 && memcmp(c->raw, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
        return gg_fail(err, GG_EMEDIA, SHEET_FIELD, MSG_SHEET_XLS);
    s->done = n;
    return csv_open(s, n, err);
}

int
gg_sheet_open(struct gg_sheet **out, const char *path, struct gg_err *err)
{
    struct gg_sheet *s = gg_xcalloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    s->fd = -1;
    s->csv.cd = (iconv_t)-1;
    rc = sheet_open_file(s, path, err);
    if (rc == 0)
        rc = sheet_detect(s, err);
    if (rc) {
        gg_sheet_close(&s);
        return rc;
    }
    *out = s;
    return 0;
}

enum gg_sheet_format
gg_sheet_format(const struct gg_sheet *s)
{
    return s->format;
}

const char *
gg_sheet_encoding(const struct gg_sheet *s)
{
    return s->encoding;
}

int
gg_sheet_next(struct gg_sheet *s, const char *const **cells, size_t *n,
              int64_t *line, struct gg_err *err)
{
    struct gg_err e;
    int rc;

    *cells = NULL;
    *n = 0;
    *line = 0;
    if (s->failed) {
        if (err)
            *err = s->fail;
        return s->failed;
    }
    gg_err_clear(&e);
    rc = s->format == GG_SHEET_CSV ? csv_next(s, &e) : xlsx_next(s, &e);
    if (rc < 0) {
        s->failed = rc;
        s->fail = e;
        if (err)
            *err = e;
        return rc;
    }
    if (rc == 0) {
        s->at_end = 1;
        return 0;
    }
    row_finish(&s->row);
    *cells = s->row.ptr;
    *n = s->row.n;
    *line = s->line;
    return 1;
}

void
gg_sheet_progress(const struct gg_sheet *s, uint64_t *done, uint64_t *total)
{
    const struct zip_stream *st = &s->x.st;
    uint64_t d = s->done;

    *total = s->size;
    /* XLSX: the share of the worksheet's compressed bytes consumed. */
    if (s->format == GG_SHEET_XLSX && st->e && st->e->csize)
        d = (uint64_t)((double)s->size * (double)(st->e->csize - st->left) /
                       (double)st->e->csize);
    if (s->at_end || d > s->size)
        d = s->size;
    *done = d;
}

void
gg_sheet_close(struct gg_sheet **ps)
{
    struct gg_sheet *s = ps ? *ps : NULL;

    if (!s)
        return;
    *ps = NULL;
    if (s->csv.cd != (iconv_t)-1)
        iconv_close(s->csv.cd);
    free(s->csv.raw);
    free(s->csv.text);
    xlsx_release(&s->x);
    free(s->row.buf);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

/* ------------------------------------------------------------------ */
/* The writer */

struct gg_xlsx {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    uint32_t rows;
    size_t ncols;
    uint16_t width[GG_SHEET_MAX_COLS]; /* widest value, in Latin chars */
    struct gg_buf esc;
};

int
gg_xlsx_create(struct gg_xlsx **out, const char *path, const char *sheet_name,
               struct gg_err *err)
{
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    const char *name = sheet_name ? sheet_name : "Sheet1";
    struct gg_xlsx *x;
    FILE *f;

    *out = NULL;
    /* libxlsxwriter opens the file only when closing: fail early. */
    f = fopen(path, "wb");
    if (!f)
        return gg_fail(err, GG_EINTERNAL, SHEET_FIELD, MSG_SHEET_WRITE);
    fclose(f);
    x = gg_xcalloc(1, sizeof(*x));
    x->wb = workbook_new_opt(path, &opt);
    if (x->wb && workbook_validate_sheet_name(x->wb, name) == LXW_NO_ERROR)
        x->ws = workbook_add_worksheet(x->wb, name);
    if (!x->ws) {
        int bad_name = x->wb != NULL;

        if (x->wb)
            lxw_workbook_free(x->wb);
        free(x);
        unlink(path);
        if (bad_name)
            return gg_failf(err, GG_EINVAL, SHEET_FIELD, MSG_SHEET_NAME, "%s",
                            name);
        return gg_fail(err, GG_EINTERNAL, SHEET_FIELD, MSG_SHEET_WRITE);
    }
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    worksheet_freeze_panes(x->ws, 1, 0);
    gg_buf_init(&x->esc, 2 * GG_SHEET_MAX_CELL);
    *out = x;
    return 0;
}

/* Text that looks like an OOXML escape (_xHHHH_) would be decoded by
 * Excel and by our reader; escaping its underscore keeps it literal. */
static const char *
xlsx_escape(struct gg_xlsx *x, const char *text, size_t len)
{
    uint32_t u;
    int rc = 0;

    if (!strstr(text, "_x"))
        return text;
    gg_buf_reset(&x->esc);
    for (size_t i = 0; i < len && rc == 0; i++) {
        if (ooxml_escape_at(text + i, len - i, &u))
            rc = gg_buf_adds(&x->esc, "_x005F_");
        else
            rc = gg_buf_add(&x->esc, text + i, 1);
    }
    return rc ? text : x->esc.data;
}

/* Display width: CJK characters (3- and 4-byte UTF-8) are two columns. */
static size_t
text_width(const char *s)
{
    size_t w = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x80 || (*p >= 0xC0 && *p < 0xE0))
            w++;
        else if (*p >= 0xE0)
            w += 2;
    }
    return w;
}

static int
xlsx_check_row(const struct gg_xlsx *x, const char *const *cells, size_t n,
               struct gg_err *err)
{
    int64_t line = (int64_t)x->rows + 1;

    if (x->rows >= LXW_ROW_MAX)
        return gg_fail(err, GG_ETOOBIG, SHEET_FIELD, MSG_SHEET_TOO_MANY_ROWS);
    if (n > GG_SHEET_MAX_COLS)
        return sheet_fail_line(err, GG_ETOOBIG, MSG_SHEET_COLUMNS, line);
    for (size_t i = 0; i < n; i++) {
        size_t len = cells[i] ? strlen(cells[i]) : 0;

        if (len > GG_SHEET_MAX_CELL)
            return sheet_fail_line(err, GG_ETOOBIG, MSG_SHEET_CELL_TOO_LONG,
                                   line);
        if (!gg_utf8_valid(cells[i] ? cells[i] : "", len))
            return sheet_fail_line(err, GG_EINVAL, MSG_SHEET_TEXT_INVALID,
                                   line);
    }
    return 0;
}

int
gg_xlsx_row(struct gg_xlsx *x, const char *const *cells, size_t n,
            struct gg_err *err)
{
    int rc = xlsx_check_row(x, cells, n, err);
    int64_t line = (int64_t)x->rows + 1;

    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *text = cells[i];
        size_t w;
        lxw_error le;

        if (!text || !*text)
            continue;
        le = worksheet_write_string(x->ws, x->rows, (lxw_col_t)i,
                                    xlsx_escape(x, text, strlen(text)),
                                    x->rows ? NULL : x->bold);
        if (le == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
            return sheet_fail_line(err, GG_ETOOBIG, MSG_SHEET_CELL_TOO_LONG,
                                   line);
        if (le != LXW_NO_ERROR)
            return gg_fail(err, GG_EINTERNAL, SHEET_FIELD, MSG_SHEET_WRITE);
        w = text_width(text);
        x->width[i] = (uint16_t)(w > x->width[i] ? w : x->width[i]);
        x->ncols = i + 1 > x->ncols ? i + 1 : x->ncols;
    }
    x->rows++;
    return 0;
}

int
gg_xlsx_close(struct gg_xlsx **px, struct gg_err *err)
{
    struct gg_xlsx *x = px ? *px : NULL;
    int rc = 0;

    if (!x)
        return 0;
    *px = NULL;
    /* Wide enough for the widest value, within reason; libxlsxwriter
     * writes the columns when closing, so this can wait until now. */
    for (size_t i = 0; i < x->ncols; i++) {
        double w = x->width[i] + 2 < 8 ? 8 : x->width[i] + 2;

        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, w > 60 ? 60 : w,
                             NULL);
    }
    if (workbook_close(x->wb) != LXW_NO_ERROR)
        rc = gg_fail(err, GG_EINTERNAL, SHEET_FIELD, MSG_SHEET_WRITE);
    gg_buf_release(&x->esc);
    free(x);
    return rc;
}

/* test_sheet.c - CSV and XLSX reading, XLSX writing (core/gg_sheet).
 * Every fixture is made here, in a temporary directory: CSV text (GB18030
 * through iconv), XLSX files from gg_xlsx, and hand-built ZIPs. */
#include "unit.h"

#include "core/gg_buf.h"
#include "core/gg_mem.h"
#include "core/gg_sheet.h"

#include <iconv.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[64];
static int nfiles;

static int
setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gg_sheet_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char path[128];
    (void)state;
    for (int i = 0; i < nfiles; i++) {
        snprintf(path, sizeof(path), "%s/f%d", tmpdir, i);
        unlink(path);
    }
    return rmdir(tmpdir);
}

/* A fresh file name in the temporary directory (static storage: copy it
 * before asking for the next). */
static const char *
tmp_path(void)
{
    static char path[128];
    snprintf(path, sizeof(path), "%s/f%d", tmpdir, nfiles++);
    return path;
}

static const char *
write_file(const void *data, size_t len)
{
    const char *path = tmp_path();
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

static const char *
write_text(const char *text)
{
    return write_file(text, strlen(text));
}

/* Reads every row as "line:a|b|c\n" (a newline in a cell shows as \n, a
 * CR as \r); *rc is what ended it: 0 or an error code. */
static char *
read_rows(const char *path, int *rc, struct gg_err *err)
{
    struct gg_buf out = GG_BUF_INIT(1 << 28);
    struct gg_sheet *s = NULL;
    const char *const *cells;
    size_t n;
    int64_t line;

    *rc = gg_sheet_open(&s, path, err);
    if (*rc)
        return gg_buf_detach(&out, NULL);
    while ((*rc = gg_sheet_next(s, &cells, &n, &line, err)) == 1) {
        assert_true(n >= 1 && n <= GG_SHEET_MAX_COLS);
        assert_int_equal(gg_buf_addf(&out, "%" PRId64 ":", line), 0);
        for (size_t i = 0; i < n; i++) {
            for (const char *p = cells[i]; *p; p++) {
                const char *esc = *p == '\n'   ? "\\n"
                                  : *p == '\r' ? "\\r"
                                               : NULL;
                assert_int_equal(
                    esc ? gg_buf_adds(&out, esc) : gg_buf_add(&out, p, 1), 0);
            }
            assert_int_equal(gg_buf_adds(&out, i + 1 < n ? "|" : "\n"), 0);
        }
    }
    if (*rc < 0) /* the error sticks */
        assert_int_equal(gg_sheet_next(s, &cells, &n, &line, NULL), *rc);
    gg_sheet_close(&s);
    assert_null(s);
    return gg_buf_detach(&out, NULL);
}

static void
expect_rows(const char *path, const char *want)
{
    struct gg_err err;
    int rc;
    char *got = read_rows(path, &rc, &err);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
}

/* Reads until an error; checks the rows before it, the code, the field,
 * the message and its argument. */
static void
expect_error(const char *path, const char *rows, int code, enum gg_msg_id msg,
             const char *arg)
{
    struct gg_err err;
    int rc;
    char *got;

    gg_err_clear(&err);
    got = read_rows(path, &rc, &err);
    assert_int_equal(rc, code);
    assert_int_equal(err.code, code);
    assert_string_equal(err.field, "file");
    assert_int_equal(err.msg, msg);
    assert_string_equal(err.arg, arg);
    if (rows)
        assert_string_equal(got, rows);
    free(got);
}

static void
expect_format(const char *path, enum gg_sheet_format format,
              const char *encoding)
{
    struct gg_sheet *s = NULL;
    assert_int_equal(gg_sheet_open(&s, path, NULL), 0);
    assert_int_equal(gg_sheet_format(s), format);
    assert_string_equal(gg_sheet_encoding(s), encoding);
    gg_sheet_close(&s);
}

/* UTF-8 text as GB18030. */
static char *
to_gb18030(const char *utf8, size_t *len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    size_t inleft = strlen(utf8), outleft = inleft * 2 + 4;
    char *out = gg_xmalloc(outleft), *o = out, *in = (char *)utf8;

    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(o - out);
    return out;
}

/* ------------------------------------------------------------------ */
/* CSV */

static void
csv_utf8_bom_crlf(void **state)
{
    const char *path = write_text("\xEF\xBB\xBF姓名,身份证号,电话\r\n"
                                  "张三,\"110101199001011234\",13800000000\r\n"
                                  "\r\n"
                                  "李四,011,\r\n");
    (void)state;
    expect_format(path, GG_SHEET_CSV, "UTF-8");
    expect_rows(path, "1:姓名|身份证号|电话\n"
                      "2:张三|110101199001011234|13800000000\n"
                      "4:李四|011|\n");
}

static void
csv_quoted_fields(void **state)
{
    const char *path = write_text("a,\"b,c\",\"say \"\"hi\"\"\"\n"
                                  "\"multi\nline\",x,\"x\r\ny\"\n"
                                  "next,\"\",end\n"
                                  "\"ab\"c,d e,\"\"\"\"\n"
                                  "\"\"\n"
                                  "say \"what\",z\r"
                                  "last,row");
    (void)state;
    expect_rows(path, "1:a|b,c|say \"hi\"\n"
                      "2:multi\\nline|x|x\\r\\ny\n"
                      "5:next||end\n"
                      "6:abc|d e|\"\n"
                      "7:\n"
                      "8:say \"what\"|z\n"
                      "9:last|row\n");
}

static void
csv_tab_ragged(void **state)
{
    const char *path = write_text("name\tid\tnote\n"
                                  "A\t1\n"
                                  "B,b\t2\t3\t4\n"
                                  "\n"
                                  "C\n");
    (void)state;
    expect_rows(path, "1:name|id|note\n"
                      "2:A|1\n"
                      "3:B,b|2|3|4\n"
                      "5:C\n");
}

static void
csv_gb18030(void **state)
{
    const char *text = "姓名,住址,备注\n"
                       "张三,北京市朝阳区,\"引号,逗号\"\n"
                       "欧阳娜娜,上海,𠮷€\n";
    size_t len;
    char *gb = to_gb18030(text, &len);
    const char *path = write_file(gb, len);
    (void)state;
    expect_format(path, GG_SHEET_CSV, "GB18030");
    expect_rows(path, "1:姓名|住址|备注\n"
                      "2:张三|北京市朝阳区|引号,逗号\n"
                      "3:欧阳娜娜|上海|𠮷€\n");
    free(gb);
}

/* Lines of one text, n times. */
static struct gg_buf
repeat(const char *line, int n)
{
    struct gg_buf b = GG_BUF_INIT(1 << 26);
    for (int i = 0; i < n; i++)
        assert_int_equal(gg_buf_adds(&b, line), 0);
    return b;
}

static void
csv_gb18030_invalid(void **state)
{
    size_t len;
    char *gb = to_gb18030("张三,1\n李四,2\n", &len);
    struct gg_buf b = GG_BUF_INIT(1 << 26), want = GG_BUF_INIT(1 << 26);
    const char *path;
    (void)state;

    /* early: the rows before the bad line are read first */
    assert_int_equal(gg_buf_add(&b, gb, len), 0);
    assert_int_equal(gg_buf_add(&b, "\xFF\xFE,3\n", 5), 0);
    path = write_file(b.data, b.len);
    expect_error(path, "1:张三|1\n2:李四|2\n", GG_EINVAL, MSG_SHEET_ENCODING,
                 "3");
    free(gb);
    gg_buf_release(&b);

    /* past the 64 KiB the encoding is judged on; a line of 19 bytes puts
     * a read boundary (256 KiB) inside a character */
    gb = to_gb18030("张三李四王五赵六,1\n", &len);
    assert_int_equal(len, 19);
    for (int i = 0; i < 20000; i++) {
        assert_int_equal(gg_buf_add(&b, gb, len), 0);
        assert_int_equal(gg_buf_addf(&want, "%d:张三李四王五赵六|1\n", i + 1),
                         0);
    }
    assert_int_equal(gg_buf_add(&b, "\x81\x20\n", 3), 0);
    path = write_file(b.data, b.len);
    expect_error(path, want.data, GG_EINVAL, MSG_SHEET_ENCODING, "20001");
    free(gb);
    gg_buf_release(&b);
    gg_buf_release(&want);

    /* a character cut by the end of the file */
    gb = to_gb18030("张三\n", &len);
    path = write_file(gb, len - 2);
    expect_error(path, NULL, GG_EINVAL, MSG_SHEET_ENCODING, "1");
    free(gb);
}

static void
csv_utf8_invalid(void **state)
{
    struct gg_buf b = repeat("abc,123\n", 10000);
    const char *path;
    (void)state;

    assert_int_equal(gg_buf_adds(&b, "ok,\xC3\x28\n"), 0);
    path = write_file(b.data, b.len);
    expect_format(path, GG_SHEET_CSV, "UTF-8");
    expect_error(path, NULL, GG_EINVAL, MSG_SHEET_ENCODING, "10001");
    gg_buf_release(&b);

    /* mostly UTF-8 with a stray byte: still UTF-8, the line is named */
    path = write_text("姓名,电话\n张三,1\n李\xFF四,2\n王五,3\n");
    expect_format(path, GG_SHEET_CSV, "UTF-8");
    expect_error(path, "1:姓名|电话\n2:张三|1\n", GG_EINVAL, MSG_SHEET_ENCODING,
                 "3");
}

static void
csv_unclosed_quote(void **state)
{
    const char *path = write_text("a,b\n\"open,x\ny\n");
    (void)state;
    expect_error(path, "1:a|b\n", GG_EINVAL, MSG_SHEET_QUOTE, "2");
}

static void
csv_limits(void **state)
{
    struct gg_buf b = GG_BUF_INIT(1 << 20);
    const char *path;
    (void)state;

    /* 256 columns pass, 257 do not */
    for (int i = 0; i < 256; i++)
        assert_int_equal(gg_buf_adds(&b, i ? ",x" : "x"), 0);
    assert_int_equal(gg_buf_adds(&b, "\nh"), 0);
    for (int i = 0; i < 256; i++)
        assert_int_equal(gg_buf_adds(&b, ",x"), 0);
    assert_int_equal(gg_buf_adds(&b, "\n"), 0);
    path = write_file(b.data, b.len);
    expect_error(path, NULL, GG_ETOOBIG, MSG_SHEET_COLUMNS, "2");
    gg_buf_reset(&b);

    /* 32 KiB in a cell pass, one byte more does not */
    assert_int_equal(gg_buf_adds(&b, "a,\""), 0);
    for (int i = 0; i < GG_SHEET_MAX_CELL; i++)
        assert_int_equal(gg_buf_add(&b, "y", 1), 0);
    assert_int_equal(gg_buf_adds(&b, "\"\nb,"), 0);
    for (int i = 0; i <= GG_SHEET_MAX_CELL; i++)
        assert_int_equal(gg_buf_add(&b, "z", 1), 0);
    assert_int_equal(gg_buf_adds(&b, "\n"), 0);
    path = write_file(b.data, b.len);
    expect_error(path, NULL, GG_ETOOBIG, MSG_SHEET_CELL_TOO_LONG, "2");
    gg_buf_release(&b);
}

static void
not_a_spreadsheet(void **state)
{
    unsigned char junk[4096];
    struct gg_sheet *s = NULL;
    struct gg_err err;
    uint32_t x = 12345;
    (void)state;

    for (size_t i = 0; i < sizeof(junk); i++) {
        x = x * 1103515245 + 12345;
        junk[i] = (unsigned char)(x >> 16);
    }
    expect_error(write_file(junk, sizeof(junk)), "", GG_EMEDIA,
                 MSG_SHEET_FORMAT, "");
    memcpy(junk, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    expect_error(write_file(junk, sizeof(junk)), "", GG_EMEDIA, MSG_SHEET_XLS,
                 "");
    expect_error("/nonexistent/gg_sheet.csv", "", GG_ENOTFOUND, MSG_SHEET_READ,
                 "");
    expect_error(tmpdir, "", GG_EMEDIA, MSG_SHEET_FORMAT, "");
    assert_int_equal(gg_sheet_open(&s, tmpdir, &err), GG_EMEDIA);
    assert_null(s);
    gg_sheet_close(&s); /* NULL-safe */
    gg_sheet_close(NULL);
    /* an empty file is an empty CSV */
    expect_rows(write_text(""), "");
}

static void
csv_progress(void **state)
{
    struct gg_buf b = repeat("张三,李四,王五\n", 100000);
    const char *path = write_file(b.data, b.len);
    struct gg_sheet *s = NULL;
    const char *const *cells;
    size_t n;
    int64_t line;
    uint64_t done, total, last = 0;
    (void)state;

    assert_int_equal(gg_sheet_open(&s, path, NULL), 0);
    while (gg_sheet_next(s, &cells, &n, &line, NULL) == 1) {
        assert_int_equal(n, 3);
        assert_string_equal(cells[0], "张三");
        assert_string_equal(cells[2], "王五");
        gg_sheet_progress(s, &done, &total);
        assert_true(done >= last && done <= total);
        last = done;
    }
    assert_int_equal(line, 0);
    gg_sheet_progress(s, &done, &total);
    assert_int_equal(total, b.len);
    assert_int_equal(done, total);
    gg_sheet_close(&s);
    gg_buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* XLSX written by gg_xlsx and read back */

static void
row_text(int i, char cells[6][64])
{
    snprintf(cells[0], 64, "%06d", i); /* leading zeros */
    snprintf(cells[1], 64, "张三%d", i);
    snprintf(cells[2], 64, "%s", i % 3 ? "x" : ""); /* empty middle */
    snprintf(cells[3], 64, "1101011990%08d", i);    /* 18 digits */
    snprintf(cells[4], 64, "%s", i % 7 ? "=SUM(A1)" : "a\nb _x0041_");
    snprintf(cells[5], 64, "%d.50", i); /* stays text */
}

static void
xlsx_round_trip(void **state)
{
    char path[128], cells[6][64], want[512];
    const char *row[6],
        *header[] = {"编号", "姓名", "", "身份证号", "备注", "金额"};
    const char *const *got;
    struct gg_xlsx *x = NULL;
    struct gg_sheet *s = NULL;
    struct gg_err err;
    size_t n;
    int64_t line;
    uint64_t done, total;
    (void)state;

    snprintf(path, sizeof(path), "%s", tmp_path());
    assert_int_equal(gg_xlsx_create(&x, path, "人员台账", &err), 0);
    assert_int_equal(gg_xlsx_row(x, header, 6, &err), 0);
    for (int i = 0; i < 10000; i++) {
        row_text(i, cells);
        for (int j = 0; j < 6; j++)
            row[j] = cells[j];
        assert_int_equal(gg_xlsx_row(x, row, 6, &err), 0);
    }
    assert_int_equal(gg_xlsx_close(&x, &err), 0);
    assert_null(x);

    assert_int_equal(gg_sheet_open(&s, path, &err), 0);
    assert_int_equal(gg_sheet_format(s), GG_SHEET_XLSX);
    assert_string_equal(gg_sheet_encoding(s), "XLSX");
    assert_int_equal(gg_sheet_next(s, &got, &n, &line, &err), 1);
    assert_int_equal(n, 6);
    assert_int_equal(line, 1);
    for (int j = 0; j < 6; j++)
        assert_string_equal(got[j], header[j]);
    for (int i = 0; i < 10000; i++) {
        assert_int_equal(gg_sheet_next(s, &got, &n, &line, &err), 1);
        assert_int_equal(line, i + 2);
        assert_int_equal(n, 6);
        row_text(i, cells);
        for (int j = 0; j < 6; j++) {
            snprintf(want, sizeof(want), "%s", cells[j]);
            assert_string_equal(got[j], want);
        }
    }
    assert_int_equal(gg_sheet_next(s, &got, &n, &line, &err), 0);
    gg_sheet_progress(s, &done, &total);
    assert_true(total > 0);
    assert_int_equal(done, total);
    gg_sheet_close(&s);
}

static void
xlsx_writer_errors(void **state)
{
    char path[128];
    struct gg_xlsx *x = NULL;
    struct gg_err err;
    const char *bad[] = {"ok", "\xC3\x28"};
    const char *many[GG_SHEET_MAX_COLS + 1];
    (void)state;

    snprintf(path, sizeof(path), "%s", tmp_path());
    assert_int_equal(gg_xlsx_create(&x, path, "a/b", &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_SHEET_NAME);
    assert_string_equal(err.field, "file");
    assert_string_equal(err.arg, "a/b");
    assert_null(x);
    assert_int_equal(gg_xlsx_create(&x, "/nonexistent/dir/a.xlsx", NULL, &err),
                     GG_EINTERNAL);
    assert_int_equal(err.msg, MSG_SHEET_WRITE);
    assert_string_equal(err.field, "file");

    assert_int_equal(gg_xlsx_create(&x, path, NULL, &err), 0);
    assert_int_equal(gg_xlsx_row(x, bad, 1, &err), 0);
    assert_int_equal(gg_xlsx_row(x, bad, 2, &err), GG_EINVAL);
    assert_int_equal(err.msg, MSG_SHEET_TEXT_INVALID);
    assert_string_equal(err.field, "file");
    assert_string_equal(err.arg, "2");
    for (size_t i = 0; i < GG_ARRAY_LEN(many); i++)
        many[i] = "v";
    assert_int_equal(gg_xlsx_row(x, many, GG_ARRAY_LEN(many), &err),
                     GG_ETOOBIG);
    assert_int_equal(err.msg, MSG_SHEET_COLUMNS);
    assert_int_equal(gg_xlsx_row(x, many, GG_SHEET_MAX_COLS, &err), 0);
    assert_int_equal(gg_xlsx_close(&x, &err), 0);
    assert_int_equal(gg_xlsx_close(&x, &err), 0); /* NULL-safe */
    assert_int_equal(gg_xlsx_close(NULL, &err), 0);
    expect_format(path, GG_SHEET_XLSX, "XLSX");
}

/* ------------------------------------------------------------------ */
/* Hand-built ZIPs */

struct zpart {
    const char *name;
    const char *text; /* NULL: data/len */
    const void *data;
    size_t len;
    int stored;       /* method 0 instead of deflate */
    uint64_t usize;   /* a declared size other than the true one */
    uint32_t crc_xor; /* spoils the declared CRC */
};

static void
put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

static void
put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* ZIP64 form of the directory: sizes and offsets in the extra field, the
 * directory found through the ZIP64 end record; and an archive comment. */
static void
zip64_tail(FILE *f, long dir, size_t n)
{
    unsigned char h[56];
    long end64 = ftell(f);

    memset(h, 0, sizeof(h));
    put32(h, 0x06064b50);
    put64(h + 4, 44);
    put16(h + 12, 45);
    put16(h + 14, 45);
    put64(h + 24, n);
    put64(h + 32, n);
    put64(h + 40, (uint64_t)(end64 - dir));
    put64(h + 48, (uint64_t)dir);
    fwrite(h, 1, 56, f);
    memset(h, 0, 20);
    put32(h, 0x07064b50);
    put64(h + 8, (uint64_t)end64);
    put32(h + 16, 1);
    fwrite(h, 1, 20, f);
    memset(h, 0, 22);
    put32(h, 0x06054b50);
    put16(h + 8, 0xFFFF);
    put16(h + 10, 0xFFFF);
    put32(h + 12, 0xFFFFFFFF);
    put32(h + 16, 0xFFFFFFFF);
    put16(h + 20, 7);
    fwrite(h, 1, 22, f);
    fwrite("gridgov", 1, 7, f);
}

/* Raw deflate of len bytes of data, or of len zeros when data is NULL. */
static unsigned char *
deflate_raw(const void *data, size_t len, size_t *zlen, uint32_t *crc)
{
    static unsigned char zeros[1 << 20];
    z_stream z;
    size_t cap = 1 << 16, done = 0;
    unsigned char *out = gg_xmalloc(cap);

    memset(&z, 0, sizeof(z));
    assert_int_equal(
        deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
        Z_OK);
    *crc = (uint32_t)crc32(0, NULL, 0);
    while (done < len || z.avail_in) {
        size_t step = len - done < sizeof(zeros) ? len - done : sizeof(zeros);
        const unsigned char *in =
            data ? (const unsigned char *)data + done : zeros;
        if (z.avail_in == 0) {
            z.next_in = (unsigned char *)in;
            z.avail_in = (uInt)step;
            *crc = (uint32_t)crc32(*crc, in, (uInt)step);
            done += step;
        }
        do {
            if (z.total_out + 1024 > cap) {
                cap *= 2;
                out = gg_xrealloc(out, cap);
            }
            z.next_out = out + z.total_out;
            z.avail_out = (uInt)(cap - z.total_out);
            assert_int_not_equal(deflate(&z, Z_NO_FLUSH), Z_STREAM_ERROR);
        } while (z.avail_out == 0);
    }
    for (int zr = Z_OK; zr != Z_STREAM_END;) {
        if (z.total_out + 1024 > cap) {
            cap *= 2;
            out = gg_xrealloc(out, cap);
        }
        z.next_out = out + z.total_out;
        z.avail_out = (uInt)(cap - z.total_out);
        zr = deflate(&z, Z_FINISH);
    }
    *zlen = z.total_out;
    deflateEnd(&z);
    return out;
}

static void
zip_write_as(const char *path, const struct zpart *parts, size_t n, int zip64)
{
    FILE *f = fopen(path, "wb");
    unsigned char h[46], *z;
    uint32_t *offs = gg_xcalloc(n, sizeof(uint32_t));
    uint32_t *crcs = gg_xcalloc(n, sizeof(uint32_t));
    size_t *zlens = gg_xcalloc(n, sizeof(size_t));
    long dir;

    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        const struct zpart *p = &parts[i];
        const void *data = p->text ? p->text : p->data;
        size_t len = p->text ? strlen(p->text) : p->len;
        uint64_t usize = p->usize ? p->usize : len;

        if (p->stored) {
            z = gg_xmalloc(len ? len : 1);
            memcpy(z, data, len);
            zlens[i] = len;
            crcs[i] = (uint32_t)crc32(crc32(0, NULL, 0), data, (uInt)len);
        } else {
            z = deflate_raw(data, len, &zlens[i], &crcs[i]);
        }
        crcs[i] ^= p->crc_xor;
        offs[i] = (uint32_t)ftell(f);
        memset(h, 0, sizeof(h));
        put32(h, 0x04034b50);
        put16(h + 4, 20);
        put16(h + 8, p->stored ? 0 : 8);
        put32(h + 14, crcs[i]);
        put32(h + 18, (uint32_t)zlens[i]);
        put32(h + 22, (uint32_t)usize);
        put16(h + 26, (unsigned)strlen(p->name));
        fwrite(h, 1, 30, f);
        fwrite(p->name, 1, strlen(p->name), f);
        fwrite(z, 1, zlens[i], f);
        free(z);
    }
    dir = ftell(f);
    for (size_t i = 0; i < n; i++) {
        const struct zpart *p = &parts[i];
        size_t len = p->text ? strlen(p->text) : p->len;

        memset(h, 0, sizeof(h));
        put32(h, 0x02014b50);
        put16(h + 4, 20);
        put16(h + 6, 20);
        put16(h + 10, p->stored ? 0 : 8);
        put32(h + 16, crcs[i]);
        put32(h + 20, zip64 ? 0xFFFFFFFF : (uint32_t)zlens[i]);
        put32(h + 24,
              zip64 ? 0xFFFFFFFF : (uint32_t)(p->usize ? p->usize : len));
        put16(h + 28, (unsigned)strlen(p->name));
        put16(h + 30, zip64 ? 28 : 0);
        put32(h + 42, zip64 ? 0xFFFFFFFF : offs[i]);
        fwrite(h, 1, 46, f);
        fwrite(p->name, 1, strlen(p->name), f);
        if (zip64) {
            put16(h, 1);
            put16(h + 2, 24);
            put64(h + 4, p->usize ? p->usize : len);
            put64(h + 12, zlens[i]);
            put64(h + 20, offs[i]);
            fwrite(h, 1, 28, f);
        }
    }
    if (zip64) {
        zip64_tail(f, dir, n);
        goto out;
    }
    memset(h, 0, 22);
    put32(h, 0x06054b50);
    put16(h + 8, (unsigned)n);
    put16(h + 10, (unsigned)n);
    put32(h + 12, (uint32_t)(ftell(f) - dir));
    put32(h + 16, (uint32_t)dir);
    fwrite(h, 1, 22, f);
out:
    assert_int_equal(fclose(f), 0);
    free(offs);
    free(crcs);
    free(zlens);
}

static void
zip_write(const char *path, const struct zpart *parts, size_t n)
{
    zip_write_as(path, parts, n, 0);
}

#define NS_MAIN                                                                \
    "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R                                                                   \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"         \
    "relationships\""
#define REL_T                                                                  \
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

static const char workbook_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<workbook " NS_MAIN " " NS_R "><workbookPr/><sheets>"
    "<sheet name=\"人员\" sheetId=\"1\" r:id=\"rId7\"/>"
    "<sheet name=\"其他\" sheetId=\"2\" r:id=\"rId8\"/></sheets></workbook>";

static const char rels_xml[] =
    "<Relationships "
    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId8\" Type=\"" REL_T
    "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId7\" Type=\"" REL_T
    "worksheet\" Target=\"/xl/worksheets/data.xml\"/>"
    "<Relationship Id=\"rId3\" Type=\"" REL_T
    "sharedStrings\" Target=\"strings.xml\"/>"
    "<Relationship Id=\"rId4\" Type=\"" REL_T
    "styles\" Target=\"./styles.xml\"/>"
    "</Relationships>";

/* cellXfs: 0 general, 1 date (14), 2 custom date (164), 3 custom number
 * (165), 4 date and time (166), 5 time of day (20). The cellStyleXfs entry
 * must not count. */
static const char styles_xml[] =
    "<styleSheet " NS_MAIN "><numFmts count=\"3\">"
    "<numFmt numFmtId=\"164\" "
    "formatCode=\"yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00_);[Red]\\(0.00\\)\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"6\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/>"
    "<xf numFmtId=\"164\"/><xf numFmtId=\"165\"/><xf numFmtId=\"166\"/>"
    "<xf numFmtId=\"20\"/></cellXfs></styleSheet>";

static const char strings_xml[] =
    "<sst " NS_MAIN " count=\"5\" uniqueCount=\"5\">"
    "<si><t>姓名</t></si>"
    "<si><t>身份证号</t></si>"
    "<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\">三 "
    "</t></r>"
    "<rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></si>"
    "<si><t>line1_x000D_\nline2 a_x005F_x0041_b</t></si>"
    "<si><t/></si></sst>";

static const char data_xml[] =
    "<worksheet " NS_MAIN "><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" "
    "t=\"s\"><v>1</v></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>生日</t></is></c>"
    "<c r=\"D1\" "
    "t=\"inlineStr\"><is><r><t>备</t></r><r><t>注</t></r></is></c></row>"
    "<row r=\"3\" spans=\"1:6\"><c r=\"A3\" t=\"s\"><v>2</v></c>"
    "<c r=\"B3\"><v>1.1010119900101101E+17</v></c><c r=\"C3\" "
    "s=\"1\"><v>45000</v></c>"
    "<c r=\"E3\" t=\"b\"><v>1</v></c></row>"
    "<row r=\"4\"><c r=\"A4\" s=\"1\"/><c "
    "r=\"B4\"><v>110101199001011234</v></c>"
    "<c r=\"C4\" s=\"2\"><v>32874</v></c><c r=\"D4\" "
    "s=\"3\"><v>3.2999999999999998</v></c>"
    "<c r=\"F4\" t=\"str\"><f>A1</f><v>公式</v></c></row>"
    "<row r=\"5\"><c r=\"A5\" s=\"1\"/><c r=\"B5\" s=\"1\"/><c r=\"IW5\" "
    "s=\"1\"/></row>"
    "<row><c t=\"s\"><v>3</v></c><c><v>-0.5</v></c><c "
    "s=\"4\"><v>45000.5</v></c>"
    "<c s=\"5\"><v>0.5</v></c><c t=\"e\"><v>#N/A</v></c></row>"
    "<row r=\"9\"><c r=\"B9\" t=\"s\"><v>4</v></c><c r=\"C9\"><v>1E+3</v></c>"
    "<c r=\"D9\" t=\"b\"><v>0</v></c><c r=\"E9\" s=\"1\"><v>60</v></c>"
    "<c r=\"F9\" s=\"1\"><v>1</v></c><c r=\"G9\" s=\"1\"><v>-1</v></c></row>"
    "</sheetData><mergeCells count=\"0\"/></worksheet>";

static const char decoy_xml[] =
    "<worksheet " NS_MAIN
    "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\">"
    "<is><t>wrong sheet</t></is></c></row></sheetData></worksheet>";

static void
xlsx_hand_built(void **state)
{
    const struct zpart parts[] = {
        {.name = "[Content_Types].xml", .text = "<Types/>"},
        {.name = "xl/workbook.xml", .text = workbook_xml, .stored = 1},
        {.name = "xl/_rels/workbook.xml.rels", .text = rels_xml},
        {.name = "xl/styles.xml", .text = styles_xml, .stored = 1},
        {.name = "xl/strings.xml", .text = strings_xml},
        {.name = "xl/worksheets/sheet1.xml", .text = decoy_xml},
        {.name = "xl/worksheets/data.xml", .text = data_xml},
    };
    const char *want =
        "1:姓名|身份证号|生日|备注\n"
        "3:张三 |1.10101199001011e+17|2023-03-15||TRUE\n"
        "4:|110101199001011234|1990-01-01|3.3||公式\n"
        "6:line1\\r\\nline2 a_x0041_b|-0.5|2023-03-15 12:00:00|0.5|#N/A\n"
        "9:||1000|FALSE|1900-02-29|1900-01-01|-1\n";
    (void)state;

    /* the classic directory, then the ZIP64 one with an archive comment */
    for (int zip64 = 0; zip64 <= 1; zip64++) {
        const char *path = tmp_path();

        zip_write_as(path, parts, GG_ARRAY_LEN(parts), zip64);
        expect_format(path, GG_SHEET_XLSX, "XLSX");
        expect_rows(path, want);
    }
}

static void
xlsx_date1904_and_fallback(void **state)
{
    const char wb[] = "<workbook " NS_MAIN "><workbookPr date1904=\"1\"/>"
                      "</workbook>";
    const char sheet[] =
        "<x:worksheet "
        "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        "<x:sheetData><x:row r=\"2\"><x:c r=\"B2\" "
        "s=\"1\"><x:v>43538</x:v></x:c>"
        "</x:row></x:sheetData></x:worksheet>";
    const char styles[] = "<styleSheet><cellXfs><xf numFmtId=\"0\"/>"
                          "<xf numFmtId=\"14\"/></cellXfs></styleSheet>";
    const struct zpart parts[] = {
        {.name = "xl/workbook.xml", .text = wb},
        {.name = "XL/Styles.xml", .text = styles},
        {.name = "xl/worksheets/sheet1.xml", .text = sheet},
    };
    const char *path = tmp_path();
    (void)state;

    /* no relationships: the first sheet is sheet1.xml */
    zip_write(path, parts, GG_ARRAY_LEN(parts));
    expect_rows(path, "2:|2023-03-15\n");
}

static void
xlsx_not_a_workbook(void **state)
{
    const struct zpart doc[] = {{.name = "word/document.xml", .text = "<w/>"}};
    const struct zpart nosheet[] = {
        {.name = "xl/workbook.xml", .text = workbook_xml}};
    const char *path = tmp_path();
    (void)state;

    zip_write(path, doc, 1);
    expect_error(path, "", GG_EMEDIA, MSG_SHEET_FORMAT, "");
    path = tmp_path();
    zip_write(path, nosheet, 1);
    expect_error(path, "", GG_EINVAL, MSG_SHEET_NO_SHEET, "");
}

static const char *
one_sheet_zip(const char *sheet_xml)
{
    const struct zpart parts[] = {
        {.name = "xl/worksheets/sheet1.xml", .text = sheet_xml}};
    const char *path = tmp_path();
    zip_write(path, parts, 1);
    return path;
}

static void
xlsx_damaged(void **state)
{
    struct gg_xlsx *x = NULL;
    const char *row[] = {"a", "b"};
    char path[128];
    FILE *f;
    long size;
    char *bytes;
    const char *sheet = "xl/worksheets/sheet1.xml";
    (void)state;

    /* a truncated file: the directory at the end is gone */
    snprintf(path, sizeof(path), "%s", tmp_path());
    assert_int_equal(gg_xlsx_create(&x, path, NULL, NULL), 0);
    for (int i = 0; i < 500; i++)
        assert_int_equal(gg_xlsx_row(x, row, 2, NULL), 0);
    assert_int_equal(gg_xlsx_close(&x, NULL), 0);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    rewind(f);
    bytes = gg_xmalloc((size_t)size);
    assert_int_equal(fread(bytes, 1, (size_t)size, f), size);
    fclose(f);
    expect_error(write_file(bytes, (size_t)size * 6 / 10), "", GG_EINVAL,
                 MSG_SHEET_ZIP_DAMAGED, "");
    expect_error(write_file(bytes, (size_t)size - 10), "", GG_EINVAL,
                 MSG_SHEET_ZIP_DAMAGED, "");
    free(bytes);

    /* bad XML, a DTD, a wrong CRC, a shared string that is not there */
    expect_error(one_sheet_zip("<worksheet><sheetData><row><c><v>1</v></row>"),
                 "", GG_EINVAL, MSG_SHEET_PART_DAMAGED, sheet);
    expect_error(one_sheet_zip("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>"),
                 "", GG_EINVAL, MSG_SHEET_PART_DAMAGED, sheet);
    expect_error(one_sheet_zip("<worksheet><sheetData><row r=\"1\"><c t=\"s\">"
                               "<v>7</v></c></row></sheetData></worksheet>"),
                 "", GG_EINVAL, MSG_SHEET_PART_DAMAGED, sheet);
    {
        const struct zpart parts[] = {
            {.name = "xl/worksheets/sheet1.xml",
             .crc_xor = 1,
             .text = "<worksheet><sheetData><row r=\"1\"><c><v>1</v></c>"
                     "</row></sheetData></worksheet>"}};
        const char *p = tmp_path();
        zip_write(p, parts, 1);
        expect_error(p, "1:1\n", GG_EINVAL, MSG_SHEET_PART_DAMAGED, sheet);
    }
}

static void
xlsx_limits(void **state)
{
    struct gg_buf b = GG_BUF_INIT(1 << 20);
    const char *sheet = "xl/worksheets/sheet1.xml";
    (void)state;

    /* column 257 (IW) with a value */
    expect_error(
        one_sheet_zip("<worksheet><sheetData><row r=\"1\">"
                      "<c r=\"IV1\"><v>1</v></c><c r=\"IW1\"><v>2</v></c>"
                      "</row></sheetData></worksheet>"),
        "", GG_ETOOBIG, MSG_SHEET_COLUMNS, "1");

    /* a cell over 32 KiB */
    assert_int_equal(
        gg_buf_adds(
            &b, "<worksheet><sheetData><row r=\"1\"><c>"
                "<v>1</v></c></row><row r=\"2\"><c t=\"inlineStr\"><is><t>"),
        0);
    for (int i = 0; i <= GG_SHEET_MAX_CELL; i++)
        assert_int_equal(gg_buf_add(&b, "a", 1), 0);
    assert_int_equal(
        gg_buf_adds(&b, "</t></is></c></row></sheetData></worksheet>"), 0);
    expect_error(one_sheet_zip(b.data), "1:1\n", GG_ETOOBIG,
                 MSG_SHEET_CELL_TOO_LONG, "2");
    gg_buf_release(&b);

    /* a zip bomb: 100 MB of zeros */
    {
        const struct zpart parts[] = {
            {.name = "xl/worksheets/sheet1.xml", .len = 100u << 20}};
        const char *path = tmp_path();
        zip_write(path, parts, 1);
        expect_error(path, "", GG_ETOOBIG, MSG_SHEET_ZIP_BOMB, sheet);
    }

    /* a part other than the sheet declared larger than 64 MiB */
    {
        const struct zpart parts[] = {
            {.name = "xl/sharedStrings.xml",
             .text = "<sst/>",
             .usize = 70u << 20},
            {.name = "xl/worksheets/sheet1.xml", .text = "<worksheet/>"}};
        const char *path = tmp_path();
        zip_write(path, parts, 2);
        expect_error(path, "", GG_ETOOBIG, MSG_SHEET_PART_TOO_BIG,
                     "xl/sharedStrings.xml");
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_utf8_bom_crlf),
        cmocka_unit_test(csv_quoted_fields),
        cmocka_unit_test(csv_tab_ragged),
        cmocka_unit_test(csv_gb18030),
        cmocka_unit_test(csv_gb18030_invalid),
        cmocka_unit_test(csv_utf8_invalid),
        cmocka_unit_test(csv_unclosed_quote),
        cmocka_unit_test(csv_limits),
        cmocka_unit_test(not_a_spreadsheet),
        cmocka_unit_test(csv_progress),
        cmocka_unit_test(xlsx_round_trip),
        cmocka_unit_test(xlsx_writer_errors),
        cmocka_unit_test(xlsx_hand_built),
        cmocka_unit_test(xlsx_date1904_and_fallback),
        cmocka_unit_test(xlsx_not_a_workbook),
        cmocka_unit_test(xlsx_damaged),
        cmocka_unit_test(xlsx_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

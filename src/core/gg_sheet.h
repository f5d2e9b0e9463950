/*
 * gg_sheet.h - spreadsheets in and out: a streaming reader for CSV and XLSX
 * and a streaming writer for XLSX.
 *
 * The reader is built for imports of up to millions of rows: it hands out
 * one row at a time and never holds a whole sheet's cells. Memory is bounded
 * by the limits below (one row, plus an XLSX file's shared strings, which
 * the format makes every reader keep).
 *
 * Reading
 *   The format comes from the content, never from the file name: a ZIP
 *   ("PK\3\4") is read as XLSX, text as CSV. Old .xls files and anything
 *   binary fail with GG_EMEDIA.
 *   CSV follows RFC 4180 (quoted fields, doubled quotes, CRLF or LF, line
 *   breaks inside quotes) with an optional UTF-8 byte order mark. The
 *   separator is a comma or a tab, whichever the header line has more of.
 *   The encoding is judged on the first 64 KiB: UTF-8 when it is UTF-8,
 *   otherwise GB18030 (converted to UTF-8); a later line that is invalid in
 *   that encoding fails with its line number.
 *   XLSX: the first worksheet of the workbook. Shared and inline strings,
 *   numbers (integers exactly as integers, others in the shortest form that
 *   keeps the value), booleans (TRUE/FALSE), and dates: a number in a cell
 *   whose style is a date format becomes YYYY-MM-DD (with " HH:MM:SS" when a
 *   date-and-time format has a time of day); other numbers stay numbers.
 *   Rows and cells are placed by their references: a skipped cell is an
 *   empty string, and trailing empty cells are not returned.
 *   In both formats wholly blank rows are skipped; `line` tells where a row
 *   was (CSV: the physical line the record starts on; XLSX: the row number).
 *
 * Errors (the field is always "file"; the message says what and where):
 *   GG_ENOTFOUND  the file does not exist
 *   GG_EMEDIA     not a CSV or XLSX file (binary, .xls, a ZIP without a
 *                 workbook)
 *   GG_EINVAL     bad text encoding, an unclosed quote, a damaged XLSX
 *   GG_ETOOBIG    over a limit below, or a ZIP entry compressed more than
 *                 GG_SHEET_MAX_RATIO:1 (a zip bomb)
 *   GG_EINTERNAL  reading failed
 * After an error, gg_sheet_next keeps returning the same error.
 *
 * Writing
 *   gg_xlsx writes one worksheet row by row (libxlsxwriter in its constant
 *   memory mode): the first row is the header (bold, frozen), every cell is
 *   written as text so identifiers keep their leading zeros, and column
 *   widths follow the widest value. Memory stays flat however many rows.
 *
 * A reader or writer belongs to one thread at a time; different ones are
 * independent.
 */
#ifndef GG_SHEET_H
#define GG_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include "core/gg_err.h"

#define GG_SHEET_MAX_COLS 256                 /* cells in a row */
#define GG_SHEET_MAX_CELL (32 * 1024)         /* bytes in a cell */
#define GG_SHEET_MAX_ENTRY (64 * 1024 * 1024) /* ZIP entry but the sheet */
#define GG_SHEET_MAX_RATIO 200                /* uncompressed:compressed */

struct gg_sheet; /* a reader */

enum gg_sheet_format { GG_SHEET_CSV = 1, GG_SHEET_XLSX };

/* Opens path and detects its format and encoding. */
int gg_sheet_open(struct gg_sheet **out, const char *path, struct gg_err *err)
    __attribute__((warn_unused_result));
enum gg_sheet_format gg_sheet_format(const struct gg_sheet *s);
/* "UTF-8" or "GB18030" for CSV, "XLSX" for XLSX. Static string. */
const char *gg_sheet_encoding(const struct gg_sheet *s);
/*
 * Reads the next non-blank row: *cells points to *n NUL-terminated UTF-8
 * strings ("" for an empty cell), 1 <= *n <= GG_SHEET_MAX_COLS, owned by
 * the reader and valid until the next call. *line is the 1-based line (CSV)
 * or row number (XLSX). Returns 1 for a row, 0 at the end, or a negative
 * GG_E* code.
 */
int gg_sheet_next(struct gg_sheet *s, const char *const **cells, size_t *n,
                  int64_t *line, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Input bytes consumed so far and the file's size, for a progress bar:
 * done only grows and equals total at the end. */
void gg_sheet_progress(const struct gg_sheet *s, uint64_t *done,
                       uint64_t *total);
void gg_sheet_close(struct gg_sheet **s); /* NULL-safe; sets *s to NULL */

struct gg_xlsx; /* a writer */

/* Starts an XLSX file at path with one worksheet called sheet_name (NULL:
 * "Sheet1"). Fails with GG_EINVAL for a name Excel refuses and with
 * GG_EINTERNAL when path cannot be written. */
int gg_xlsx_create(struct gg_xlsx **out, const char *path,
                   const char *sheet_name, struct gg_err *err)
    __attribute__((warn_unused_result));
/* Appends a row of n UTF-8 strings (NULL or "" for an empty cell); the
 * first row is the header. GG_EINVAL for text that is not UTF-8,
 * GG_ETOOBIG past the reader's limits (so that what is written can be read
 * back) or Excel's (1048576 rows, 32767 characters in a cell). */
int gg_xlsx_row(struct gg_xlsx *x, const char *const *cells, size_t n,
                struct gg_err *err) __attribute__((warn_unused_result));
/* Writes the file and frees the writer; NULL-safe, sets *x to NULL.
 * GG_EINTERNAL when the file cannot be written. */
int gg_xlsx_close(struct gg_xlsx **x, struct gg_err *err);

#endif

/*
 * csv.c - the streaming CSV scanner: RFC 4180 (quotes, doubled quotes, line
 * breaks inside quotes, CRLF or LF) and whitespace-separated text.
 *
 * No paper; the format is RFC 4180 with the usual relaxations (a quote is only
 * special at the start of a field, a lone CR is data, blank lines are
 * skipped). Input comes from one of three sources:
 *   - a memory buffer, or a plain regular file mapped with mmap: the whole
 *     input is one window and fields point straight into it;
 *   - a stream (stdin, a pipe, or any gzip input): bytes are decoded into a
 *     growing buffer that holds the unread rest of the current row plus the
 *     next chunk, so memory is one buffer plus the longest row.
 * The row parser works on a window [pos, len) and never needs to know which
 * source fills it: when a row runs into the end of a window that is not final
 * it reports "need more", the stream is refilled, and the row is parsed again
 * from its start. Restarts stay cheap because each refill reads at least as
 * many new bytes as the partial row already holds.
 *
 * Speed: unquoted fields are found by a 64-byte block scan that turns the
 * bytes equal to the delimiter, a line feed or a quote into a bit mask (SSE2
 * where available); the parser then walks the mask bit by bit, so the per-byte
 * cost is a few vector instructions and there is no per-byte branch or call.
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Results of parse_row() besides a CLV_ status (which are all >= 0). */
enum { ROW_EOF = -1, ROW_MORE = -2 };

enum { SRC_MEM, SRC_MMAP, SRC_STREAM };

#define CSV_INITIAL_BUFFER ((size_t)1 << 20)
/* A streamed row longer than this is reported instead of buffered: it is
 * almost always an unbalanced quote swallowing the rest of the file. */
#define CSV_MAX_ROW ((size_t)64 << 20)
#define GZ_CHUNK ((size_t)256 << 10)
#define NO_BLOCK (SIZE_MAX / 2)

struct clv__csv {
  /* The window being parsed: bytes [pos, len) of buf are not yet consumed. */
  const char *buf;
  size_t len, pos;
  int final; /* 1 when no byte will ever follow buf[len - 1] */
  int kind;

  /* SRC_MMAP: the mapping (map_len bytes); buf may start inside it. */
  void *map;
  size_t map_len;

  /* SRC_STREAM. */
  int fd, own_fd;
  int seekable;       /* fd is a regular file: rewind by seeking */
  off_t start_off;    /* where the input starts in fd */
  char *sbuf;         /* decoded bytes; buf == sbuf */
  size_t cap;         /* size of sbuf (or the size the first fill uses) */
  int started;        /* the first raw bytes were read and sniffed */
  int raw_eof;        /* read() on fd returned 0 */
  uint64_t raw_pos;   /* raw bytes delivered since the start */
  uint64_t raw_total; /* size of the raw input, 0 when unknown */
  int spool_fd;       /* copy of the raw bytes for rewinding a pipe, or -1 */
  uint64_t spool_len;
  int gz, gz_in_member, zs_ready;
  z_stream zs;
  unsigned char *zin; /* raw input chunk: compressed bytes, or the sniff */
  size_t zin_cap;

  /* Parser state. */
  long first_line;
  long line;     /* physical line number of buf[pos] */
  long row_line; /* line where the last returned row starts */
  int bom_done;
  int resync; /* after an error: skip to the next line first */
  char delim; /* 0 until detected; ' ' means runs of blanks */
  int ws;
  uint8_t special[4]; /* bytes that end an unquoted field, plus '"' */
  uint8_t is_special[256];
  size_t blk;    /* start of the cached 64-byte block, NO_BLOCK if none */
  uint64_t mask; /* bit i set when buf[blk + i] is special */

  /* The current row. */
  clv__field *fields;
  size_t *soff; /* scratch offset of field i when fields[i].p == NULL */
  size_t nf, fcap;
  char *scratch;
  size_t scap;

  char name[256];
};

/* ---- errors ---------------------------------------------------------------
 */

static void set_error(clv_error *err, int status, const char *name, long line,
                      long column, const char *fmt, va_list ap) {
  if (err == NULL)
    return;
  err->status = status;
  snprintf(err->file, sizeof err->file, "%s", name ? name : "");
  err->line = line;
  err->column = column;
  vsnprintf(err->message, sizeof err->message, fmt, ap);
}

void clv__csv_error(const clv__csv *c, clv_error *err, long line, long column,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_error(err, CLV_EPARSE, c ? c->name : "", line, column, fmt, ap);
  va_end(ap);
}

static int io_error(const char *name, clv_error *err, int status,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int io_error(const char *name, clv_error *err, int status,
                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  set_error(err, status, name, 0, 0, fmt, ap);
  va_end(ap);
  return status;
}

/* Describes a byte for an error message: 'c' for a visible character, else
 * its hexadecimal value. */
static const char *describe_byte(unsigned char ch, char buf[16]) {
  if (ch > ' ' && ch < 0x7f)
    snprintf(buf, 16, "'%c'", ch);
  else if (ch == ' ')
    snprintf(buf, 16, "a blank");
  else
    snprintf(buf, 16, "byte 0x%02x", ch);
  return buf;
}

/* ---- the block scan ------------------------------------------------------
 */

/* Bit i of the result is set when p[i] is one of the four bytes in ch. */
#if defined(__SSE2__)
static inline uint64_t block_mask(const char *p, __m128i a, __m128i b,
                                  __m128i c, __m128i d) {
  uint64_t m = 0;
  for (int i = 0; i < 4; i++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
    __m128i e =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, a), _mm_cmpeq_epi8(v, b)),
                     _mm_or_si128(_mm_cmpeq_epi8(v, c), _mm_cmpeq_epi8(v, d)));
    m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * i);
  }
  return m;
}
#endif

/*
 * Position of the first special byte at or after `from` (the delimiter, a
 * line feed or a quote; in whitespace mode a blank, a tab, a line feed or a
 * quote), or c->len when there is none. Whole 64-byte blocks are turned into
 * bit masks and the last mask is cached, so consecutive calls within a block
 * cost one shift and one count-trailing-zeros.
 */
static inline size_t next_special(clv__csv *c, size_t from) {
  const char *b = c->buf;
  size_t end = c->len;
  if (from - c->blk < 64) {
    uint64_t m = c->mask >> (from - c->blk);
    if (m)
      return from + (size_t)__builtin_ctzll(m);
    from = c->blk + 64;
  }
#if defined(__SSE2__)
  if (from + 64 <= end) {
    __m128i va = _mm_set1_epi8((char)c->special[0]);
    __m128i vb = _mm_set1_epi8((char)c->special[1]);
    __m128i vc = _mm_set1_epi8((char)c->special[2]);
    __m128i vd = _mm_set1_epi8((char)c->special[3]);
    do {
      uint64_t m = block_mask(b + from, va, vb, vc, vd);
      if (m) {
        c->blk = from;
        c->mask = m;
        return from + (size_t)__builtin_ctzll(m);
      }
      from += 64;
    } while (from + 64 <= end);
  }
#endif
  for (; from < end; from++)
    if (c->is_special[(unsigned char)b[from]])
      return from;
  return end;
}

/* ---- delimiter detection -------------------------------------------------
 */

static void set_delimiter(clv__csv *c, char d) {
  c->delim = d;
  c->ws = d == ' ';
  memset(c->is_special, 0, sizeof c->is_special);
  if (c->ws) {
    c->special[0] = ' ';
    c->special[1] = '\t';
  } else {
    c->special[0] = (uint8_t)d;
    c->special[1] = '\n';
  }
  c->special[2] = '\n';
  c->special[3] = '"';
  for (int i = 0; i < 4; i++)
    c->is_special[c->special[i]] = 1;
  c->blk = NO_BLOCK;
}

/*
 * Picks the delimiter from the first non-blank line at or after p: the most
 * frequent of ',', ';', '\t', '|' outside quotes (earlier in that list wins a
 * tie); when none occurs, whitespace if blanks separate two words, else ','.
 * Returns ROW_MORE when the line is not complete in a non-final window.
 */
static int detect_delimiter(clv__csv *c, size_t p) {
  static const char cand[4] = {',', ';', '\t', '|'};
  const char *b = c->buf;
  size_t end = c->len, count[4] = {0, 0, 0, 0};
  int inq = 0, text = 0, gap = 0, blank_between = 0, nonblank_line = 0;
  size_t q;
  for (q = p; q < end; q++) {
    unsigned char ch = (unsigned char)b[q];
    if (ch == '"') {
      inq = !inq;
      text = 1;
      nonblank_line = 1;
      continue;
    }
    if (inq)
      continue;
    if (ch == '\n') {
      if (nonblank_line)
        break;
      text = gap = 0;
      continue;
    }
    for (int i = 0; i < 4; i++)
      count[i] += ch == (unsigned char)cand[i];
    if (ch == ' ' || ch == '\t') {
      gap = text;
    } else if (ch != '\r') {
      blank_between |= gap;
      text = 1;
      gap = 0;
      nonblank_line = 1;
    }
  }
  if (q == end && !c->final)
    return ROW_MORE;
  int best = -1;
  for (int i = 0; i < 4; i++)
    if (count[i] > 0 && (best < 0 || count[i] > count[best]))
      best = i;
  set_delimiter(c, best >= 0 ? cand[best] : blank_between ? ' ' : ',');
  return CLV_OK;
}

/* ---- the row parser ------------------------------------------------------
 */

static int grow_fields(clv__csv *c) {
  size_t n = c->fcap ? 2 * c->fcap : 16;
  clv__field *f = realloc(c->fields, n * sizeof *f);
  if (f == NULL)
    return CLV_ENOMEM;
  c->fields = f;
  size_t *s = realloc(c->soff, n * sizeof *s);
  if (s == NULL)
    return CLV_ENOMEM;
  c->soff = s;
  c->fcap = n;
  return CLV_OK;
}

static int reserve_scratch(clv__csv *c, size_t need) {
  if (need <= c->scap)
    return CLV_OK;
  size_t n = c->scap ? c->scap : 256;
  while (n < need)
    n *= 2;
  char *s = realloc(c->scratch, n);
  if (s == NULL)
    return CLV_ENOMEM;
  c->scratch = s;
  c->scap = n;
  return CLV_OK;
}

static uint32_t column_of(size_t at, size_t line_start) {
  size_t col = at - line_start + 1;
  return col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
}

/* Skips blanks and tabs (the separators of whitespace mode). */
static size_t skip_blanks(const char *b, size_t p, size_t end) {
  while (p < end && (b[p] == ' ' || b[p] == '\t'))
    p++;
  return p;
}

/*
 * The common row, parsed without the general machinery: a delimited (not
 * whitespace) row that starts with a field byte (no blank line, no leading
 * blank or CR), has no quote anywhere, and ends with a line feed inside the
 * window. Fills c->fields exactly as parse_row() would and returns CLV_OK;
 * returns ROW_MORE when the row is anything else, having changed nothing
 * that parse_row() depends on (it then parses the row from its start).
 */
static int parse_row_plain(clv__csv *c) {
  const char *b = c->buf;
  size_t end = c->len, p = c->pos, ls = p, nf = 0;
  if (p >= end)
    return ROW_MORE;
  char ch = b[p];
  if (ch == ' ' || ch == '\r' || ch == '\n' || ch == '\t' || ch == '"')
    return ROW_MORE;
  for (;;) {
    if (nf == c->fcap)
      return ROW_MORE;
    size_t k = next_special(c, p);
    if (k == end || b[k] == '"')
      return ROW_MORE;
    clv__field *f = &c->fields[nf++];
    f->p = b + p;
    f->column = column_of(p, ls);
    if (b[k] == '\n') {
      size_t fe = k;
      if (fe > p && b[fe - 1] == '\r')
        fe--;
      f->len = fe - p;
      p = k + 1;
      break;
    }
    f->len = k - p;
    p = k + 1;
  }
  c->nf = nf;
  c->row_line = c->line;
  c->line++;
  c->pos = p;
  return CLV_OK;
}

/*
 * Parses the row starting at c->pos into c->fields. Returns CLV_OK (row
 * ready), ROW_EOF, ROW_MORE (the window ended inside the row and is not
 * final: nothing consumed but blank lines), CLV_EPARSE (err filled, the
 * scanner set to resume at the next line) or CLV_ENOMEM.
 */
static int parse_row(clv__csv *c, clv_error *err) {
  const char *b = c->buf;
  size_t end = c->len, p = c->pos;
  long line = c->line;
  char ebuf[16];

  if (c->resync) {
    const char *nl = memchr(b + p, '\n', end - p);
    if (nl == NULL) {
      c->pos = end;
      return c->final ? ROW_EOF : ROW_MORE;
    }
    p = (size_t)(nl - b) + 1;
    c->line = ++line;
    c->pos = p;
    c->resync = 0;
  }
  if (!c->bom_done) {
    if (end - p < 3 && !c->final)
      return ROW_MORE;
    if (end - p >= 3 && memcmp(b + p, "\xEF\xBB\xBF", 3) == 0)
      c->pos = p += 3;
    c->bom_done = 1;
  }
  if (c->delim == 0) {
    int rc = detect_delimiter(c, p);
    if (rc)
      return rc;
  }

  /* Skip blank lines: nothing but blanks (and tabs unless tab is the
   * delimiter, and CRs) up to a line feed. */
  size_t q;
  for (;;) {
    q = p;
    while (q < end &&
           (b[q] == ' ' || b[q] == '\r' || (b[q] == '\t' && c->delim != '\t')))
      q++;
    if (q == end) {
      c->pos = c->final ? end : p;
      c->line = line;
      return c->final ? ROW_EOF : ROW_MORE;
    }
    if (b[q] != '\n')
      break;
    p = q + 1;
    line++;
  }
  c->pos = p;
  c->line = line;

  long rline = line;
  size_t ls = p; /* start of the current physical line */
  size_t nf = 0, slen = 0;
  int scratch_used = 0;
  if (c->ws)
    p = q;
  for (;;) {
    if (nf == c->fcap && grow_fields(c))
      return CLV_ENOMEM;
    clv__field *f = &c->fields[nf];
    size_t fs = p;
    f->column = column_of(fs, ls);

    if (p < end && b[p] == '"') {
      /* Quoted field: find the closing quote, stepping over doubled ones. */
      size_t k = p + 1;
      int doubled = 0;
      for (;;) {
        const char *qq = memchr(b + k, '"', end - k);
        if (qq == NULL) {
          if (!c->final)
            return ROW_MORE;
          clv__csv_error(c, err, line, (long)column_of(fs, ls),
                         "unterminated quoted field starting at line %ld",
                         line);
          c->pos = fs;
          c->line = line;
          c->resync = 1;
          return CLV_EPARSE;
        }
        k = (size_t)(qq - b);
        if (k + 1 == end && !c->final)
          return ROW_MORE;
        if (k + 1 < end && b[k + 1] == '"') {
          doubled = 1;
          k += 2;
          continue;
        }
        break;
      }
      /* Count the line breaks inside the quotes: line numbers and columns
       * after the field refer to the physical line where it ends. */
      for (const char *nl = memchr(b + p + 1, '\n', k - p - 1); nl != NULL;
           nl = memchr(nl + 1, '\n', (size_t)(b + k - nl - 1))) {
        line++;
        ls = (size_t)(nl - b) + 1;
      }
      if (doubled) {
        if (reserve_scratch(c, slen + (k - p)))
          return CLV_ENOMEM;
        c->soff[nf] = slen;
        size_t s = p + 1;
        while (s < k) {
          const char *qq = memchr(b + s, '"', k - s);
          size_t e = qq ? (size_t)(qq - b) : k;
          memcpy(c->scratch + slen, b + s, e - s);
          slen += e - s;
          if (qq == NULL)
            break;
          c->scratch[slen++] = '"';
          s = e + 2;
        }
        f->p = NULL;
        f->len = slen - c->soff[nf];
        scratch_used = 1;
      } else {
        f->p = b + p + 1;
        f->len = k - p - 1;
      }
      nf++;
      p = k + 1;
      /* What may follow a closing quote: a delimiter, a line end, the end
       * of the input (and in whitespace mode blanks). */
      if (p == end)
        break;
      if (c->ws && (b[p] == ' ' || b[p] == '\t')) {
        p = skip_blanks(b, p, end);
        if (p == end) {
          if (!c->final)
            return ROW_MORE;
          break;
        }
        if (b[p] != '\n' && b[p] != '\r')
          continue;
      } else if (!c->ws && b[p] == c->delim) {
        p++;
        continue;
      }
      if (b[p] == '\n') {
        p++;
        line++;
        break;
      }
      if (b[p] == '\r') {
        if (p + 1 == end) {
          if (!c->final)
            return ROW_MORE;
          p++;
          break;
        }
        if (b[p + 1] == '\n') {
          p += 2;
          line++;
          break;
        }
      }
      clv__csv_error(c, err, line, (long)column_of(p, ls),
                     "expected a delimiter or end of line after the closing "
                     "quote, found %s",
                     describe_byte((unsigned char)b[p], ebuf));
      c->pos = p;
      c->line = line;
      c->resync = 1;
      return CLV_EPARSE;
    }

    /* Unquoted field: a quote inside it is data. */
    size_t k = next_special(c, p);
    while (k < end && b[k] == '"')
      k = next_special(c, k + 1);
    if (k == end || b[k] == '\n') {
      if (k == end && !c->final)
        return ROW_MORE;
      size_t fe = k;
      if (fe > fs && b[fe - 1] == '\r')
        fe--;
      f->p = b + fs;
      f->len = fe - fs;
      nf++;
      if (k < end) {
        line++;
        k++;
      }
      p = k;
      break;
    }
    f->p = b + fs;
    f->len = k - fs;
    nf++;
    if (!c->ws) {
      p = k + 1;
      continue;
    }
    /* Whitespace mode: a run of blanks separates; trailing ones are
     * ignored. */
    p = skip_blanks(b, k, end);
    if (p == end) {
      if (!c->final)
        return ROW_MORE;
      break;
    }
    if (b[p] == '\n') {
      p++;
      line++;
      break;
    }
    if (b[p] == '\r') {
      if (p + 1 == end) {
        if (!c->final)
          return ROW_MORE;
        p++;
        break;
      }
      if (b[p + 1] == '\n') {
        p += 2;
        line++;
        break;
      }
    }
  }

  if (scratch_used)
    for (size_t i = 0; i < nf; i++)
      if (c->fields[i].p == NULL)
        c->fields[i].p = c->scratch + c->soff[i];
  c->nf = nf;
  c->pos = p;
  c->line = line;
  c->row_line = rline;
  return CLV_OK;
}

/* ---- stream sources ------------------------------------------------------
 */

/* Reads raw bytes: first from the spool (after a rewind), then from fd,
 * copying what fd gives into the spool when there is one. Returns the count,
 * 0 at the end, -1 on error (errno set). */
static ssize_t raw_read(clv__csv *c, void *dst, size_t n) {
  ssize_t r;
  if (c->spool_fd >= 0 && c->raw_pos < c->spool_len) {
    uint64_t left = c->spool_len - c->raw_pos;
    if (n > left)
      n = (size_t)left;
    do
      r = pread(c->spool_fd, dst, n, (off_t)c->raw_pos);
    while (r < 0 && errno == EINTR);
    if (r == 0) {
      errno = EIO;
      r = -1;
    }
    if (r > 0)
      c->raw_pos += (uint64_t)r;
    return r;
  }
  if (c->raw_eof)
    return 0;
  do
    r = read(c->fd, dst, n);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    c->raw_eof = 1;
  if (r > 0 && c->spool_fd >= 0) {
    size_t done = 0;
    while (done < (size_t)r) {
      ssize_t w = pwrite(c->spool_fd, (const char *)dst + done,
                         (size_t)r - done, (off_t)(c->spool_len + done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      done += (size_t)w;
    }
    c->spool_len += (uint64_t)r;
  }
  if (r > 0)
    c->raw_pos += (uint64_t)r;
  return r;
}

/* Inflates into dst (n > 0 bytes). Handles concatenated gzip members and
 * ignores zero padding after the last one. Returns the count, 0 at the end,
 * or a negative CLV status. */
static ssize_t gz_read(clv__csv *c, char *dst, size_t n, clv_error *err) {
  z_stream *zs = &c->zs;
  zs->next_out = (unsigned char *)dst;
  zs->avail_out = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
  uInt want = zs->avail_out;
  while (zs->avail_out > 0) {
    if (zs->avail_in == 0) {
      /* Do not block on a pipe when there is already output to hand on. */
      if (zs->avail_out < want)
        break;
      ssize_t r = raw_read(c, c->zin, c->zin_cap);
      if (r < 0)
        return -io_error(c->name, err, CLV_EIO, "read error: %s",
                         strerror(errno));
      if (r == 0) {
        if (c->gz_in_member)
          return -io_error(c->name, err, CLV_EIO,
                           "truncated gzip data (unexpected end of file)");
        break;
      }
      zs->next_in = c->zin;
      zs->avail_in = (uInt)r;
    }
    if (!c->gz_in_member) {
      while (zs->avail_in > 0 && *zs->next_in == 0) {
        zs->next_in++;
        zs->avail_in--;
      }
      if (zs->avail_in == 0)
        continue;
      if (inflateReset(zs) != Z_OK)
        return -io_error(c->name, err, CLV_EIO, "gzip reset failed");
      c->gz_in_member = 1;
    }
    int zr = inflate(zs, Z_NO_FLUSH);
    if (zr == Z_STREAM_END) {
      c->gz_in_member = 0;
    } else if (zr == Z_MEM_ERROR) {
      return -io_error(c->name, err, CLV_ENOMEM, "out of memory in zlib");
    } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
      return -io_error(c->name, err, CLV_EIO, "corrupt gzip data: %s",
                       zs->msg ? zs->msg : "inflate failed");
    }
  }
  return (ssize_t)(want - zs->avail_out);
}

/* First read of a stream: sniffs the gzip magic bytes 1f 8b. The bytes read
 * to decide are handed to zlib, or copied into the buffer for plain text. */
static int start_stream(clv__csv *c, clv_error *err) {
  if (c->sbuf == NULL) {
    c->sbuf = malloc(c->cap);
    if (c->sbuf == NULL)
      return CLV_ENOMEM;
    c->buf = c->sbuf;
  }
  if (c->zin == NULL) {
    /* A quarter of the window, within [4 KiB, 256 KiB]: compressed input
     * expands, and a small window (tests, fuzzing) needs little. */
    c->zin_cap = c->cap / 4 < 4096       ? 4096
                 : c->cap / 4 > GZ_CHUNK ? GZ_CHUNK
                                         : c->cap / 4;
    c->zin = malloc(c->zin_cap);
    if (c->zin == NULL)
      return CLV_ENOMEM;
  }
  /* Read no more than the window holds, so that a small test buffer size
   * really splits rows at buffer boundaries. */
  size_t got = 0, first = c->cap < c->zin_cap ? c->cap : c->zin_cap;
  while (got < 2) {
    ssize_t r = raw_read(c, c->zin + got, first - got);
    if (r < 0)
      return io_error(c->name, err, CLV_EIO, "read error: %s", strerror(errno));
    if (r == 0)
      break;
    got += (size_t)r;
  }
  c->started = 1;
  c->gz = got >= 2 && c->zin[0] == 0x1f && c->zin[1] == 0x8b;
  if (c->gz) {
    if (!c->zs_ready) {
      memset(&c->zs, 0, sizeof c->zs);
      if (inflateInit2(&c->zs, 16 + MAX_WBITS) != Z_OK)
        return CLV_ENOMEM;
      c->zs_ready = 1;
    }
    c->zs.next_in = c->zin;
    c->zs.avail_in = (uInt)got;
    c->gz_in_member = 0;
    return CLV_OK;
  }
  /* Plain text: the sniffed bytes are the first bytes of the window. */
  memcpy(c->sbuf, c->zin, got);
  c->buf = c->sbuf;
  c->len = got;
  c->pos = 0;
  if (got == 0 && c->raw_eof)
    c->final = 1;
  return CLV_OK;
}

/*
 * Refills a stream window: moves the unconsumed tail (a partial row) to the
 * front, grows the buffer when the tail fills it, and reads at least as many
 * new bytes as the tail holds (or up to the end of the input) so that the
 * restarted row parse costs O(1) per byte overall.
 */
static int fill(clv__csv *c, clv_error *err) {
  if (c->kind != SRC_STREAM || c->final)
    return io_error(c->name, err, CLV_EIO, "internal: refill of final input");
  if (!c->started) {
    int rc = start_stream(c, err);
    if (rc || c->len > 0 || c->final)
      return rc;
  }
  size_t keep = c->len - c->pos;
  if (keep > CSV_MAX_ROW) {
    clv__csv_error(c, err, c->line, 1,
                   "row starting at line %ld is longer than %zu MiB (an "
                   "unbalanced quote?)",
                   c->line, CSV_MAX_ROW >> 20);
    c->resync = 1;
    return CLV_EPARSE;
  }
  if (c->pos > 0) {
    memmove(c->sbuf, c->sbuf + c->pos, keep);
    c->len = keep;
    c->pos = 0;
  }
  c->blk = NO_BLOCK;
  if (c->len == c->cap) {
    char *s = realloc(c->sbuf, 2 * c->cap);
    if (s == NULL)
      return CLV_ENOMEM;
    c->sbuf = s;
    c->cap *= 2;
  }
  c->buf = c->sbuf;
  size_t want = keep > 0 ? keep : 1, got = 0;
  while (got < want && c->len < c->cap) {
    ssize_t r;
    if (c->gz) {
      r = gz_read(c, c->sbuf + c->len, c->cap - c->len, err);
      if (r < 0)
        return (int)-r;
    } else {
      r = raw_read(c, c->sbuf + c->len, c->cap - c->len);
      if (r < 0)
        return io_error(c->name, err, CLV_EIO, "read error: %s",
                        strerror(errno));
    }
    if (r == 0) {
      c->final = 1;
      break;
    }
    c->len += (size_t)r;
    got += (size_t)r;
  }
  return CLV_OK;
}

/* ---- public entry points --------------------------------------------------
 */

static int validate_opts(const clv__csv_opts *opts) {
  if (opts == NULL)
    return CLV_OK;
  char d = opts->delimiter;
  if (d == '"' || d == '\n' || d == '\r')
    return CLV_EINVAL;
  return CLV_OK;
}

static int new_scanner(clv__csv **out, const char *name,
                       const clv__csv_opts *opts, long first_line) {
  clv__csv *c = calloc(1, sizeof *c);
  if (c == NULL)
    return CLV_ENOMEM;
  snprintf(c->name, sizeof c->name, "%s", name);
  c->fd = -1;
  c->spool_fd = -1;
  c->cap = CSV_INITIAL_BUFFER;
  c->first_line = first_line;
  c->line = first_line;
  c->blk = NO_BLOCK;
  if (opts && opts->delimiter)
    set_delimiter(c, opts->delimiter);
  if (grow_fields(c)) {
    free(c);
    return CLV_ENOMEM;
  }
  *out = c;
  return CLV_OK;
}

int clv__csv_open_mem(clv__csv **out, const char *data, size_t len,
                      const char *display_name, long first_line,
                      const clv__csv_opts *opts, clv_error *err) {
  if (out == NULL || (data == NULL && len > 0) || validate_opts(opts))
    return CLV_EINVAL;
  *out = NULL;
  clv__csv *c;
  int rc = new_scanner(&c, display_name ? display_name : "<memory>", opts,
                       first_line > 0 ? first_line : 1);
  if (rc)
    return io_error(display_name, err, rc, "%s", clv_strerror(rc));
  c->kind = SRC_MEM;
  c->buf = len ? data : "";
  c->len = len;
  c->final = 1;
  *out = c;
  return CLV_OK;
}

int clv__csv_open_path(clv__csv **out, const char *path,
                       const char *display_name, const clv__csv_opts *opts,
                       clv_error *err) {
  if (out == NULL || path == NULL || validate_opts(opts))
    return CLV_EINVAL;
  *out = NULL;
  int is_stdin = strcmp(path, "-") == 0;
  const char *name = display_name ? display_name : is_stdin ? "<stdin>" : path;
  clv__csv *c = NULL;
  int rc = new_scanner(&c, name, opts, 1);
  if (rc)
    return io_error(name, err, rc, "%s", clv_strerror(rc));
  c->kind = SRC_STREAM;
  if (is_stdin) {
    c->fd = STDIN_FILENO;
  } else {
    c->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (c->fd < 0) {
      rc = io_error(name, err, CLV_EIO, "cannot open: %s", strerror(errno));
      goto fail;
    }
    c->own_fd = 1;
  }
  struct stat st;
  if (fstat(c->fd, &st) != 0) {
    rc = io_error(name, err, CLV_EIO, "cannot stat: %s", strerror(errno));
    goto fail;
  }
  if (S_ISDIR(st.st_mode)) {
    rc = io_error(name, err, CLV_EIO, "is a directory");
    goto fail;
  }
  if (S_ISREG(st.st_mode)) {
    off_t off = is_stdin ? lseek(c->fd, 0, SEEK_CUR) : 0;
    if (off < 0 || off > st.st_size)
      off = 0;
    c->seekable = 1;
    c->start_off = off;
    c->raw_total = (uint64_t)(st.st_size - off);
    unsigned char magic[2] = {0, 0};
    ssize_t m = pread(c->fd, magic, 2, off);
    int gz = m == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    /* An empty regular file may still have content (files in /proc report
     * size 0): it is read as a stream, which also handles a true empty one. */
    if (!gz && st.st_size - off > 0) {
      void *map =
          mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, c->fd, 0);
      if (map != MAP_FAILED) {
        /* The advice values are not flags (MADV_SEQUENTIAL | MADV_WILLNEED
         * would be WILLNEED alone): two calls. Both are hints. */
        (void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
        (void)madvise(map, (size_t)st.st_size, MADV_WILLNEED);
        c->kind = SRC_MMAP;
        c->map = map;
        c->map_len = (size_t)st.st_size;
        c->buf = (const char *)map + off;
        c->len = (size_t)(st.st_size - off);
        c->final = 1;
      }
    }
  } else if (opts && opts->rewindable) {
    FILE *t = tmpfile();
    if (t == NULL) {
      rc = io_error(name, err, CLV_EIO, "cannot create a temporary file: %s",
                    strerror(errno));
      goto fail;
    }
    c->spool_fd = dup(fileno(t));
    fclose(t);
    if (c->spool_fd < 0) {
      rc = io_error(name, err, CLV_EIO, "cannot create a temporary file: %s",
                    strerror(errno));
      goto fail;
    }
  }
  if (c->kind == SRC_STREAM && lseek(c->fd, c->start_off, SEEK_SET) < 0)
    c->seekable = 0;
  *out = c;
  return CLV_OK;
fail:
  clv__csv_close(c);
  return rc;
}

void clv__csv_close(clv__csv *c) {
  if (c == NULL)
    return;
  if (c->map)
    munmap(c->map, c->map_len);
  if (c->own_fd && c->fd >= 0)
    close(c->fd);
  if (c->spool_fd >= 0)
    close(c->spool_fd);
  if (c->zs_ready)
    inflateEnd(&c->zs);
  free(c->zin);
  free(c->sbuf);
  free(c->fields);
  free(c->soff);
  free(c->scratch);
  free(c);
}

int clv__csv_next(clv__csv *c, const clv__field **fields, size_t *n,
                  clv_error *err) {
  if (c == NULL || fields == NULL || n == NULL)
    return CLV_EINVAL;
  *n = 0;
  *fields = c->fields;
  if (c->delim && !c->ws && !c->resync && c->bom_done &&
      parse_row_plain(c) == CLV_OK) {
    *n = c->nf;
    return CLV_OK;
  }
  for (;;) {
    int rc = parse_row(c, err);
    if (rc == CLV_OK) {
      *fields = c->fields; /* the row may have grown the array */
      *n = c->nf;
      return CLV_OK;
    }
    if (rc == ROW_EOF)
      return CLV_OK;
    if (rc != ROW_MORE)
      return rc;
    rc = fill(c, err);
    if (rc)
      return rc;
  }
}

long clv__csv_line(const clv__csv *c) {
  return c ? c->row_line : 0;
}

long clv__csv_line_at(const clv__csv *c) {
  return c ? c->line : 0;
}

char clv__csv_delimiter(const clv__csv *c) {
  return c ? c->delim : 0;
}

const char *clv__csv_name(const clv__csv *c) {
  return c ? c->name : "";
}

uint64_t clv__csv_bytes_done(const clv__csv *c) {
  if (c == NULL)
    return 0;
  return c->kind == SRC_STREAM ? c->raw_pos : (uint64_t)c->pos;
}

uint64_t clv__csv_bytes_total(const clv__csv *c) {
  if (c == NULL)
    return 0;
  return c->kind == SRC_STREAM ? c->raw_total : (uint64_t)c->len;
}

int clv__csv_rewind(clv__csv *c) {
  if (c == NULL)
    return CLV_EINVAL;
  if (c->kind == SRC_STREAM) {
    if (c->seekable) {
      if (lseek(c->fd, c->start_off, SEEK_SET) < 0)
        return CLV_EIO;
      c->raw_eof = 0;
    } else if (c->spool_fd < 0) {
      return CLV_EUNSUPPORTED;
    }
    c->raw_pos = 0;
    c->started = 0;
    c->gz = 0;
    c->gz_in_member = 0;
    c->len = 0;
    c->final = 0;
    c->blk = NO_BLOCK;
  }
  c->pos = 0;
  c->line = c->first_line;
  c->row_line = 0;
  c->bom_done = 0;
  c->resync = 0;
  c->nf = 0;
  return CLV_OK;
}

int clv__csv_buffer(clv__csv *c, const char **data, size_t *len) {
  if (c == NULL || data == NULL || len == NULL)
    return CLV_EINVAL;
  if (c->kind == SRC_STREAM)
    return CLV_EUNSUPPORTED;
  *data = c->buf;
  *len = c->len;
  return CLV_OK;
}

int clv__csv_set_buffer_size(clv__csv *c, size_t bytes) {
  if (c == NULL || bytes < 4 || c->started || c->sbuf != NULL)
    return CLV_EINVAL;
  c->cap = bytes;
  return CLV_OK;
}

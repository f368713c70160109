/*
 * summary_io.c - the summary table as text: CSV and JSON-lines writers, and
 * a CSV reader for clv's own summaries and those of lifetimes and BTYD.
 *
 * No paper. Numbers are written with the fewest digits that read back to the
 * same double (a fixed-point fast path for money and whole numbers, then
 * %.15g/%.16g/%.17g checked by strtod), so a written summary reads back
 * exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "ingest.h"
#include "parse.h"
#include "textout.h"

/* Columns in output order (customer_id comes first). */
static const clv_col out_order[] = {
    CLV_COL_X,           CLV_COL_TX,
    CLV_COL_T,           CLV_COL_M,
    CLV_COL_WEIGHT,      CLV_COL_X_HOLDOUT,
    CLV_COL_M_HOLDOUT,   CLV_COL_DURATION_HOLDOUT,
    CLV_COL_FIRST_DAY,   CLV_COL_LAST_DAY,
    CLV_COL_TOTAL_SPEND, CLV_COL_ORDERS,
    CLV_COL_REFUNDS};
#define N_OUT (sizeof out_order / sizeof out_order[0])

/* How a column is written. */
enum { OUT_TIME, OUT_MONEY, OUT_DAY };

static int is_day_col(clv_col c) {
  return c == CLV_COL_FIRST_DAY || c == CLV_COL_LAST_DAY;
}

static int is_money_col(clv_col c) {
  return c == CLV_COL_M || c == CLV_COL_M_HOLDOUT || c == CLV_COL_TOTAL_SPEND ||
         c == CLV_COL_REFUNDS;
}

#define OUT_BUF (256u << 10) /* bytes of output gathered per write */
#define ROW_ROOM 2048        /* room a row needs besides its id */
#define DAY_CACHE 1024       /* formatted dates kept (direct-mapped) */
#define NUM_CACHE 2048       /* formatted times kept (direct-mapped) */
#define NUM_TXT 32           /* room for one (clv__fmt_num writes <= 24) */

/* The writer's buffer. Dates are cached since a summary has few distinct
 * ones (a log spans hundreds of days, not millions), and formatting one
 * costs a division-heavy calendar conversion. Times that are not whole
 * (recency and T in weeks or months: a number of days over 7 or 30.4375)
 * are cached for the same reason, keyed by the bits of the double, so a
 * hit gives exactly the bytes that formatting would. */
struct clv__writer_buf {
  size_t len;
  int failed; /* a write failed: later output is dropped */
  int32_t day_key[DAY_CACHE];
  char day_txt[DAY_CACHE][10];
  uint64_t num_key[NUM_CACHE]; /* bits of the double; 0 (0.0): empty */
  unsigned char num_len[NUM_CACHE];
  char num_txt[NUM_CACHE][NUM_TXT];
  char key[N_OUT][40]; /* JSON: ,"name": per output column */
  unsigned char key_len[N_OUT];
  /* The columns of w->columns in output order, each with its kind, made
   * once (plan_columns tells for which set): the row loop then visits only
   * what it writes. */
  unsigned plan_columns;
  size_t plan_len;
  struct {
    unsigned char col, kind, key; /* clv_col, OUT_..., index in out_order */
  } plan[N_OUT];
  char buf[OUT_BUF];
};

static int writer_open(clv__row_writer *w) {
  clv__writer_buf *o;
  if (w->out)
    return CLV_OK;
  o = malloc(sizeof *o);
  if (o == NULL)
    return CLV_ENOMEM;
  o->len = 0;
  o->failed = 0;
  for (size_t k = 0; k < DAY_CACHE; k++)
    o->day_key[k] = INT32_MIN; /* outside the day range: empty */
  /* 0.0 is whole, so it never reaches the cache: its bits mark a free
   * slot. */
  memset(o->num_key, 0, sizeof o->num_key);
  for (size_t k = 0; k < N_OUT; k++)
    o->key_len[k] = (unsigned char)snprintf(
        o->key[k], sizeof o->key[k], ",\"%s\":", clv_col_name(out_order[k]));
  o->plan_columns = 0;
  o->plan_len = 0;
  w->out = o;
  return CLV_OK;
}

/* Lists the columns to write (w->columns) in output order, with their
 * kinds. */
static void writer_plan(clv__row_writer *w) {
  clv__writer_buf *o = w->out;
  o->plan_len = 0;
  for (size_t k = 0; k < N_OUT; k++) {
    clv_col c = out_order[k];
    if (!(w->columns & (1u << c)))
      continue;
    o->plan[o->plan_len].col = (unsigned char)c;
    o->plan[o->plan_len].kind = (unsigned char)(is_day_col(c)     ? OUT_DAY
                                                : is_money_col(c) ? OUT_MONEY
                                                                  : OUT_TIME);
    o->plan[o->plan_len].key = (unsigned char)k;
    o->plan_len++;
  }
  o->plan_columns = w->columns;
}

static void writer_flush(clv__row_writer *w) {
  clv__writer_buf *o = w->out;
  if (o->len && !o->failed && fwrite(o->buf, 1, o->len, w->f) != o->len)
    o->failed = 1;
  o->len = 0;
}

int clv__writer_close(clv__row_writer *w) {
  int rc = CLV_OK;
  if (w->out) {
    writer_flush(w);
    rc = w->out->failed || ferror(w->f) ? CLV_EIO : CLV_OK;
    free(w->out);
    w->out = NULL;
  }
  return rc;
}

/* Appends the 10 characters of a day (as clv_day_format()) at p. */
static char *put_day(clv__writer_buf *o, int32_t day, char *p) {
  size_t slot = (uint32_t)day % DAY_CACHE;
  if (o->day_key[slot] != day) {
    char d[11];
    clv_day_format(day, d);
    memcpy(o->day_txt[slot], d, 10);
    o->day_key[slot] = day;
  }
  memcpy(p, o->day_txt[slot], 10);
  return p + 10;
}

/* Appends a value of column c at p: a date, or a number with the fewest
 * digits that read back. Sums of money amounts carry binary noise (29.33 +
 * 29.73 + 14.96 is 74.02000000000001 in doubles): money columns are
 * written to 15 significant digits, which is exact for any sum of cent
 * amounts below 10^12. Other columns round-trip exactly. */
#define MONEY_TOL 5e-15

/* Appends v at p when it is a whole number below 2^52 in magnitude (there
 * a + 0.5 is exact, so clv__fmt_num() rounds it to itself) and returns the
 * end; NULL, writing nothing, otherwise. (The conversion stands in for
 * floor(): a is not negative.) */
static inline char *put_whole(double v, char *p) {
  double a = fabs(v);
  if (!(a < 4503599627370496.0 && (double)(uint64_t)a == a))
    return NULL;
  if (v < 0)
    *p++ = '-';
  return clv__put_uint((uint64_t)a, p);
}

/*
 * Money that is not a whole number (put_whole() took those), with the
 * bytes that clv__fmt_num() writes: a whole number of cents is written
 * directly. clv__fmt_num() tries 0, 1, 2, ... decimals and
 * takes the first that reads back; below 10^9 the tolerance is far under a
 * cent, so "2 decimals read back" decides all three first tries at once:
 * 0 or 1 decimal would read back exactly when the cents end in 00 or 0,
 * and then the shorter form is the one written. Anything else (means such
 * as 26.7066..., weeks) goes to clv__fmt_num().
 */
static char *put_number(double v, double tol, char *p) {
  double a = fabs(v);
  if (tol > 0 && a < 1e9) {
    double n = (double)(uint64_t)(a * 100 + 0.5), back = n / 100;
    if (back == a || fabs(back - a) <= tol * a) {
      uint64_t u = (uint64_t)n;
      unsigned cents = (unsigned)(u % 100);
      if (v < 0)
        *p++ = '-';
      p = clv__put_uint(u / 100, p);
      if (cents) {
        *p++ = '.';
        *p++ = (char)('0' + cents / 10);
        if (cents % 10)
          *p++ = (char)('0' + cents % 10);
      }
      return p;
    }
  }
  return clv__put_num(p, v, tol);
}

/* Appends a count or time (tolerance 0) that is not a whole number (put_whole()
 * took those) at p, through the cache. */
static char *put_time(clv__writer_buf *o, double v, char *p) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  size_t slot = (size_t)((bits * 0x9E3779B97F4A7C15ull) >> 53) % NUM_CACHE;
  if (o->num_key[slot] == bits) {
    memcpy(p, o->num_txt[slot], NUM_TXT);
    return p + o->num_len[slot];
  }
  char *e = clv__put_num(p, v, 0.0);
  size_t len = (size_t)(e - p);
  if (len <= NUM_TXT) {
    memcpy(o->num_txt[slot], p, len);
    o->num_len[slot] = (unsigned char)len;
    o->num_key[slot] = bits;
  }
  return e;
}

/* Appends the value v of a column of the given kind at p. Whole numbers
 * (counts, days, most money columns of a row) are written here, the rest
 * by put_number() and put_time(). */
static inline char *put_value(clv__writer_buf *o, int kind, double v, char *p) {
  if (kind == OUT_DAY)
    return put_day(o, (int32_t)v, p);
  char *e = put_whole(v, p);
  if (e)
    return e;
  if (kind == OUT_MONEY)
    return put_number(v, MONEY_TOL, p);
  return put_time(o, v, p);
}

int clv__writer_header(clv__row_writer *w) {
  int rc = writer_open(w);
  if (rc)
    return rc;
  w->wrote_header = 1;
  if (w->format != CLV_FORMAT_CSV)
    return CLV_OK;
  clv__writer_buf *o = w->out;
  char *p = o->buf + o->len;
  memcpy(p, "customer_id", 11);
  p += 11;
  for (size_t k = 0; k < N_OUT; k++)
    if (w->columns & (1u << out_order[k])) {
      size_t n = strlen(clv_col_name(out_order[k]));
      *p++ = ',';
      memcpy(p, clv_col_name(out_order[k]), n);
      p += n;
    }
  *p++ = '\n';
  o->len = (size_t)(p - o->buf);
  return o->failed ? CLV_EIO : CLV_OK;
}

/* Appends the id, escaped: into the buffer when it is short (the caller
 * made room for its worst case), else (a huge id) straight to the stream
 * after what is pending. */
static char *put_id(clv__row_writer *w, const char *id, size_t n, char *p) {
  clv__writer_buf *o = w->out;
  int csv = w->format == CLV_FORMAT_CSV;
  size_t used;
  if (n > OUT_BUF / 8) {
    o->len = (size_t)(p - o->buf);
    writer_flush(w);
    if (csv)
      clv__put_csv_field(w->f, id, n);
    else
      clv__put_json_string(w->f, id, n);
    return o->buf;
  }
  if (csv && !clv__csv_needs_quotes(id, n)) {
    memcpy(p, id, n);
    return p + n;
  }
  *p++ = '"';
  p += csv ? clv__csv_escape(p, 2 * n, id, n, &used)
           : clv__json_escape(p, 6 * n, id, n, &used);
  *p++ = '"';
  return p;
}

int clv__writer_row(void *ctx, const char *id, size_t id_len,
                    const clv_summary_row *row) {
  clv__row_writer *w = ctx;
  int rc;
  if (!w->wrote_header && (rc = clv__writer_header(w)) != CLV_OK)
    return rc;
  /* A writer whose header was written elsewhere opens its buffer here. */
  if (w->out == NULL && (rc = writer_open(w)) != CLV_OK)
    return rc;
  clv__writer_buf *o = w->out;
  /* Room for the row: the id's worst case (quoting doubles, JSON escapes
   * take 6 bytes a byte) when it is short enough to go into the buffer. */
  size_t need = ROW_ROOM + (id_len <= OUT_BUF / 8 ? 6 * id_len + 2 : 0);
  if (OUT_BUF - o->len < need)
    writer_flush(w);
  if (o->plan_columns != w->columns || o->plan_len == 0)
    writer_plan(w);
  char *p = o->buf + o->len;
  if (w->format == CLV_FORMAT_CSV) {
    p = put_id(w, id, id_len, p);
    for (size_t j = 0; j < o->plan_len; j++) {
      *p++ = ',';
      p = put_value(o, o->plan[j].kind, row->v[o->plan[j].col], p);
    }
  } else {
    memcpy(p, "{\"customer_id\":", 15);
    p = put_id(w, id, id_len, p + 15);
    for (size_t j = 0; j < o->plan_len; j++) {
      size_t k = o->plan[j].key;
      memcpy(p, o->key[k], sizeof o->key[k]); /* fixed size: p has room */
      p += o->key_len[k];
      if (o->plan[j].kind == OUT_DAY) {
        *p++ = '"';
        p = put_day(o, (int32_t)row->v[o->plan[j].col], p);
        *p++ = '"';
      } else {
        p = put_value(o, o->plan[j].kind, row->v[o->plan[j].col], p);
      }
    }
    *p++ = '}';
  }
  *p++ = '\n';
  o->len = (size_t)(p - o->buf);
  return o->failed ? CLV_EIO : CLV_OK;
}

static int write_table(const clv_summary *s, FILE *f, clv_format format) {
  int rc = CLV_OK;
  clv__row_writer w;
  size_t n = clv_summary_rows(s);
  const double *col[CLV_COL__COUNT];
  if (s == NULL || f == NULL)
    return CLV_EINVAL;
  memset(&w, 0, sizeof w);
  w.f = f;
  w.format = format;
  w.columns = clv_summary_columns(s) & ~(1u << CLV_COL_WEIGHT);
  for (int c = 0; c < CLV_COL__COUNT; c++)
    col[c] = clv_summary_col(s, (clv_col)c);
  /* The weight column only matters when some row stands for several. */
  for (size_t i = 0; i < n; i++)
    if (col[CLV_COL_WEIGHT][i] != 1.0)
      w.columns |= 1u << CLV_COL_WEIGHT;
  rc = clv__writer_header(&w);
  for (size_t i = 0; i < n && rc == CLV_OK; i++) {
    clv_summary_row row;
    size_t len;
    memset(&row, 0, sizeof row);
    for (int c = 0; c < CLV_COL__COUNT; c++)
      if (col[c])
        row.v[c] = col[c][i];
    const char *id = clv_summary_id(s, i, &len);
    rc = clv__writer_row(&w, id, len, &row);
  }
  int close_rc = clv__writer_close(&w);
  if (rc == CLV_OK)
    rc = close_rc;
  if (rc == CLV_OK && fflush(f) != 0)
    rc = CLV_EIO;
  return rc;
}

int clv_summary_write_csv(const clv_summary *s, FILE *f) {
  return write_table(s, f, CLV_FORMAT_CSV);
}

int clv_summary_write_jsonl(const clv_summary *s, FILE *f) {
  return write_table(s, f, CLV_FORMAT_JSONL);
}

/* ---- reading ------------------------------------------------------------- */

/* Names accepted for each column, normalised (clv__colname_norm). */
typedef struct alias {
  int col; /* clv_col, or -1 for the id */
  const char *names[6];
} alias;

static const alias aliases[] = {
    {-1, {"customerid", "id", "cust", "customer", NULL}},
    {CLV_COL_X, {"frequency", "x", NULL}},
    {CLV_COL_TX, {"recency", "tx", NULL}},
    {CLV_COL_T, {"t", "tcal", "periods", "ncal", NULL}},
    {CLV_COL_M, {"monetaryvalue", "zbar", "mx", NULL}},
    {CLV_COL_WEIGHT, {"weights", "weight", "n", "custs", NULL}},
    {CLV_COL_X_HOLDOUT, {"frequencyholdout", "xstar", NULL}},
    {CLV_COL_M_HOLDOUT, {"monetaryvalueholdout", NULL}},
    {CLV_COL_DURATION_HOLDOUT, {"durationholdout", "nstar", NULL}},
    {CLV_COL_FIRST_DAY, {"firstpurchase", NULL}},
    {CLV_COL_LAST_DAY, {"lastpurchase", NULL}},
    {CLV_COL_TOTAL_SPEND, {"totalspend", NULL}},
    {CLV_COL_ORDERS, {"orders", NULL}},
    {CLV_COL_REFUNDS, {"refunds", NULL}},
};

/* Parses a plain number field into *v (surrounding blanks allowed). */
static int read_number(const clv__field *f, double *v) {
  /* clv__parse_double() takes plain decimals only (no "nan", "inf" or hex
   * floats) and rounds exactly; it also trims blanks. */
  return clv__parse_double(f->p, f->len, v) && isfinite(*v);
}

int clv_summary_read_csv(const char *path, clv_unit unit, clv_summary **out,
                         clv_error *err) {
  int rc;
  clv__csv *c = NULL;
  clv_summary *s = NULL;
  const clv__field *f;
  size_t n;
  int pos[CLV_COL__COUNT], idpos = -1, need = 0;
  unsigned cols = 0;
  char norm[128], shown_buf[48];
  clv__csv_opts co;
  if (path == NULL || out == NULL)
    return CLV_EINVAL;
  *out = NULL;
  memset(&co, 0, sizeof co);
  rc = clv__csv_open_path(&c, path, NULL, &co, err);
  if (rc)
    goto fail;
  rc = clv__csv_next(c, &f, &n, err);
  if (rc)
    goto fail;
  if (n == 0) {
    rc = CLV_EEMPTY;
    clv__csv_error(c, err, 1, 0, "expected a header line, found no data");
    if (err)
      err->status = rc;
    goto fail;
  }
  for (int k = 0; k < CLV_COL__COUNT; k++)
    pos[k] = -1;
  for (size_t a = 0; a < sizeof aliases / sizeof aliases[0]; a++) {
    int found = -1;
    for (size_t k = 0; aliases[a].names[k] && found < 0; k++)
      for (size_t j = 0; j < n && found < 0; j++)
        if (strcmp(clv__colname_norm(f[j].p, f[j].len, norm, sizeof norm),
                   aliases[a].names[k]) == 0)
          found = (int)j;
    if (aliases[a].col < 0)
      idpos = found;
    else
      pos[aliases[a].col] = found;
    if (found >= 0 && aliases[a].col >= 0)
      cols |= 1u << aliases[a].col;
    if (found + 1 > need)
      need = found + 1;
  }
  if (pos[CLV_COL_X] < 0 || pos[CLV_COL_TX] < 0 || pos[CLV_COL_T] < 0) {
    const char *what = pos[CLV_COL_X] < 0    ? "frequency (or x)"
                       : pos[CLV_COL_TX] < 0 ? "recency (or t_x, t.x)"
                                             : "T (or T.cal, periods)";
    rc = CLV_ENOCOLUMN;
    clv__csv_error(c, err, clv__csv_line(c), 1,
                   "expected a column %s in the header, found \"%s\"%s", what,
                   clv__field_text(&f[0], shown_buf, sizeof shown_buf),
                   n > 1 ? " and others" : "");
    if (err)
      err->status = rc;
    goto fail;
  }
  rc = clv_summary_new(&s, unit, cols, 0);
  if (rc)
    goto fail;
  for (;;) {
    char idbuf[24];
    const char *id;
    size_t id_len;
    clv_summary_row row;
    rc = clv__csv_next(c, &f, &n, err);
    if (rc)
      goto fail;
    if (n == 0)
      break;
    long line = clv__csv_line(c);
    if ((int)n < need) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, line, (long)f[n - 1].column + (long)f[n - 1].len,
                     "expected %d fields, found %zu", need, n);
      goto fail_data;
    }
    memset(&row, 0, sizeof row);
    row.v[CLV_COL_WEIGHT] = 1.0;
    for (int k = 0; k < CLV_COL__COUNT; k++) {
      if (pos[k] < 0)
        continue;
      const clv__field *fld = &f[pos[k]];
      if (is_day_col((clv_col)k)) {
        int32_t day;
        if (clv_date_parse(fld->p, fld->len, CLV_DATE_YMD, NULL, &day, NULL) !=
            CLV_OK) {
          rc = CLV_EPARSE;
          clv__csv_error(c, err, line, fld->column,
                         "expected a date such as 1997-01-01 in column %s, "
                         "found \"%s\"",
                         clv_col_name((clv_col)k),
                         clv__field_text(fld, shown_buf, sizeof shown_buf));
          goto fail_data;
        }
        row.v[k] = day;
        continue;
      }
      if (!read_number(fld, &row.v[k])) {
        rc = CLV_EPARSE;
        clv__csv_error(c, err, line, fld->column,
                       "expected a number in column %s, found \"%s\"",
                       clv_col_name((clv_col)k),
                       clv__field_text(fld, shown_buf, sizeof shown_buf));
        goto fail_data;
      }
      /* Counts, times and weights cannot be negative; money can. */
      if (row.v[k] < 0 && k != CLV_COL_M && k != CLV_COL_M_HOLDOUT &&
          k != CLV_COL_TOTAL_SPEND) {
        rc = CLV_EPARSE;
        clv__csv_error(c, err, line, fld->column,
                       "expected a non-negative %s, found %s",
                       clv_col_name((clv_col)k),
                       clv__field_text(fld, shown_buf, sizeof shown_buf));
        goto fail_data;
      }
    }
    if (row.v[CLV_COL_T] < row.v[CLV_COL_TX]) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, line, f[pos[CLV_COL_T]].column,
                     "expected T >= recency, found T = %.17g < recency = "
                     "%.17g",
                     row.v[CLV_COL_T], row.v[CLV_COL_TX]);
      goto fail_data;
    }
    if (!(row.v[CLV_COL_WEIGHT] > 0)) {
      rc = CLV_EPARSE;
      clv__csv_error(c, err, line, f[pos[CLV_COL_WEIGHT]].column,
                     "expected a positive weight, found %.17g",
                     row.v[CLV_COL_WEIGHT]);
      goto fail_data;
    }
    if (idpos >= 0) {
      id = f[idpos].p;
      id_len = f[idpos].len;
    } else {
      id_len =
          (size_t)snprintf(idbuf, sizeof idbuf, "%zu", clv_summary_rows(s) + 1);
      id = idbuf;
    }
    rc = clv_summary_append(s, id, id_len, &row);
    if (rc)
      goto fail;
  }
  if (clv_summary_rows(s) == 0) {
    rc = CLV_EEMPTY;
    clv__csv_error(c, err, clv__csv_line(c) + 1, 0,
                   "expected summary rows after the header, found none");
    goto fail_data;
  }
  clv__csv_close(c);
  *out = s;
  return CLV_OK;
fail_data:
  if (err)
    err->status = rc;
fail:
  clv__csv_close(c);
  clv_summary_free(s);
  return rc;
}

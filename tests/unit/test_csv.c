/*
 * test_csv.c - the streaming CSV scanner (src/csv.c).
 *
 * The rules are one table: an input, the delimiter option, and the rows the
 * scanner must give, written out by hand from RFC 4180 and the rules in
 * csv.h (line numbers and byte columns counted by hand; each expected string
 * is "line:field@column|field@column\n" per row and "!line:column:message\n"
 * per error, after which the scanner must resume at the next line). Every case
 * is then also read through a pipe and through gzip with every small buffer
 * size, which must give exactly the same rows: that covers rows, quoted
 * fields and CRLF pairs split at every possible buffer boundary. The real
 * files (CDNOW_master.txt, online_retail.csv) check counts published in
 * /work/shared/data/README*.md.
 */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "csv.h"
#include "parse.h"

/* ---- rendering rows as text --------------------------------------------- */

typedef struct strbuf {
  char *p;
  size_t len, cap;
} strbuf;

static void sb_add(strbuf *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->len + n + 1)
      cap *= 2;
    s->p = realloc(s->p, cap);
    assert_non_null(s->p);
    s->cap = cap;
  }
  memcpy(s->p + s->len, p, n);
  s->len += n;
  s->p[s->len] = '\0';
}

static void sb_printf(strbuf *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *s, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  sb_add(s, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Field text with line breaks, tabs and NULs made visible. */
static void sb_field(strbuf *s, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    switch (p[i]) {
    case '\n':
      sb_add(s, "\\n", 2);
      break;
    case '\r':
      sb_add(s, "\\r", 2);
      break;
    case '\t':
      sb_add(s, "\\t", 2);
      break;
    case '\0':
      sb_add(s, "\\0", 2);
      break;
    default:
      sb_add(s, p + i, 1);
    }
  }
}

/* Reads every row (going on after data errors, as a lenient caller would)
 * and renders rows and errors as described at the top. */
static char *render(clv__csv *c) {
  strbuf s = {NULL, 0, 0};
  sb_add(&s, "", 0);
  for (int guard = 0; guard < 1000000; guard++) {
    const clv__field *f;
    size_t n;
    clv_error err;
    clv_error_clear(&err);
    int rc = clv__csv_next(c, &f, &n, &err);
    if (rc == CLV_EPARSE) {
      assert_int_equal(err.status, CLV_EPARSE);
      sb_printf(&s, "!%ld:%ld:%s\n", err.line, err.column, err.message);
      continue;
    }
    if (rc != CLV_OK) {
      sb_printf(&s, "#%s\n", clv_status_name(rc));
      break;
    }
    if (n == 0)
      break;
    sb_printf(&s, "%ld:", clv__csv_line(c));
    for (size_t i = 0; i < n; i++) {
      if (i)
        sb_add(&s, "|", 1);
      sb_field(&s, f[i].p, f[i].len);
      sb_printf(&s, "@%u", (unsigned)f[i].column);
    }
    sb_add(&s, "\n", 1);
  }
  return s.p;
}

/* ---- the rule table -------------------------------------------------------
 */

typedef struct csv_case {
  const char *input;
  char delimiter; /* clv__csv_opts.delimiter: 0 = detect */
  const char *want;
} csv_case;

#define E_QUOTE "expected a delimiter or end of line after the closing quote"

static const csv_case cases[] = {
    /* Plain rows, LF, CRLF, last line without a line end. */
    {"a,b,c\n", 0, "1:a@1|b@3|c@5\n"},
    {"a,b\nc,d", 0, "1:a@1|b@3\n2:c@1|d@3\n"},
    {"a,b\r\nc,d\r\n", 0, "1:a@1|b@3\n2:c@1|d@3\n"},
    {"a,b\r", 0, "1:a@1|b@3\n"},
    {"ab,cd\r\nx", 0, "1:ab@1|cd@4\n2:x@1\n"},
    /* A lone CR inside a field is data, not a line end. */
    {"a\rb,c\n", 0, "1:a\\rb@1|c@5\n"},
    /* Empty fields; a trailing delimiter makes an empty last field. */
    {"a,b,\n", 0, "1:a@1|b@3|@5\n"},
    {",,\n", 0, "1:@1|@2|@3\n"},
    {"a,\r\n", 0, "1:a@1|@3\n"},
    /* Blank lines (empty, CR only, blanks only) are skipped; line numbers
     * still count them. */
    {"\n\na,b\n\r\n  \nc\n", 0, "3:a@1|b@3\n6:c@1\n"},
    {"", 0, ""},
    {"\n\r\n \n", 0, ""},
    /* A UTF-8 BOM is skipped; columns start after it. */
    {"\xEF\xBB\xBFid,x\n1,2\n", 0, "1:id@1|x@4\n2:1@1|2@3\n"},
    {"\xEF\xBB\xBF", 0, ""},
    /* Quoted fields: delimiters, doubled quotes, line breaks inside. */
    {"\"a,b\",c\n", 0, "1:a,b@1|c@7\n"},
    {"\"say \"\"hi\"\"\",x\n", 0, "1:say \"hi\"@1|x@14\n"},
    {"\"\"\"\"\n", 0, "1:\"@1\n"},
    {"\"\",x\n", 0, "1:@1|x@4\n"},
    {"x,\"\"\n", 0, "1:x@1|@3\n"},
    {"\"a\nb\",c\nd\n", 0, "1:a\\nb@1|c@4\n3:d@1\n"},
    {"\"a\r\nb\"\r\nc\r\n", 0, "1:a\\r\\nb@1\n3:c@1\n"},
    {"\"a\",\"b\"\r\n\"c\",\"d\"", 0, "1:a@1|b@5\n2:c@1|d@5\n"},
    {"\"a\"", 0, "1:a@1\n"},
    {"\"a\"\r", 0, "1:a@1\n"},
    {"\"x\n\n\ny\",z\nw\n", 0, "1:x\\n\\n\\ny@1|z@4\n5:w@1\n"},
    /* Two escaped fields in one row: both copies stay valid. */
    {"\"a\"\"\",\"b\"\"\"\n", 0, "1:a\"@1|b\"@7\n"},
    /* A quote inside an unquoted field is data. */
    {"ab\"c,d\n", 0, "1:ab\"c@1|d@6\n"},
    {"7\" single,x\n", 0, "1:7\" single@1|x@11\n"},
    /* Errors, each followed by the next line. */
    {"\"ab\"c,d\nx,y\n", 0, "!1:5:" E_QUOTE ", found 'c'\n2:x@1|y@3\n"},
    {"\"ab\" ,d\nx\n", 0, "!1:5:" E_QUOTE ", found a blank\n2:x@1\n"},
    {"\"ab\"\rz\nx\n", 0, "!1:5:" E_QUOTE ", found byte 0x0d\n2:x@1\n"},
    {"a,\"bc\nd,e\n", 0,
     "!1:3:unterminated quoted field starting at line 1\n2:d@1|e@3\n"},
    {"x\n\"abc", 0,
     "1:x@1\n!2:1:unterminated quoted field starting at line 2\n"},
    {"\"a\nb\"x\nc\n", 0, "!2:3:" E_QUOTE ", found 'x'\n3:c@1\n"},
    {"\"a\"b\n\"c\"d\ne\n", 0,
     "!1:4:" E_QUOTE ", found 'b'\n!2:4:" E_QUOTE ", found 'd'\n3:e@1\n"},
    /* Whitespace mode: runs of blanks and tabs separate, leading and
     * trailing blanks are ignored (CDNOW_master.txt). */
    {" 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n", ' ',
     "1:00001@2|19970101@8|1@18|11.77@22\n2:00002@2|19970112@8|1@18|12.00@22"
     "\n"},
    {"a\t b  \n", ' ', "1:a@1|b@4\n"},
    {"a b \r\n c", ' ', "1:a@1|b@3\n2:c@2\n"},
    {"\"a b\" c\n", ' ', "1:a b@1|c@7\n"},
    {"\"a b\"  \n", ' ', "1:a b@1\n"},
    {"\"a\"x y\n", ' ', "!1:4:" E_QUOTE ", found 'x'\n"},
    {"x,y z\n", ' ', "1:x,y@1|z@5\n"},
    /* Other fixed delimiters, and a comma that is then data. */
    {"a;b,c\n", ';', "1:a@1|b,c@3\n"},
    {"a\tb c\n", '\t', "1:a@1|b c@3\n"},
    {"a|b\n", '|', "1:a@1|b@3\n"},
    {"\"x;y\";z\n", ';', "1:x;y@1|z@7\n"},
    /* Detection from the first non-blank line. */
    {"a;b;c\n1;2;3\n", 0, "1:a@1|b@3|c@5\n2:1@1|2@3|3@5\n"},
    {"a\tb\n", 0, "1:a@1|b@3\n"},
    {"\n a  b\n", 0, "2:a@2|b@5\n"},
    {"abc\nx y\n", 0, "1:abc@1\n2:x y@1\n"},
    {"\"a;b\",c\n", 0, "1:a;b@1|c@7\n"},
    /* Bytes are bytes: columns count UTF-8 bytes; NULs are data. */
    {"\xe5\xae\xa2\xe6\x88\xb7,\xe9\x87\x91\n", 0,
     "1:\xe5\xae\xa2\xe6\x88\xb7@1|\xe9\x87\x91@8\n"},
};

static char *render_mem(const char *in, size_t len, char delim) {
  clv__csv *c = NULL;
  clv__csv_opts o = {delim, 0};
  assert_int_equal(clv__csv_open_mem(&c, in, len, "t.csv", 1, &o, NULL),
                   CLV_OK);
  char *r = render(c);
  clv__csv_close(c);
  return r;
}

static void test_rules_mem(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got =
        render_mem(cases[i].input, strlen(cases[i].input), cases[i].delimiter);
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("case %zu (%s):\n got: %s\nwant: %s", i, cases[i].input, got,
               cases[i].want);
    free(got);
  }
}

/* ---- streams: pipes and gzip ------------------------------------------------
 */

typedef struct writer {
  int fd;
  const char *data;
  size_t len;
} writer;

static void *write_all(void *arg) {
  writer *w = arg;
  size_t done = 0;
  while (done < w->len) {
    ssize_t r = write(w->fd, w->data + done, w->len - done);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    done += (size_t)r;
  }
  close(w->fd);
  return NULL;
}

/* Opens the read end of a pipe that a thread fills with data. */
static clv__csv *open_pipe(const char *data, size_t len, char delim,
                           size_t bufsize, int rewindable, pthread_t *th,
                           writer *w) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  w->fd = fds[1];
  w->data = data;
  w->len = len;
  assert_int_equal(pthread_create(th, NULL, write_all, w), 0);
  char path[64];
  snprintf(path, sizeof path, "/dev/fd/%d", fds[0]);
  clv__csv *c = NULL;
  clv__csv_opts o = {delim, rewindable};
  assert_int_equal(clv__csv_open_path(&c, path, "pipe.csv", &o, NULL), CLV_OK);
  close(fds[0]); /* the scanner holds its own descriptor */
  if (bufsize)
    assert_int_equal(clv__csv_set_buffer_size(c, bufsize), CLV_OK);
  return c;
}

static char *render_pipe(const char *data, size_t len, char delim,
                         size_t bufsize) {
  pthread_t th;
  writer w;
  clv__csv *c = open_pipe(data, len, delim, bufsize, 0, &th, &w);
  char *r = render(c);
  clv__csv_close(c);
  pthread_join(th, NULL);
  return r;
}

/* Writes data gzip-compressed; with members > 1 as that many concatenated
 * gzip members (as `cat a.gz b.gz` makes). Returns the path. */
static const char *write_gz(const char *name, const char *data, size_t len,
                            int members) {
  static char path[4096];
  snprintf(path, sizeof path, "%s", clv_test_tmp(name));
  unlink(path);
  size_t done = 0;
  for (int m = 0; m < members; m++) {
    size_t part = m == members - 1 ? len - done : len / (size_t)members;
    gzFile g = gzopen(path, m == 0 ? "wb" : "ab");
    assert_non_null(g);
    if (part > 0)
      assert_int_equal(gzwrite(g, data + done, (unsigned)part), (int)part);
    assert_int_equal(gzclose(g), Z_OK);
    done += part;
  }
  return path;
}

static char *render_path(const char *path, char delim, size_t bufsize) {
  clv__csv *c = NULL;
  clv__csv_opts o = {delim, 0};
  assert_int_equal(clv__csv_open_path(&c, path, "t.csv", &o, NULL), CLV_OK);
  if (bufsize)
    assert_int_equal(clv__csv_set_buffer_size(c, bufsize), CLV_OK);
  char *r = render(c);
  clv__csv_close(c);
  return r;
}

/* Every rule through a pipe with every buffer size from 4 bytes to more than
 * the whole input: each row, quoted field and CRLF gets split at every
 * position, and the rows must not change. */
static void test_rules_pipe_every_boundary(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = strlen(cases[i].input);
    for (size_t b = 4; b <= len + 4; b++) {
      char *got = render_pipe(cases[i].input, len, cases[i].delimiter, b);
      if (strcmp(got, cases[i].want) != 0)
        fail_msg("case %zu, buffer %zu (%s):\n got: %s\nwant: %s", i, b,
                 cases[i].input, got, cases[i].want);
      free(got);
    }
  }
}

/* Every rule through gzip (one and two members) with small buffers. */
static void test_rules_gzip(void **state) {
  (void)state;
  static const size_t sizes[] = {4, 5, 7, 16, 0};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = strlen(cases[i].input);
    for (int members = 1; members <= 2; members++) {
      const char *path = write_gz("rule.csv.gz", cases[i].input, len, members);
      for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char *got = render_path(path, cases[i].delimiter, sizes[k]);
        if (strcmp(got, cases[i].want) != 0)
          fail_msg("case %zu, gzip %d members, buffer %zu:\n got: %s\nwant: %s",
                   i, members, sizes[k], got, cases[i].want);
        free(got);
      }
      unlink(path);
    }
  }
}

/* The same rules from a regular file (mmap'ed), including the empty file. */
static void test_rules_file(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *path = clv_test_write("rule.csv", cases[i].input);
    char *got = render_path(path, cases[i].delimiter, 0);
    if (strcmp(got, cases[i].want) != 0)
      fail_msg("case %zu (file):\n got: %s\nwant: %s", i, got, cases[i].want);
    free(got);
    unlink(path);
  }
}

/* ---- large rows, many fields, rewinding -------------------------------------
 */

/* A row of 3 MB (three times the initial 1 MiB stream buffer) with doubled
 * quotes and line breaks inside, through a pipe: the buffer must grow, the
 * field must come out whole, and the row after it must keep its line. */
static void test_row_longer_than_buffer(void **state) {
  (void)state;
  size_t body = 3u << 20;
  char *data = malloc(body + 64);
  assert_non_null(data);
  size_t n = 0;
  n += (size_t)sprintf(data, "id,text\n1,\"");
  size_t want_len = 0, newlines = 0;
  for (size_t i = 0; i < body; i++) {
    if (i % 100000 == 99999) {
      data[n++] = '"';
      data[n++] = '"';
    } else if (i % 250000 == 0) {
      data[n++] = '\n';
      newlines++;
    } else {
      data[n++] = (char)('a' + i % 26);
    }
    want_len++;
  }
  n += (size_t)sprintf(data + n, "\"\n2,end\n");
  pthread_t th;
  writer w;
  clv__csv *c = open_pipe(data, n, 0, 0, 0, &th, &w);
  const clv__field *f;
  size_t nf;
  assert_int_equal(clv__csv_next(c, &f, &nf, NULL), CLV_OK);
  assert_int_equal(nf, 2);
  assert_int_equal(clv__csv_next(c, &f, &nf, NULL), CLV_OK);
  assert_int_equal(nf, 2);
  assert_int_equal(clv__csv_line(c), 2);
  assert_int_equal(f[1].len, want_len);
  assert_int_equal(f[1].p[99999], '"');
  assert_int_equal(f[1].p[250000], '\n');
  assert_int_equal(f[1].p[1], 'b');
  assert_int_equal(clv__csv_next(c, &f, &nf, NULL), CLV_OK);
  assert_int_equal(nf, 2);
  assert_int_equal(clv__csv_line(c), 3 + (long)newlines);
  assert_memory_equal(f[1].p, "end", 3);
  assert_int_equal(clv__csv_next(c, &f, &nf, NULL), CLV_OK);
  assert_int_equal(nf, 0);
  clv__csv_close(c);
  pthread_join(th, NULL);
  free(data);
}

/* 300 fields, every one quoted with a doubled quote and longer than the
 * initial scratch buffer: the copies must survive the scratch growing. */
static void test_many_escaped_fields(void **state) {
  (void)state;
  enum { NF = 300, FL = 500 };
  char *data = malloc(NF * (FL + 8) + 2);
  assert_non_null(data);
  size_t n = 0;
  for (int i = 0; i < NF; i++) {
    data[n++] = '"';
    for (int k = 0; k < FL; k++)
      data[n++] = (char)('0' + (i + k) % 10);
    data[n++] = '"';
    data[n++] = '"';
    data[n++] = '"';
    data[n++] = i == NF - 1 ? '\n' : ',';
  }
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_mem(&c, data, n, NULL, 1, NULL, NULL), CLV_OK);
  const clv__field *f;
  size_t nf;
  assert_int_equal(clv__csv_next(c, &f, &nf, NULL), CLV_OK);
  assert_int_equal(nf, NF);
  for (int i = 0; i < NF; i++) {
    assert_int_equal(f[i].len, FL + 1);
    assert_int_equal(f[i].p[0], '0' + i % 10);
    assert_int_equal(f[i].p[FL - 1], '0' + (i + FL - 1) % 10);
    assert_int_equal(f[i].p[FL], '"');
    /* Each field is a quote, FL bytes, three quotes and a delimiter. */
    assert_int_equal(f[i].column, (uint32_t)(i * (FL + 5) + 1));
  }
  clv__csv_close(c);
  free(data);
}

static const char rewind_text[] = "id,amount\n\"a\",1\nb,2\r\n\nc,\"3\"\"\"\n";
static const char rewind_want[] = "1:id@1|amount@4\n2:a@1|1@5\n3:b@1|2@3\n"
                                  "5:c@1|3\"@3\n";

static void check_rewind(clv__csv *c) {
  char *a = render(c);
  assert_string_equal(a, rewind_want);
  assert_int_equal(clv__csv_rewind(c), CLV_OK);
  char *b = render(c);
  assert_string_equal(b, rewind_want);
  /* Rewinding in the middle goes back to the first row too. */
  assert_int_equal(clv__csv_rewind(c), CLV_OK);
  const clv__field *f;
  size_t n;
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  assert_int_equal(clv__csv_rewind(c), CLV_OK);
  char *d = render(c);
  assert_string_equal(d, rewind_want);
  free(a);
  free(b);
  free(d);
}

static void test_rewind(void **state) {
  (void)state;
  size_t len = strlen(rewind_text);
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_mem(&c, rewind_text, len, NULL, 1, NULL, NULL),
                   CLV_OK);
  check_rewind(c);
  clv__csv_close(c);

  const char *path = clv_test_write("rewind.csv", rewind_text);
  assert_int_equal(clv__csv_open_path(&c, path, NULL, NULL, NULL), CLV_OK);
  check_rewind(c);
  clv__csv_close(c);
  unlink(path);

  path = write_gz("rewind.csv.gz", rewind_text, len, 2);
  assert_int_equal(clv__csv_open_path(&c, path, NULL, NULL, NULL), CLV_OK);
  assert_int_equal(clv__csv_set_buffer_size(c, 3), CLV_EINVAL);
  assert_int_equal(clv__csv_set_buffer_size(c, 5), CLV_OK);
  check_rewind(c);
  /* The buffer exists now: its size can no longer change, rewind or not. */
  assert_int_equal(clv__csv_set_buffer_size(c, 64), CLV_EINVAL);
  clv__csv_close(c);

  /* A pipe carrying gzip, rewindable: spooled to a temporary file. */
  FILE *g = fopen(path, "rb");
  assert_non_null(g);
  char gz[4096];
  size_t gzlen = fread(gz, 1, sizeof gz, g);
  fclose(g);
  unlink(path);
  pthread_t th;
  writer w;
  for (size_t b = 4; b < 40; b += 7) {
    c = open_pipe(gz, gzlen, 0, b, 1, &th, &w);
    check_rewind(c);
    clv__csv_close(c);
    pthread_join(th, NULL);
    c = open_pipe(rewind_text, len, 0, b, 1, &th, &w);
    check_rewind(c);
    clv__csv_close(c);
    pthread_join(th, NULL);
  }

  /* Without opts.rewindable a pipe cannot go back. */
  c = open_pipe(rewind_text, len, 0, 0, 0, &th, &w);
  char *r = render(c);
  assert_string_equal(r, rewind_want);
  free(r);
  assert_int_equal(clv__csv_rewind(c), CLV_EUNSUPPORTED);
  clv__csv_close(c);
  pthread_join(th, NULL);
}

/* "-" reads standard input (here a pipe put in its place) and calls it
 * "<stdin>" in messages. */
static void test_stdin(void **state) {
  (void)state;
  int saved = dup(STDIN_FILENO), fds[2];
  assert_true(saved >= 0);
  assert_int_equal(pipe(fds), 0);
  const char *text = "x,y\n\"unterminated\n";
  assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
  close(fds[1]);
  assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  close(fds[0]);
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_path(&c, "-", NULL, NULL, NULL), CLV_OK);
  assert_string_equal(clv__csv_name(c), "<stdin>");
  const clv__field *f;
  size_t n;
  clv_error err;
  clv_error_clear(&err);
  assert_int_equal(clv__csv_next(c, &f, &n, &err), CLV_OK);
  assert_int_equal(n, 2);
  assert_int_equal(clv__csv_next(c, &f, &n, &err), CLV_EPARSE);
  char msg[600];
  assert_string_equal(clv_error_format(&err, msg, sizeof msg),
                      "<stdin>:2:1: unterminated quoted field starting at "
                      "line 2");
  assert_int_equal(clv__csv_next(c, &f, &n, &err), CLV_OK);
  assert_int_equal(n, 0);
  assert_int_equal(clv__csv_buffer(c, &(const char *){NULL}, &(size_t){0}),
                   CLV_EUNSUPPORTED);
  clv__csv_close(c);
  assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
  close(saved);
}

/* Which delimiter detection picks (checked by counting by hand). */
static void test_delimiter_detection(void **state) {
  (void)state;
  static const struct {
    const char *in;
    char want;
  } t[] = {
      {"a,b;c\n", ','},       {"a;b;c,d\n", ';'},
      {"a\tb\tc\n", '\t'},    {"a|b\n", '|'},
      {" id  date\n", ' '},   {"single\n", ','},
      {"\n\n a b\n", ' '},    {"\"x,y;z\";w;v\n", ';'},
      {"a,b|c;d\tE\n", ','},  {"", ','},
      {"\"a b\",c d\n", ','}, {"\"open\nstill, quoted\"\n", ','},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    clv__csv *c = NULL;
    assert_int_equal(
        clv__csv_open_mem(&c, t[i].in, strlen(t[i].in), NULL, 1, NULL, NULL),
        CLV_OK);
    assert_int_equal(clv__csv_delimiter(c), 0);
    const clv__field *f;
    size_t n;
    assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
    if (clv__csv_delimiter(c) != t[i].want)
      fail_msg("case %zu: got '%c', want '%c'", i, clv__csv_delimiter(c),
               t[i].want);
    clv__csv_close(c);
  }
}

static void test_open_errors(void **state) {
  (void)state;
  clv__csv *c = (clv__csv *)1;
  clv_error err;
  clv_error_clear(&err);
  assert_int_equal(
      clv__csv_open_path(&c, "/nonexistent/x.csv", NULL, NULL, &err), CLV_EIO);
  assert_null(c);
  assert_int_equal(err.status, CLV_EIO);
  assert_string_equal(err.file, "/nonexistent/x.csv");
  assert_non_null(strstr(err.message, "cannot open"));
  assert_int_equal(clv__csv_open_path(&c, "/", NULL, NULL, &err), CLV_EIO);
  assert_string_equal(err.message, "is a directory");
  clv__csv_opts bad = {'"', 0};
  assert_int_equal(clv__csv_open_mem(&c, "a", 1, NULL, 1, &bad, NULL),
                   CLV_EINVAL);
  bad.delimiter = '\n';
  assert_int_equal(clv__csv_open_mem(&c, "a", 1, NULL, 1, &bad, NULL),
                   CLV_EINVAL);
  assert_int_equal(clv__csv_open_mem(&c, NULL, 1, NULL, 1, NULL, NULL),
                   CLV_EINVAL);
  clv__csv_close(NULL);
}

/* Damaged gzip: cut short, or corrupted in the middle. */
static void test_gzip_errors(void **state) {
  (void)state;
  static char text[20000];
  for (size_t i = 0; i + 1 < sizeof text; i++)
    text[i] = i % 40 == 39 ? '\n' : (char)('a' + (i * 7) % 26);
  const char *path = write_gz("bad.csv.gz", text, strlen(text), 1);
  FILE *g = fopen(path, "rb");
  assert_non_null(g);
  static unsigned char gz[30000];
  size_t len = fread(gz, 1, sizeof gz, g);
  fclose(g);
  assert_true(len > 100);
  static const struct {
    size_t cut, flip;
    const char *msg;
  } t[] = {{0, 60, "corrupt gzip data"},
           {40, 0, "truncated gzip data"},
           {3, 0, "truncated gzip data"}};
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    unsigned char copy[30000];
    memcpy(copy, gz, len);
    size_t n = t[i].cut ? t[i].cut : len;
    if (t[i].flip)
      copy[t[i].flip] ^= 0xff;
    FILE *o = fopen(path, "wb");
    assert_non_null(o);
    assert_int_equal(fwrite(copy, 1, n, o), n);
    fclose(o);
    clv__csv *c = NULL;
    clv_error err;
    clv_error_clear(&err);
    assert_int_equal(clv__csv_open_path(&c, path, "bad.gz", NULL, &err),
                     CLV_OK);
    const clv__field *f;
    size_t nf;
    int rc;
    do
      rc = clv__csv_next(c, &f, &nf, &err);
    while (rc == CLV_OK && nf > 0);
    assert_int_equal(rc, CLV_EIO);
    assert_int_equal(err.status, CLV_EIO);
    assert_string_equal(err.file, "bad.gz");
    if (strstr(err.message, t[i].msg) == NULL)
      fail_msg("case %zu: message '%s'", i, err.message);
    clv__csv_close(c);
  }
  unlink(path);
}

/* Byte counters and the whole-input buffer for parallel scanning. */
static void test_buffer_and_progress(void **state) {
  (void)state;
  const char *text = "a,b\n1,2\n3,4\n";
  const char *path = clv_test_write("progress.csv", text);
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_path(&c, path, NULL, NULL, NULL), CLV_OK);
  assert_int_equal(clv__csv_bytes_total(c), 12);
  assert_int_equal(clv__csv_bytes_done(c), 0);
  const clv__field *f;
  size_t n;
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  assert_int_equal(clv__csv_bytes_done(c), 4);
  const char *data;
  size_t len;
  assert_int_equal(clv__csv_buffer(c, &data, &len), CLV_OK);
  assert_int_equal(len, 12);
  assert_memory_equal(data, text, 12);
  /* A part of the buffer scanned on its own keeps its line numbers. */
  clv__csv *part = NULL;
  clv__csv_opts o = {',', 0};
  assert_int_equal(clv__csv_open_mem(&part, data + 8, 4, "part", 3, &o, NULL),
                   CLV_OK);
  assert_int_equal(clv__csv_next(part, &f, &n, NULL), CLV_OK);
  assert_int_equal(clv__csv_line(part), 3);
  assert_memory_equal(f[1].p, "4", 1);
  clv__csv_close(part);
  clv__csv_close(c);
  unlink(path);
}

/* ---- the real files ---------------------------------------------------------
 */

/* Counts rows and fields, and sums field lengths, so that a dropped, split or
 * mangled field changes a number. */
typedef struct tally {
  long rows, bad_width, errors;
  uint64_t bytes;
  long with_comma, with_quote;
} tally;

static tally count_rows(clv__csv *c, size_t width) {
  tally t = {0, 0, 0, 0, 0, 0};
  for (;;) {
    const clv__field *f;
    size_t n;
    int rc = clv__csv_next(c, &f, &n, NULL);
    if (rc != CLV_OK) {
      t.errors++;
      if (rc != CLV_EPARSE)
        break;
      continue;
    }
    if (n == 0)
      break;
    t.rows++;
    t.bad_width += n != width;
    int comma = 0;
    for (size_t i = 0; i < n; i++) {
      t.bytes += f[i].len;
      comma |= memchr(f[i].p, ',', f[i].len) != NULL;
      t.with_quote += memchr(f[i].p, '"', f[i].len) != NULL;
    }
    t.with_comma += comma;
  }
  return t;
}

/* CDNOW_master.txt: 1 header + 69,659 rows of 4 blank-separated fields, CRLF
 * (data README). The field-byte total 1,324,025 and the last row come from
 * Python's str.split() on each line. */
static void test_cdnow_master(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "lifetimes/CDNOW_master.txt");
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_path(&c, path, NULL, NULL, NULL), CLV_OK);
  const clv__field *f;
  size_t n;
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  assert_int_equal(clv__csv_delimiter(c), ' ');
  assert_int_equal(n, 4);
  assert_memory_equal(f[0].p, "customer_id", 11);
  assert_memory_equal(f[3].p, "dollar_value", 12);
  assert_int_equal(f[3].len, 12);
  assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  assert_int_equal(n, 4);
  assert_int_equal(clv__csv_line(c), 2);
  assert_memory_equal(f[0].p, "00001", 5);
  assert_int_equal(f[0].column, 2);
  assert_memory_equal(f[1].p, "19970101", 8);
  assert_memory_equal(f[3].p, "11.77", 5);
  assert_int_equal(f[3].len, 5);
  assert_int_equal(clv__csv_rewind(c), CLV_OK);
  tally t = count_rows(c, 4);
  assert_int_equal(t.rows, 69660);
  assert_int_equal(t.bad_width, 0);
  assert_int_equal(t.errors, 0);
  assert_int_equal(t.bytes, 1324025);
  assert_int_equal(clv__csv_line(c), 69660);
  clv__csv_close(c);
}

/* online_retail.csv: 1 header + 541,909 rows of 8 fields (data README).
 * Python's csv module on the same file gives 4,796 rows with a comma inside a
 * field, 1,239 fields holding a quote and 43,690,300 field bytes. Read from
 * the mmap'ed file, then gzip-compressed through a small buffer and again
 * after a rewind. */
static void test_online_retail(void **state) {
  (void)state;
  CLV_REQUIRE_DATA(path, "online_retail/online_retail.csv");
  clv__csv *c = NULL;
  assert_int_equal(clv__csv_open_path(&c, path, NULL, NULL, NULL), CLV_OK);
  tally t = count_rows(c, 8);
  assert_int_equal(t.rows, 541910);
  assert_int_equal(t.bad_width, 0);
  assert_int_equal(t.errors, 0);
  assert_int_equal(t.with_comma, 4796);
  assert_int_equal(t.with_quote, 1239);
  assert_int_equal(t.bytes, 43690300);
  const char *data;
  size_t len;
  assert_int_equal(clv__csv_buffer(c, &data, &len), CLV_OK);

  /* Row 111 (line 111) has a quoted description with a comma. */
  assert_int_equal(clv__csv_rewind(c), CLV_OK);
  const clv__field *f;
  size_t n;
  for (int i = 0; i < 111; i++)
    assert_int_equal(clv__csv_next(c, &f, &n, NULL), CLV_OK);
  assert_int_equal(clv__csv_line(c), 111);
  assert_int_equal(f[2].len, strlen("AIRLINE LOUNGE,METAL SIGN"));
  assert_memory_equal(f[2].p, "AIRLINE LOUNGE,METAL SIGN", f[2].len);
  /* "536381," and "82567," are 13 bytes, the quoted field 27, a comma. */
  assert_int_equal(f[3].column, 42);

  const char *gz = write_gz("retail.csv.gz", data, len, 3);
  clv__csv_close(c);
  assert_int_equal(clv__csv_open_path(&c, gz, NULL, NULL, NULL), CLV_OK);
  assert_int_equal(clv__csv_set_buffer_size(c, 4096), CLV_OK);
  for (int pass = 0; pass < 2; pass++) {
    tally g = count_rows(c, 8);
    assert_int_equal(g.rows, 541910);
    assert_int_equal(g.bad_width, 0);
    assert_int_equal(g.with_comma, 4796);
    assert_int_equal(g.bytes, 43690300);
    assert_int_equal(clv__csv_rewind(c), CLV_OK);
  }
  clv__csv_close(c);
  unlink(gz);
}

/* Amounts in the plain form [-]digits[.digits] take a shortcut in
 * clv__parse_amount(); up to 15 digits it must give strtod's correctly
 * rounded value (the oracle here), and every other form the general rules
 * (parse.h): sign, currency, groups, or a rejection. */
static void test_amount_forms(void **state) {
  (void)state;
  static const char *const same_as_strtod[] = {"18.70",
                                               "-5",
                                               ".5",
                                               "5.",
                                               "007.50",
                                               "0.1",
                                               "-0.07",
                                               "99999",
                                               "123456789012.345",
                                               "1234567890123.456",
                                               "0.000000000000001"};
  for (size_t i = 0; i < sizeof same_as_strtod / sizeof *same_as_strtod; i++) {
    double v = -1, want = strtod(same_as_strtod[i], NULL);
    assert_int_equal(
        clv__parse_amount(same_as_strtod[i], strlen(same_as_strtod[i]), &v), 1);
    assert_true(v == want);
  }
  double v = 1;
  assert_int_equal(clv__parse_amount("-0.00", 5, &v), 1);
  assert_true(v == 0 && signbit(v));
  /* General forms still read. */
  assert_int_equal(clv__parse_amount("1,234.50", 8, &v), 1);
  assert_true(v == 1234.5);
  assert_int_equal(clv__parse_amount("$12.50", 6, &v), 1);
  assert_true(v == 12.5);
  assert_int_equal(clv__parse_amount(" 12.5", 5, &v), 1);
  assert_true(v == 12.5);
  assert_int_equal(clv__parse_amount("(3.25)", 6, &v), 1);
  assert_true(v == -3.25);
  /* Not amounts. */
  static const char *const bad[] = {"",    "-",  ".",   "12.5.1",
                                    "--5", "5-", "1.2x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_int_equal(clv__parse_amount(bad[i], strlen(bad[i]), &v), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_amount_forms),
      cmocka_unit_test(test_rules_mem),
      cmocka_unit_test(test_rules_file),
      cmocka_unit_test(test_rules_pipe_every_boundary),
      cmocka_unit_test(test_rules_gzip),
      cmocka_unit_test(test_row_longer_than_buffer),
      cmocka_unit_test(test_many_escaped_fields),
      cmocka_unit_test(test_rewind),
      cmocka_unit_test(test_stdin),
      cmocka_unit_test(test_delimiter_detection),
      cmocka_unit_test(test_open_errors),
      cmocka_unit_test(test_gzip_errors),
      cmocka_unit_test(test_buffer_and_progress),
      cmocka_unit_test(test_cdnow_master),
      cmocka_unit_test(test_online_retail),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

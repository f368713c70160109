/*
 * report.c - the HTML dashboard: a list of sections written into the
 * embedded page template with Apache ECharts inline, so that the file opens
 * offline (the page's Content-Security-Policy forbids any fetch).
 *
 * The figures go into the page as one JSON object inside a
 * <script type="application/json"> block; every '<' in it is written as
 * \u003c so that no "</script" can end the block early.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clv/status.h"
#include "report.h"
#include "textout.h"

typedef struct section {
  char *id, *title_en, *title_zh, *payload;
} section;

struct clv_report {
  int zh;
  char *currency, *symbol, *title;
  char *actions_dir, *actions_href; /* NULL: no action lists */
  int trend_points;
  const clv_base_opts *trend_base; /* borrowed */
  int max_points;
  section *s;
  size_t n, cap;
};

void clv_report_opts_init(clv_report_opts *o) {
  memset(o, 0, sizeof *o);
  o->lang = "en";
  o->max_points = 60;
}

int clv_report_available(void) {
  return clv__report_echarts_len > 0;
}

static char *dup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p != NULL)
    memcpy(p, s, n);
  return p;
}

/* The symbol of the common codes; others are shown as the code itself. */
static const char *symbol_of(const char *code) {
  static const char *const map[][2] = {
      {"USD", "$"},        {"CNY", "\xc2\xa5"},     {"RMB", "\xc2\xa5"},
      {"JPY", "\xc2\xa5"}, {"EUR", "\xe2\x82\xac"}, {"GBP", "\xc2\xa3"},
      {"HKD", "HK$"}};
  size_t i;
  for (i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(code, map[i][0]) == 0)
      return map[i][1];
  return code;
}

int clv_report_new(clv_report **out, const clv_report_opts *o) {
  clv_report_opts d;
  clv_report *r = NULL;
  int st = CLV_EINVAL;
  const char *cur;
  *out = NULL;
  if (o == NULL) {
    clv_report_opts_init(&d);
    o = &d;
  }
  if (o->lang == NULL ||
      (strcmp(o->lang, "en") != 0 && strcmp(o->lang, "zh") != 0))
    goto fail;
  st = CLV_ENOMEM;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    goto fail;
  r->zh = strcmp(o->lang, "zh") == 0;
  cur = o->currency != NULL && o->currency[0] != '\0' ? o->currency
        : r->zh                                       ? "CNY"
                                                      : "USD";
  r->currency = dup(cur);
  r->symbol = dup(o->symbol != NULL ? o->symbol : symbol_of(cur));
  r->title = dup(o->title != NULL ? o->title
                 : r->zh          ? "\xe5\xae\xa2\xe6\x88\xb7\xe7\x94\x9f"
                                    "\xe5\x91\xbd\xe5\x91\xa8\xe6\x9c\x9f"
                                    "\xe4\xbb\xb7\xe5\x80\xbc"
                                  : "Customer lifetime value");
  r->max_points = o->max_points >= 5 ? o->max_points : 60;
  r->trend_points = o->trend_points >= 2 ? o->trend_points : 0;
  r->trend_base = o->trend_base;
  if (r->currency == NULL || r->symbol == NULL || r->title == NULL)
    goto fail;
  if (o->actions_dir != NULL && o->actions_dir[0] != '\0') {
    r->actions_dir = dup(o->actions_dir);
    r->actions_href =
        dup(o->actions_href != NULL ? o->actions_href : o->actions_dir);
    if (r->actions_dir == NULL || r->actions_href == NULL)
      goto fail;
  }
  *out = r;
  return CLV_OK;
fail:
  clv_report_free(r);
  return st;
}

void clv_report_free(clv_report *r) {
  size_t i;
  if (r == NULL)
    return;
  for (i = 0; i < r->n; i++) {
    free(r->s[i].id);
    free(r->s[i].title_en);
    free(r->s[i].title_zh);
    free(r->s[i].payload);
  }
  free(r->s);
  free(r->currency);
  free(r->symbol);
  free(r->title);
  free(r->actions_dir);
  free(r->actions_href);
  free(r);
}

const char *clv__report_tr(const clv_report *r, const char *en,
                           const char *zh) {
  return r->zh ? zh : en;
}

int clv__report_zh(const clv_report *r) {
  return r->zh;
}

int clv__report_max_points(const clv_report *r) {
  return r->max_points;
}

int clv__report_trend(const clv_report *r, const clv_base_opts **base) {
  *base = r->trend_base;
  return r->trend_points;
}

const char *clv__report_actions_dir(const clv_report *r) {
  return r->actions_dir;
}

const char *clv__report_actions_href(const clv_report *r) {
  return r->actions_href;
}

int clv_report_add_section(clv_report *r, const char *id, const char *title_en,
                           const char *title_zh, const char *payload_json) {
  section s = {0};
  const char *p;
  if (r == NULL || id == NULL || id[0] == '\0' || title_en == NULL ||
      title_zh == NULL || payload_json == NULL || payload_json[0] != '{')
    return CLV_EINVAL;
  /* The id becomes an HTML id and a JSON key: keep it plain. */
  for (p = id; *p != '\0'; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
      return CLV_EINVAL;
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 8;
    section *ns = realloc(r->s, cap * sizeof *ns);
    if (ns == NULL)
      return CLV_ENOMEM;
    r->s = ns;
    r->cap = cap;
  }
  s.id = dup(id);
  s.title_en = dup(title_en);
  s.title_zh = dup(title_zh);
  s.payload = dup(payload_json);
  if (s.id == NULL || s.title_en == NULL || s.title_zh == NULL ||
      s.payload == NULL) {
    free(s.id);
    free(s.title_en);
    free(s.title_zh);
    free(s.payload);
    return CLV_ENOMEM;
  }
  r->s[r->n++] = s;
  return CLV_OK;
}

/* ---- JSON text buffer ------------------------------------------------- */

static void jb_put(clv__jbuf *b, const char *s, size_t n) {
  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    char *np;
    while (cap < b->len + n + 1)
      cap *= 2;
    np = realloc(b->p, cap);
    if (np == NULL) {
      b->failed = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void clv__jb_raw(clv__jbuf *b, const char *s) {
  jb_put(b, s, strlen(s));
}

void clv__jb_str(clv__jbuf *b, const char *s) {
  char tmp[256];
  size_t n = strlen(s), used, w;
  jb_put(b, "\"", 1);
  while (n > 0) {
    w = clv__json_escape(tmp, sizeof tmp, s, n, &used);
    jb_put(b, tmp, w);
    s += used;
    n -= used;
  }
  jb_put(b, "\"", 1);
}

void clv__jb_num(clv__jbuf *b, double v) {
  char tmp[64];
  size_t w;
  if (!isfinite(v)) {
    jb_put(b, "null", 4);
    return;
  }
  /* Six significant digits are more than a chart can show and keep the
   * file small. */
  w = clv__fmt_sig(v, 6, tmp, sizeof tmp);
  jb_put(b, tmp, w);
}

void clv__jb_sep(clv__jbuf *b) {
  char last;
  if (b->failed || b->len == 0)
    return;
  last = b->p[b->len - 1];
  if (last != '{' && last != '[' && last != ':')
    jb_put(b, ",", 1);
}

void clv__jb_key(clv__jbuf *b, const char *key) {
  clv__jb_sep(b);
  clv__jb_str(b, key);
  jb_put(b, ":", 1);
}

void clv__jb_nums(clv__jbuf *b, const double *v, size_t n) {
  size_t i;
  jb_put(b, "[", 1);
  for (i = 0; i < n; i++) {
    if (i > 0)
      jb_put(b, ",", 1);
    clv__jb_num(b, v[i]);
  }
  jb_put(b, "]", 1);
}

void clv__jb_free(clv__jbuf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

/* ---- the page ------------------------------------------------------------ */

/* Writes n bytes of script text, turning "</script" (any case) into
 * "<\/script" so that the text cannot close its <script> element; inside
 * JavaScript strings and JSON the two spellings mean the same. */
static int put_script(FILE *f, const char *p, size_t n, int json) {
  size_t i, from = 0;
  for (i = 0; i < n; i++) {
    if (p[i] != '<')
      continue;
    if (json) {
      /* In the data every '<' is inside a string: \u003c is the same. */
      if (fwrite(p + from, 1, i - from, f) != i - from ||
          fputs("\\u003c", f) == EOF)
        return CLV_EIO;
      from = i + 1;
    } else if (i + 1 < n && p[i + 1] == '/' && i + 8 <= n &&
               strncasecmp(p + i + 2, "script", 6) == 0) {
      if (fwrite(p + from, 1, i + 1 - from, f) != i + 1 - from ||
          fputc('\\', f) == EOF)
        return CLV_EIO;
      from = i + 1;
    }
  }
  if (fwrite(p + from, 1, n - from, f) != n - from)
    return CLV_EIO;
  return CLV_OK;
}

static void data_json(const clv_report *r, clv__jbuf *b) {
  size_t i;
  clv__jb_raw(b, "{");
  clv__jb_key(b, "lang");
  clv__jb_str(b, r->zh ? "zh" : "en");
  clv__jb_key(b, "currency");
  clv__jb_str(b, r->currency);
  clv__jb_key(b, "symbol");
  clv__jb_str(b, r->symbol);
  clv__jb_key(b, "title");
  clv__jb_str(b, r->title);
  clv__jb_key(b, "sections");
  clv__jb_raw(b, "[");
  for (i = 0; i < r->n; i++) {
    clv__jb_sep(b);
    clv__jb_raw(b, "{");
    clv__jb_key(b, "id");
    clv__jb_str(b, r->s[i].id);
    clv__jb_key(b, "title");
    clv__jb_str(b, r->zh ? r->s[i].title_zh : r->s[i].title_en);
    clv__jb_key(b, "payload");
    clv__jb_raw(b, r->s[i].payload);
    clv__jb_raw(b, "}");
  }
  clv__jb_raw(b, "]}");
}

int clv_report_write_html(const clv_report *r, FILE *f) {
  static const char m_js[] = "/*@CLV_ECHARTS@*/";
  static const char m_data[] = "@CLV_DATA@";
  const char *t = (const char *)clv__report_template;
  const char *a, *d;
  clv__jbuf b = {0};
  int st = CLV_EINVAL;
  if (r == NULL || f == NULL)
    goto done;
  st = CLV_EUNSUPPORTED;
  if (!clv_report_available())
    goto done;
  a = strstr(t, m_js);
  d = a != NULL ? strstr(a, m_data) : NULL;
  if (d == NULL)
    goto done; /* a template without markers: a build error */
  st = CLV_ENOMEM;
  data_json(r, &b);
  if (b.failed)
    goto done;
  st = CLV_EIO;
  if (fwrite(t, 1, (size_t)(a - t), f) != (size_t)(a - t) ||
      put_script(f, (const char *)clv__report_echarts, clv__report_echarts_len,
                 0) != CLV_OK)
    goto done;
  a += sizeof m_js - 1;
  if (fwrite(a, 1, (size_t)(d - a), f) != (size_t)(d - a) ||
      put_script(f, b.p, b.len, 1) != CLV_OK)
    goto done;
  d += sizeof m_data - 1;
  if (fputs(d, f) == EOF || ferror(f))
    goto done;
  st = CLV_OK;
done:
  clv__jb_free(&b);
  return st;
}

int clv_report_write(const clv_base *b, const clv_report_opts *o, FILE *f) {
  clv_report *r = NULL;
  int st;
  if (b == NULL || f == NULL)
    return CLV_EINVAL;
  if (!clv_report_available())
    return CLV_EUNSUPPORTED;
  st = clv_report_new(&r, o);
  if (st != CLV_OK)
    goto done;
  st = clv_report_add_base_sections(r, b);
  if (st == CLV_OK && b->orders != NULL)
    st = clv_report_add_business_sections(r, b);
  if (st != CLV_OK)
    goto done;
  st = clv_report_write_html(r, f);
done:
  clv_report_free(r);
  return st;
}

/*
 * model.c - the model-family registry and the machinery every family
 * shares: compression of identical summary rows into weights, tables of
 * distinct values, the weighted log-likelihood split over threads, the
 * log-parameter transform with its chain rule and L2 penalty, the fit driver
 * with retries, and standard errors by the delta method.
 *
 * The compression is what makes fits on millions of customers cheap (the
 * idea of lifetimes' `weights` and CLVTools' aggregated CBS): a likelihood
 * evaluation costs one pass over the distinct (x, t_x, T) rows, and terms
 * that depend only on x (log-gammas, digammas) or only on a time value
 * (log(alpha + T)) are computed once per distinct value.
 */
#include "model.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "optim.h"
#include "special.h"

/* The registry: one line per family. */
static const clv__family *const families[] = {
    &clv__family_bgnbd,  &clv__family_gg,   &clv__family_pnbd,
    &clv__family_mbgnbd, &clv__family_bgbb,
};

const clv__family *clv__family_find(const char *name) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    if (strcmp(families[i]->name, name) == 0)
      return families[i];
  return NULL;
}

const char *clv_model_family_name(size_t i, int *is_transaction) {
  if (i >= sizeof families / sizeof families[0])
    return NULL;
  if (is_transaction)
    *is_transaction = families[i]->kind == CLV__KIND_TX;
  return families[i]->name;
}

/* ---- interning tables of double keys ------------------------------------ */

/* Open addressing with linear probing over dim-double keys; slots hold
 * 1 + index of the key (0 = empty). Grows at half load. */
typedef struct vtab {
  uint32_t *slot;
  size_t mask;
  size_t n, cap;
  int dim;
  double *keys;
  double *w;
} vtab;

static uint64_t bits(double v) {
  uint64_t u;
  v = v == 0 ? 0.0 : v; /* -0.0 and 0.0 are the same key */
  memcpy(&u, &v, sizeof u);
  return u;
}

static size_t hash_key(const double *k, int dim) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < dim; i++) {
    h ^= bits(k[i]);
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
  }
  h *= 0x94D049BB133111EBull;
  h ^= h >> 29;
  return (size_t)h;
}

static int vtab_init(vtab *t, int dim, size_t hint) {
  size_t size = 64;
  memset(t, 0, sizeof *t);
  t->dim = dim;
  while (size < 2 * hint)
    size *= 2;
  t->slot = calloc(size, sizeof *t->slot);
  t->mask = size - 1;
  t->cap = size / 2;
  t->keys = malloc(t->cap * (size_t)dim * sizeof(double));
  t->w = malloc(t->cap * sizeof(double));
  return t->slot && t->keys && t->w ? CLV_OK : CLV_ENOMEM;
}

static void vtab_free(vtab *t) {
  free(t->slot);
  free(t->keys);
  free(t->w);
}

static int vtab_grow(vtab *t) {
  size_t size = (t->mask + 1) * 2;
  uint32_t *slot = calloc(size, sizeof *slot);
  double *keys = realloc(t->keys, size / 2 * (size_t)t->dim * sizeof(double));
  if (keys)
    t->keys = keys;
  double *w = realloc(t->w, size / 2 * sizeof(double));
  if (w)
    t->w = w;
  if (slot == NULL || keys == NULL || w == NULL) {
    free(slot);
    return CLV_ENOMEM;
  }
  for (size_t i = 0; i < t->n; i++) {
    size_t h = hash_key(t->keys + i * (size_t)t->dim, t->dim) & (size - 1);
    while (slot[h])
      h = (h + 1) & (size - 1);
    slot[h] = (uint32_t)(i + 1);
  }
  free(t->slot);
  t->slot = slot;
  t->mask = size - 1;
  t->cap = size / 2;
  return CLV_OK;
}

/* Index of key k (added with weight w if new, else its weight grows). */
static int vtab_add(vtab *t, const double *k, double w, uint32_t *index) {
  size_t h = hash_key(k, t->dim) & t->mask;
  for (;;) {
    uint32_t s = t->slot[h];
    if (s == 0)
      break;
    const double *e = t->keys + (size_t)(s - 1) * (size_t)t->dim;
    int same = 1;
    for (int i = 0; i < t->dim; i++)
      same &= bits(e[i]) == bits(k[i]);
    if (same) {
      t->w[s - 1] += w;
      *index = s - 1;
      return CLV_OK;
    }
    h = (h + 1) & t->mask;
  }
  if (t->n >= UINT32_MAX - 1)
    return CLV_EOVERFLOW;
  if (t->n == t->cap) {
    if (vtab_grow(t))
      return CLV_ENOMEM;
    return vtab_add(t, k, w, index);
  }
  memcpy(t->keys + t->n * (size_t)t->dim, k, (size_t)t->dim * sizeof(double));
  t->w[t->n] = w;
  t->slot[h] = (uint32_t)(t->n + 1);
  *index = (uint32_t)t->n++;
  return CLV_OK;
}

/* ---- compressed data ------------------------------------------------------
 */

void clv__data_free(clv__data *d) {
  if (d == NULL)
    return;
  for (int j = 0; j < 3; j++)
    free(d->k[j]);
  free(d->w);
  free(d->ix);
  free(d->i1);
  free(d->i2);
  free(d->xs);
  free(d->wx);
  free(d->ts);
  free(d->aux);
  memset(d, 0, sizeof *d);
}

static void set_err(clv_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(clv_error *err, int status, const char *fmt, ...) {
  va_list ap;
  if (err == NULL)
    return;
  clv_error_clear(err);
  err->status = status;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

/* An array of millions of rows, freed with free(): aligned to 2 MiB with a
 * hint for huge pages, since 4 KiB page faults cost about 13 us each on a
 * virtual machine (a third of a second for 100 MB). */
#define HUGE_PAGE ((size_t)2 << 20)

static void *big_alloc(size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes >= HUGE_PAGE) {
    void *p = NULL;
    size_t len = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (posix_memalign(&p, HUGE_PAGE, len) != 0)
      return NULL;
    (void)madvise(p, len, MADV_HUGEPAGE); /* only a hint */
    return p;
  }
#endif
  return malloc(bytes ? bytes : 1);
}

/* ---- compression of whole-number keys (times in days) -----------------------
 *
 * A summary in days holds whole numbers: x, t_x and T of ten million
 * customers take a few hundred thousand distinct combinations, with at most a
 * few hundred distinct T. Hashing every row into one table of that size
 * misses the cache on almost every row, so the rows are first bucketed by T
 * (a counting sort: one histogram pass, one scatter pass) and each bucket is
 * then collapsed in a small hash table on (x, t_x) that stays in cache.
 * Distinct x and time values are found with direct arrays. The rows come out
 * ordered by T, which also keeps the likelihood loop's per-time lookups
 * local.
 */

#define INT_TIME_LIMIT 65536u      /* t_x, T < 2^16 days (179 years) */
#define INT_X_LIMIT (1u << 24)     /* x < 2^24 */
#define INT_NOT_APPLICABLE (-1000) /* internal: use the generic path */

static int whole_below(double v, double limit) {
  return v >= 0 && v < limit && v == floor(v);
}

static uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

/* Appends one compressed row, doubling the arrays when full. */
static int int_push(clv__data *d, size_t *cap, double x, double tx, double T,
                    double w) {
  if (d->n == *cap) {
    size_t nc = *cap ? 2 * *cap : 4096;
    for (int j = 0; j < 3; j++) {
      double *k = realloc(d->k[j], nc * sizeof(double));
      if (k == NULL)
        return CLV_ENOMEM;
      d->k[j] = k;
    }
    double *nw = realloc(d->w, nc * sizeof(double));
    if (nw == NULL)
      return CLV_ENOMEM;
    d->w = nw;
    *cap = nc;
  }
  d->k[0][d->n] = x;
  d->k[1][d->n] = tx;
  d->k[2][d->n] = T;
  d->w[d->n++] = w;
  return CLV_OK;
}

/* The whole-number path of clv__data_build() for families keyed on (x, t_x,
 * T). Returns INT_NOT_APPLICABLE (nothing allocated, nothing reported) when a
 * key is not a small whole number or a row would be skipped or refused, so
 * that the generic path handles it and words its error. */
static int build_int(const clv__family *f, const double *const col[3],
                     const double *wcol, size_t n, clv__data *d) {
  uint32_t *hist = NULL, *xid = NULL, *tid = NULL, *stamp = NULL;
  uint32_t *slot = NULL;
  uint64_t *keys = NULL;
  double *wts = NULL;
  size_t cap = 0, nx = 0, nt = 0;
  uint32_t maxx = 0, maxt = 0;
  int rc = INT_NOT_APPLICABLE, all_one = 1;
  if (n == 0 || n >= UINT32_MAX)
    goto done;
  hist = calloc(INT_TIME_LIMIT + 1, sizeof *hist);
  if (hist == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    double key[3] = {col[0][i], col[1][i], col[2][i]};
    const char *why = "";
    if (!whole_below(key[0], INT_X_LIMIT) ||
        !whole_below(key[1], INT_TIME_LIMIT) ||
        !whole_below(key[2], INT_TIME_LIMIT) || f->row_use(key, &why) != 1)
      goto done;
    uint32_t x = (uint32_t)key[0], T = (uint32_t)key[2];
    maxx = x > maxx ? x : maxx;
    maxt = T > maxt ? T : maxt;
    hist[T]++;
    if (wcol && wcol[i] != 1.0)
      all_one = 0;
  }
  /* Bucket offsets, then scatter (x << 16 | t_x) into its T bucket. */
  uint32_t biggest = 0;
  for (uint32_t t = 0, sum = 0; t <= maxt; t++) {
    uint32_t c = hist[t];
    biggest = c > biggest ? c : biggest;
    hist[t] = sum;
    sum += c;
  }
  /* The scatter writes all over these arrays: huge pages. */
  keys = big_alloc(n * sizeof *keys);
  if (!all_one)
    wts = big_alloc(n * sizeof *wts);
  if (keys == NULL || (!all_one && wts == NULL)) {
    rc = CLV_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t T = (uint32_t)col[2][i], at = hist[T]++;
    keys[at] = ((uint64_t)col[0][i] << 16) | (uint64_t)col[1][i];
    if (!all_one)
      wts[at] = wcol[i];
  }
  /* hist[t] is now the end of bucket t. A bucket of T holds at most
   * (T + 1) (maxx + 1) distinct keys, which bounds the table. */
  size_t size = 64, bound = (size_t)(maxt + 1) * (maxx + 1);
  size_t want = biggest < bound ? biggest : bound;
  while (size < 2 * want)
    size *= 2;
  slot = malloc(size * sizeof *slot);
  stamp = calloc(size, sizeof *stamp);
  if (slot == NULL || stamp == NULL) {
    rc = CLV_ENOMEM;
    goto done;
  }
  size_t mask = size - 1, begin = 0;
  for (uint32_t t = 0; t <= maxt; t++) {
    size_t end = hist[t];
    size_t first = d->n;
    for (size_t i = begin; i < end; i++) {
      uint64_t k = keys[i];
      double w = all_one ? 1.0 : wts[i];
      size_t h = mix64(k) & mask;
      for (;;) {
        if (stamp[h] != t + 1) {
          stamp[h] = t + 1;
          slot[h] = (uint32_t)(d->n - first);
          if ((rc = int_push(d, &cap, (double)(k >> 16), (double)(k & 0xFFFF),
                             (double)t, w)))
            goto done;
          break;
        }
        size_t r = first + slot[h];
        if (((uint64_t)d->k[0][r] << 16 | (uint64_t)d->k[1][r]) == k) {
          d->w[r] += w;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    begin = end;
  }
  /* Distinct x and time values through direct arrays. */
  size_t nrow = d->n;
  xid = malloc(((size_t)maxx + 1) * sizeof *xid);
  tid = malloc(((size_t)maxt + 1) * sizeof *tid);
  d->ix = malloc(nrow * sizeof(uint32_t));
  d->i1 = malloc(nrow * sizeof(uint32_t));
  d->i2 = malloc(nrow * sizeof(uint32_t));
  d->xs = malloc(((size_t)maxx + 1) * sizeof(double));
  d->wx = calloc((size_t)maxx + 1, sizeof(double));
  d->ts = malloc(((size_t)maxt + 1) * sizeof(double));
  if (!xid || !tid || !d->ix || !d->i1 || !d->i2 || !d->xs || !d->wx ||
      !d->ts) {
    rc = CLV_ENOMEM;
    goto done;
  }
  memset(xid, 0xFF, ((size_t)maxx + 1) * sizeof *xid);
  memset(tid, 0xFF, ((size_t)maxt + 1) * sizeof *tid);
  for (size_t i = 0; i < nrow; i++) {
    uint32_t x = (uint32_t)d->k[0][i], a = (uint32_t)d->k[1][i];
    uint32_t b = (uint32_t)d->k[2][i];
    if (xid[x] == UINT32_MAX) {
      xid[x] = (uint32_t)nx;
      d->xs[nx++] = x;
    }
    if (tid[a] == UINT32_MAX) {
      tid[a] = (uint32_t)nt;
      d->ts[nt++] = a;
    }
    if (tid[b] == UINT32_MAX) {
      tid[b] = (uint32_t)nt;
      d->ts[nt++] = b;
    }
    d->ix[i] = xid[x];
    d->i1[i] = tid[a];
    d->i2[i] = tid[b];
    d->wx[xid[x]] += d->w[i];
    d->customers += d->w[i];
  }
  d->nx = nx;
  d->nt = nt;
  if (f->naux > 0) {
    d->aux = malloc(nrow * (size_t)f->naux * sizeof(double));
    if (d->aux == NULL) {
      rc = CLV_ENOMEM;
      goto done;
    }
  }
  if (f->setup)
    f->setup(d);
  rc = CLV_OK;
done:
  free(hist);
  free(xid);
  free(tid);
  free(stamp);
  free(slot);
  free(keys);
  free(wts);
  if (rc)
    clv__data_free(d);
  return rc;
}

/* ---- rows kept as they are ------------------------------------------------
 *
 * Collapsing pays when rows repeat: a Gamma-Gamma key holds a mean spend in
 * cents, and ten million customers give about as many distinct (x, m) as
 * repeat buyers. Hashing them all then costs far more (a cache miss per row
 * in a table of hundreds of megabytes) than the few dozen likelihood
 * evaluations of a fit save. So on large summaries the distinct share is
 * estimated first from the rows whose key hash falls into 1/64 of the hash
 * space: every copy of a key is in or out together, so the sample's
 * distinct share is an unbiased estimate of the whole's (a plain 1-in-64
 * sample would see almost no duplicates of keys that occur twice). Rows are
 * kept uncompressed when most of them are distinct. The likelihood is the
 * same sum either way; only the order of the additions differs.
 */
#define PLAIN_MIN_ROWS 200000
#define PLAIN_DISTINCT_SHARE 0.6

static int mostly_distinct(const clv__family *f, const double *const col[3],
                           size_t n) {
  vtab t;
  size_t used = 0;
  int yes = 0;
  memset(&t, 0, sizeof t);
  if (n < PLAIN_MIN_ROWS || vtab_init(&t, 3, n / 32) != CLV_OK)
    goto done;
  for (size_t i = 0; i < n; i++) {
    double key[3];
    const char *why = "";
    uint32_t idx;
    for (int j = 0; j < 3; j++)
      key[j] = col[j] ? col[j][i] : 0.0;
    if ((hash_key(key, 3) >> 58) != 0 || f->row_use(key, &why) != 1)
      continue;
    used++;
    if (vtab_add(&t, key, 1.0, &idx) != CLV_OK)
      goto done;
  }
  yes = used >= 1000 && (double)t.n > PLAIN_DISTINCT_SHARE * (double)used;
done:
  vtab_free(&t);
  return yes;
}

#define X_DIRECT 4096

int clv__data_build(const clv__family *f, const clv_summary *s, clv__data *d,
                    clv_error *err) {
  vtab rows, xs, ts;
  int rc, plain = 0;
  uint32_t xdir[X_DIRECT] = {0};
  const double *col[3] = {NULL, NULL, NULL};
  size_t n = clv_summary_rows(s);
  const double *w = clv_summary_col(s, CLV_COL_WEIGHT);
  memset(d, 0, sizeof *d);
  memset(&xs, 0, sizeof xs);
  memset(&ts, 0, sizeof ts);
  memset(&rows, 0, sizeof rows);
  for (int j = 0; j < 3; j++) {
    if (f->key[j] < 0)
      continue;
    col[j] = clv_summary_col(s, (clv_col)f->key[j]);
    if (col[j] == NULL) {
      rc = CLV_ENOCOLUMN;
      set_err(err, rc, "the %s model needs a %s column", f->name,
              clv_col_name((clv_col)f->key[j]));
      goto done;
    }
  }
  if (f->time_keys == (2 | 4) && col[0] && col[1] && col[2]) {
    rc = build_int(f, col, w, n, d);
    if (rc != INT_NOT_APPLICABLE)
      goto done;
  }
  plain = mostly_distinct(f, col, n);
  rc = vtab_init(&rows, 3, plain ? 16 : n / 4 + 16);
  if (rc)
    goto done;
  if (plain) {
    rc = CLV_ENOMEM;
    for (int j = 0; j < 3; j++)
      if ((d->k[j] = big_alloc(n * sizeof(double))) == NULL)
        goto done;
    if ((d->w = big_alloc(n * sizeof(double))) == NULL)
      goto done;
  }
  for (size_t i = 0; i < n; i++) {
    double key[3];
    const char *why = "";
    uint32_t idx;
    for (int j = 0; j < 3; j++)
      key[j] = col[j] ? col[j][i] : 0.0;
    int use = f->row_use(key, &why);
    if (use < 0) {
      rc = CLV_EDOMAIN;
      set_err(err, rc, "customer %s (row %zu): %s", clv_summary_id(s, i, NULL),
              i + 1, why);
      goto done;
    }
    if (use == 0)
      continue;
    if (use == 2) {
      d->excluded += w[i];
      d->excluded_why = why;
      continue;
    }
    if (plain) {
      for (int j = 0; j < 3; j++)
        d->k[j][d->n] = key[j];
      d->w[d->n++] = w[i];
      continue;
    }
    rc = vtab_add(&rows, key, w[i], &idx);
    if (rc)
      goto done;
  }
  if ((plain ? d->n : rows.n) == 0) {
    rc = CLV_EEMPTY;
    set_err(err, rc, "no customer in the summary can be used by the %s model",
            f->name);
    goto done;
  }
  if (!plain) {
    d->n = rows.n;
    for (int j = 0; j < 3; j++)
      d->k[j] = malloc(d->n * sizeof(double));
    d->w = malloc(d->n * sizeof(double));
  }
  d->ix = big_alloc(d->n * sizeof(uint32_t));
  d->i1 = big_alloc(d->n * sizeof(uint32_t));
  d->i2 = big_alloc(d->n * sizeof(uint32_t));
  if (f->naux > 0)
    d->aux = big_alloc(d->n * (size_t)f->naux * sizeof(double));
  rc = CLV_ENOMEM;
  if (!d->k[0] || !d->k[1] || !d->k[2] || !d->w || !d->ix || !d->i1 || !d->i2 ||
      (f->naux > 0 && !d->aux))
    goto done;
  if ((rc = vtab_init(&xs, 1, 64)) || (rc = vtab_init(&ts, 1, 1024)))
    goto done;
  for (size_t i = 0; i < d->n; i++) {
    double key[3];
    if (plain) {
      for (int j = 0; j < 3; j++)
        key[j] = d->k[j][i];
    } else {
      for (int j = 0; j < 3; j++)
        key[j] = d->k[j][i] = rows.keys[3 * i + (size_t)j];
      d->w[i] = rows.w[i];
    }
    d->customers += d->w[i];
    /* Frequencies are small whole numbers: a direct array remembers where
     * each sits in xs, which saves hashing every row. */
    if (key[0] >= 0 && key[0] < X_DIRECT && key[0] == floor(key[0]) &&
        xdir[(size_t)key[0]] != 0) {
      d->ix[i] = xdir[(size_t)key[0]] - 1;
      xs.w[d->ix[i]] += d->w[i];
    } else {
      if ((rc = vtab_add(&xs, &key[0], d->w[i], &d->ix[i])))
        goto done;
      if (key[0] >= 0 && key[0] < X_DIRECT && key[0] == floor(key[0]))
        xdir[(size_t)key[0]] = d->ix[i] + 1;
    }
    d->i1[i] = d->i2[i] = 0;
    if ((f->time_keys & 2) && (rc = vtab_add(&ts, &key[1], 0, &d->i1[i])))
      goto done;
    if ((f->time_keys & 4) && (rc = vtab_add(&ts, &key[2], 0, &d->i2[i])))
      goto done;
  }
  d->nx = xs.n;
  d->xs = xs.keys;
  d->wx = xs.w;
  xs.keys = xs.w = NULL;
  d->nt = ts.n;
  d->ts = ts.keys;
  ts.keys = NULL;
  if (f->setup)
    f->setup(d);
  rc = CLV_OK;
done:
  vtab_free(&rows);
  vtab_free(&xs);
  vtab_free(&ts);
  if (rc)
    clv__data_free(d);
  return rc;
}

/* ---- the weighted log-likelihood, split over threads ----------------------
 */

typedef struct job {
  const clv__family *f;
  const clv__data *d;
  const double *p, *work;
  size_t begin, end;
  double ll, grad[CLV__MAXP];
} job;

static void *run_job(void *arg) {
  job *j = arg;
  j->ll = 0;
  memset(j->grad, 0, sizeof j->grad);
  j->f->ll_block(j->p, j->d, j->work, j->begin, j->end, &j->ll, j->grad);
  return NULL;
}

/* Below this many unique rows a second thread costs more than it saves
 * (thread start ~30 us against ~10 ns per row). */
#define THREAD_MIN_ROWS 20000
#define MAX_THREADS 8

int clv__data_loglik(const clv__family *f, const clv__data *d, const double *p,
                     double *work, int threads, double *ll, double *grad) {
  job jobs[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  int rc = f->prepare(p, d, work);
  if (rc)
    return rc;
  if (threads < 1 || d->n < THREAD_MIN_ROWS)
    threads = 1;
  if (threads > MAX_THREADS)
    threads = MAX_THREADS;
  for (int t = 0; t < threads; t++) {
    jobs[t] = (job){f,
                    d,
                    p,
                    work,
                    d->n * (size_t)t / (size_t)threads,
                    d->n * (size_t)(t + 1) / (size_t)threads,
                    0,
                    {0}};
  }
  for (int t = 1; t < threads; t++)
    started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
  run_job(&jobs[0]);
  /* A thread that could not start runs here instead: same result. */
  for (int t = 1; t < threads; t++) {
    if (started[t])
      pthread_join(tid[t], NULL);
    else
      run_job(&jobs[t]);
  }
  double sum = 0, g[CLV__MAXP] = {0};
  for (int t = 0; t < threads; t++) {
    sum += jobs[t].ll;
    for (int i = 0; i < f->np; i++)
      g[i] += jobs[t].grad[i];
  }
  if (!isfinite(sum))
    return CLV_ENUMERIC;
  *ll = sum;
  if (grad) {
    for (int i = 0; i < f->np; i++) {
      if (!isfinite(g[i]))
        return CLV_ENUMERIC;
      grad[i] = g[i];
    }
  }
  return CLV_OK;
}

/* ---- models ----------------------------------------------------------------
 */

clv_model *clv__model_alloc(const clv__family *f, clv_unit unit) {
  clv_model *m = calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;
  m->fam = f;
  m->unit = unit;
  for (int i = 0; i < CLV__MAXP; i++)
    m->se[i] = NAN;
  m->loglik = NAN;
  m->grad_norm = NAN;
  return m;
}

/* Appends a sentence to buf (size bytes), after a space unless sep is 0. */
static void note_append(char *buf, size_t size, int sep, const char *fmt,
                        va_list ap) {
  size_t len = strlen(buf);
  if (len + 2 >= size)
    return;
  if (len > 0 && sep) {
    buf[len++] = ' ';
    buf[len] = '\0';
  }
  vsnprintf(buf + len, size - len, fmt, ap);
}

void clv__model_note(clv_model *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  note_append(m->notes, sizeof m->notes, 1, fmt, ap);
  va_end(ap);
}

/* Chinese sentences end in a full-width stop and need no space between. */
void clv__model_note_zh(clv_model *m, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  note_append(m->notes_zh, sizeof m->notes_zh, 0, fmt, ap);
  va_end(ap);
}

int clv_model_new(const char *family, const double *params, clv_unit unit,
                  clv_model **out) {
  const clv__family *f = clv__family_find(family);
  if (out == NULL || params == NULL)
    return CLV_EINVAL;
  *out = NULL;
  if (f == NULL)
    return CLV_EMODEL;
  for (int i = 0; i < f->np; i++)
    if (!isfinite(params[i]) || !(params[i] > 0))
      return CLV_EDOMAIN;
  clv_model *m = clv__model_alloc(f, unit);
  if (m == NULL)
    return CLV_ENOMEM;
  memcpy(m->p, params, (size_t)f->np * sizeof(double));
  *out = m;
  return CLV_OK;
}

void clv_model_free(clv_model *m) {
  free(m);
}

const char *clv_model_family(const clv_model *m) {
  return m ? m->fam->name : "";
}
int clv_model_nparams(const clv_model *m) {
  return m ? m->fam->np : 0;
}
const char *clv_model_param_name(const clv_model *m, int i) {
  if (m == NULL || i < 0 || i >= m->fam->np)
    return "";
  return m->fam->pnames[i];
}
const double *clv_model_params(const clv_model *m) {
  return m ? m->p : NULL;
}
const double *clv_model_se(const clv_model *m) {
  return m ? m->se : NULL;
}
const double *clv_model_cov_log(const clv_model *m) {
  return m && m->has_cov ? m->cov : NULL;
}
double clv_model_loglik(const clv_model *m) {
  return m ? m->loglik : NAN;
}
double clv_model_customers(const clv_model *m) {
  return m ? m->customers : 0;
}
size_t clv_model_unique_rows(const clv_model *m) {
  return m ? m->unique : 0;
}
int clv_model_iterations(const clv_model *m) {
  return m ? m->iterations : 0;
}
int clv_model_evaluations(const clv_model *m) {
  return m ? m->evaluations : 0;
}
double clv_model_grad_norm(const clv_model *m) {
  return m ? m->grad_norm : NAN;
}
int clv_model_converged(const clv_model *m) {
  return m ? m->converged : 0;
}
double clv_model_penalty(const clv_model *m) {
  return m ? m->penalty : 0;
}
clv_unit clv_model_unit(const clv_model *m) {
  return m ? m->unit : CLV_UNIT_DAY;
}
int clv_model_at_limit(const clv_model *m) {
  return m ? m->at_limit : 0;
}

const char *clv_model_notes(const clv_model *m) {
  return m ? m->notes : "";
}

const char *clv_model_notes_zh(const clv_model *m) {
  if (m == NULL)
    return "";
  return m->notes_zh[0] || !m->notes[0] ? m->notes_zh : m->notes;
}
int clv_model_is_transaction(const clv_model *m) {
  return m && m->fam->kind == CLV__KIND_TX;
}

int clv_model_summary_loglik(const clv_model *m, const clv_summary *s,
                             double *ll) {
  clv__data d;
  double *work = NULL;
  int rc;
  if (m == NULL || s == NULL || ll == NULL)
    return CLV_EINVAL;
  clv__gsl_init();
  rc = clv__data_build(m->fam, s, &d, NULL);
  if (rc)
    return rc;
  work = malloc((m->fam->work_size(&d) + 1) * sizeof(double));
  rc =
      work ? clv__data_loglik(m->fam, &d, m->p, work, 2, ll, NULL) : CLV_ENOMEM;
  free(work);
  clv__data_free(&d);
  return rc;
}

int clv_model_row_loglik(const clv_model *m, const clv_summary *s,
                         double *out) {
  const double *col[3] = {NULL, NULL, NULL};
  if (m == NULL || s == NULL || out == NULL)
    return CLV_EINVAL;
  clv__gsl_init();
  for (int j = 0; j < 3; j++) {
    if (m->fam->key[j] < 0)
      continue;
    col[j] = clv_summary_col(s, (clv_col)m->fam->key[j]);
    if (col[j] == NULL)
      return CLV_ENOCOLUMN;
  }
  for (size_t i = 0; i < clv_summary_rows(s); i++) {
    double key[3];
    const char *why;
    for (int j = 0; j < 3; j++)
      key[j] = col[j] ? col[j][i] : 0.0;
    int use = m->fam->row_use(key, &why);
    if (use < 0)
      return CLV_EDOMAIN;
    out[i] = use == 1 ? m->fam->row_ll(m->p, key) : 0.0;
    if (!isfinite(out[i]))
      return CLV_ENUMERIC;
  }
  return CLV_OK;
}

/* ---- fitting
 * ------------------------------------------------------------------ */

void clv_fit_opts_init(clv_fit_opts *o) {
  if (o == NULL)
    return;
  o->penalty = 0.0;
  o->max_iter = 500;
  o->gtol = 1e-7;
  o->starts = 4;
  o->threads = 2;
  o->start = NULL;
}

typedef struct fit_ctx {
  const clv__family *f;
  const clv__data *d;
  double *work;
  int threads;
  double penalty, scale;
} fit_ctx;

/* The objective in log-parameters theta = log p, per customer:
 *   f(theta) = (-LL(exp(theta)) + lambda * sum theta_i^2) / N,
 * with the chain rule dLL/dtheta_i = p_i dLL/dp_i. Log-parameters keep every
 * parameter positive without constraints, and the penalty shrinks them
 * towards 1 (CLVTools' and lifetimes' L2 penaliser on the same scale). */
static int objective(void *ctx, const double *theta, double *f, double *g) {
  fit_ctx *c = ctx;
  double p[CLV__MAXP], grad[CLV__MAXP], ll;
  for (int i = 0; i < c->f->np; i++) {
    if (!(fabs(theta[i]) < 700))
      return CLV_EOVERFLOW;
    p[i] = exp(theta[i]);
  }
  int rc = clv__data_loglik(c->f, c->d, p, c->work, c->threads, &ll, grad);
  if (rc)
    return rc;
  double pen = 0;
  for (int i = 0; i < c->f->np; i++) {
    pen += theta[i] * theta[i];
    g[i] = (-grad[i] * p[i] + 2 * c->penalty * theta[i]) * c->scale;
  }
  *f = (-ll + c->penalty * pen) * c->scale;
  return CLV_OK;
}

/* The objective over a subset of the log-parameters, the others held at
 * theta: for a fit whose supremum lies at the edge of the domain, where the
 * parameters that ran off are fixed and the rest are fitted. */
typedef struct sub_ctx {
  fit_ctx *c;
  int np, nfree;
  int free_idx[CLV__MAXP];
  double theta[CLV__MAXP];
} sub_ctx;

static int sub_objective(void *ctx, const double *t, double *f, double *g) {
  sub_ctx *s = ctx;
  double th[CLV__MAXP], gf[CLV__MAXP];
  memcpy(th, s->theta, (size_t)s->np * sizeof(double));
  for (int k = 0; k < s->nfree; k++)
    th[s->free_idx[k]] = t[k];
  int rc = objective(s->c, th, f, gf);
  for (int k = 0; rc == CLV_OK && k < s->nfree; k++)
    g[k] = gf[s->free_idx[k]];
  return rc;
}

/* Start number k: 0 is the caller's or the family's; the others move every
 * log-parameter so that a bad basin is left behind. */
static void start_point(const double *base, int np, int k, double *theta) {
  static const double shift[] = {0.0, 1.0, -1.0, 2.0, -2.0, 3.0};
  for (int i = 0; i < np; i++) {
    double s = shift[k % 6];
    if (k >= 3 && (i % 2))
      s = -s; /* alternate directions on later starts */
    theta[i] = log(base[i]) + s;
  }
}

/* The parameters have run off to the boundary of their domain: the data do
 * not identify the model (e.g. nobody ever repeats), and whatever the
 * optimiser reports is not a maximum. */
#define THETA_EDGE 16.0 /* exp(16) ~ 9e6; exp(-16) ~ 1.1e-7 */
#define THETA_FAR 11.5  /* exp(11.5) ~ 1e5 */

/* A subsample of customers for start values, drawn systematically with
 * probability proportional to weight: with c = SUBSAMPLE_ROWS / customers, a
 * row of weight w >= 1/c (say the thousands of customers with x = 0 and the
 * same T) is kept whole, and the lighter rows are taken one customer at a
 * time, each worth 1/c customers, whenever their running sum of c w passes a
 * whole number. Every row's expected weight is its own, so the subsample's
 * log-likelihood estimates the full one without bias; and unlike every k-th
 * row with weight times k, no heavy row is in or out by chance, which keeps
 * the subsample's Hessian within a few per cent of the full data's (on 10
 * million customers the row sample missed by enough to stall the Newton
 * steps). The rows come in T order from the compression, so the sample is
 * also spread evenly over T. It shares the distinct-value tables of the full
 * data. */
#define SUBSAMPLE_MIN_ROWS 60000
#define SUBSAMPLE_ROWS 15000

/* Whether row i is in the sample and with which weight; acc carries the
 * running sum between calls. */
static int sample_pick(const clv__data *d, size_t i, double c, double *acc,
                       double *w) {
  double cw = c * d->w[i];
  if (cw >= 1) {
    *w = d->w[i];
    return 1;
  }
  *acc += cw;
  if (*acc < 1)
    return 0;
  *acc -= 1;
  *w = 1.0 / c;
  return 1;
}

static int subsample(const clv__family *f, const clv__data *d, clv__data *s) {
  double c = SUBSAMPLE_ROWS / d->customers, acc = 0.5, w;
  size_t n = 0;
  memset(s, 0, sizeof *s);
  for (size_t r = 0; r < d->n; r++)
    n += (size_t)sample_pick(d, r, c, &acc, &w);
  if (n == 0)
    return CLV_EEMPTY;
  for (int j = 0; j < 3; j++)
    s->k[j] = malloc(n * sizeof(double));
  s->w = malloc(n * sizeof(double));
  s->ix = malloc(n * sizeof(uint32_t));
  s->i1 = malloc(n * sizeof(uint32_t));
  s->i2 = malloc(n * sizeof(uint32_t));
  if (f->naux > 0)
    s->aux = malloc(n * (size_t)f->naux * sizeof(double));
  if (!s->k[0] || !s->k[1] || !s->k[2] || !s->w || !s->ix || !s->i1 || !s->i2 ||
      (f->naux > 0 && !s->aux))
    return CLV_ENOMEM;
  acc = 0.5;
  for (size_t r = 0, i = 0; r < d->n && i < n; r++) {
    if (!sample_pick(d, r, c, &acc, &w))
      continue;
    for (int j = 0; j < 3; j++)
      s->k[j][i] = d->k[j][r];
    s->w[i] = w;
    s->ix[i] = d->ix[r];
    s->i1[i] = d->i1[r];
    s->i2[i] = d->i2[r];
    for (int a = 0; a < f->naux; a++)
      s->aux[i * (size_t)f->naux + (size_t)a] =
          d->aux[r * (size_t)f->naux + (size_t)a];
    s->customers += s->w[i];
    s->n = ++i;
  }
  s->nx = d->nx;
  s->nt = d->nt;
  s->xs = d->xs;
  s->wx = d->wx;
  s->ts = d->ts;
  return CLV_OK;
}

static void subsample_free(clv__data *s) {
  s->xs = s->wx = s->ts = NULL; /* shared with the full data */
  clv__data_free(s);
}

/* A loose fit on a subsample when the data are large: on success base[]
 * holds its optimum (natural parameters) and Hinv the inverse of its
 * per-customer Hessian in log-parameters, which estimates the full data's
 * well enough for clv__chord() to finish the fit in a few evaluations.
 * Returns 1 on success, 0 when the data are small or the subsample fit
 * failed (base[] is then unchanged and the full fit starts from it). */
static int refine_start(const clv__family *f, const clv__data *d, double *work,
                        int threads, double penalty, double *base,
                        double *Hinv) {
  clv__data s;
  double theta[CLV__MAXP], H[CLV__MAXP * CLV__MAXP];
  int ok = 0;
  if (d->n < SUBSAMPLE_MIN_ROWS)
    return 0;
  if (subsample(f, d, &s) == CLV_OK && s.n > 0) {
    fit_ctx c = {f, &s, work, threads, penalty, 1.0 / s.customers};
    clv__optim_opts oo = {200, 1e-6};
    clv__optim_result res;
    for (int i = 0; i < f->np; i++)
      theta[i] = log(base[i]);
    if (clv__minimize(objective, &c, f->np, theta, &oo, &res) == CLV_OK &&
        res.converged &&
        clv__hessian(objective, &c, f->np, theta, 1e-4, H, NULL) == CLV_OK &&
        clv__spd_inverse(f->np, H, Hinv) == CLV_OK) {
      ok = 1;
      for (int i = 0; i < f->np; i++)
        ok &= fabs(theta[i]) < THETA_FAR;
      for (int i = 0; ok && i < f->np; i++)
        base[i] = exp(theta[i]);
    }
  }
  subsample_free(&s);
  return ok;
}

/*
 * The limit fit: the likelihood rises towards the edge of the domain (a
 * typical case: a year of a retailer's log in which hardly anyone seems to
 * have left, so the drop-out parameter of BG/NBD, MBG/NBD or Pareto/NBD runs
 * to zero and the model tends to its no-churn limit, the NBD). There is no
 * maximum inside the domain, but the supremum is well defined: the
 * parameters that ran off (beyond THETA_FAR on the log scale) are held where
 * they are, far enough out that the likelihood no longer changes, and the
 * others are fitted. theta is the best point reached and is updated.
 * Returns the number of parameters held, or -1 when none ran off or the rest
 * did not converge.
 */
static int boundary_fit(fit_ctx *ctx, const clv__family *f, int np,
                        double *theta, const clv__optim_opts *oo, int *iters,
                        int *evals) {
  sub_ctx sc;
  double t[CLV__MAXP];
  clv__optim_result res;
  memset(&sc, 0, sizeof sc);
  sc.c = ctx;
  sc.np = np;
  memcpy(sc.theta, theta, (size_t)np * sizeof(double));
  for (int i = 0; i < np; i++) {
    if (!(fabs(theta[i]) > THETA_FAR))
      sc.free_idx[sc.nfree++] = i;
    else if (!(f->dropout_params >> i & 1u))
      return -1;
  }
  if (sc.nfree == np || sc.nfree == 0)
    return -1;
  for (int k = 0; k < sc.nfree; k++)
    t[k] = theta[sc.free_idx[k]];
  /* A point that already meets the tolerance in the free parameters is
   * kept as it is: a line search from it can only fail to make progress. */
  double f0, g0[CLV__MAXP], gn = 0;
  (*evals)++;
  int rc = sub_objective(&sc, t, &f0, g0);
  for (int k = 0; rc == CLV_OK && k < sc.nfree; k++)
    gn += g0[k] * g0[k];
  if (rc != CLV_OK)
    return -1;
  if (sqrt(gn) > oo->gtol) {
    rc = clv__minimize(sub_objective, &sc, sc.nfree, t, oo, &res);
    *iters += res.iterations;
    *evals += res.evaluations;
    if (rc != CLV_OK || !res.converged)
      return -1;
  }
  for (int k = 0; k < sc.nfree; k++) {
    if (!(fabs(t[k]) < THETA_EDGE))
      return -1;
    theta[sc.free_idx[k]] = t[k];
  }
  return np - sc.nfree;
}

/* Says which parameters ran off in a limit fit, and what it means. */
static void boundary_note(clv_model *m, const clv__family *f,
                          const double *theta, int np) {
  char list[160] = "", list_zh[200] = "";
  size_t len = 0, len_zh = 0;
  for (int i = 0; i < np && len < sizeof list; i++)
    if (fabs(theta[i]) > THETA_FAR) {
      len += (size_t)snprintf(list + len, sizeof list - len, "%s%s %s %.3g",
                              len ? ", " : "", f->pnames[i],
                              theta[i] < 0 ? "ran down to" : "ran up to",
                              exp(theta[i]));
      if (len_zh < sizeof list_zh)
        len_zh +=
            (size_t)snprintf(list_zh + len_zh, sizeof list_zh - len_zh,
                             "%s%s %s %.3g", len_zh ? "，" : "", f->pnames[i],
                             theta[i] < 0 ? "降至" : "升至", exp(theta[i]));
    }
  clv__model_note(m,
                  "Limit fit: %s, the edge of the domain, where the "
                  "likelihood no longer changes (for a drop-out parameter: "
                  "the log shows almost no drop-out). No SEs.",
                  list);
  clv__model_note_zh(m,
                     "极限拟合：%s，到达定义域的边界，似然在此不再变化（对"
                     "流失参数而言：数据几乎没有流失）。无标准误。",
                     list_zh);
}

int clv_fit(const char *family, const clv_summary *s, const clv_fit_opts *o,
            clv_model **out, clv_error *err) {
  clv_fit_opts def;
  clv__data d;
  clv_model *m = NULL;
  double *work = NULL;
  double base[CLV__MAXP], theta[CLV__MAXP], best[CLV__MAXP];
  double H[CLV__MAXP * CLV__MAXP], inv[CLV__MAXP * CLV__MAXP];
  double Hinv[CLV__MAXP * CLV__MAXP];
  char why[256] = "", why_zh[256] = "";
  int rc, np, found = 0, iters = 0, evals = 0, refined = 0;
  /* The lowest objective reached by any start, converged or not: where the
   * likelihood's supremum is at the edge of the domain, no start converges
   * inside it, and this point is where the limit fit starts. */
  double near_theta[CLV__MAXP], near_f = INFINITY;
  int boundary = 0;
  memset(&d, 0, sizeof d);
  if (err)
    clv_error_clear(err);
  if (out == NULL || s == NULL) {
    rc = CLV_EINVAL;
    goto fail;
  }
  *out = NULL;
  clv__gsl_init();
  if (o == NULL) {
    clv_fit_opts_init(&def);
    o = &def;
  }
  const clv__family *f = clv__family_find(family);
  if (f == NULL) {
    rc = CLV_EMODEL;
    set_err(err, rc,
            "unknown model family \"%s\" (known: bgnbd, pnbd, mbgnbd, "
            "bgbb, gg)",
            family ? family : "");
    goto fail;
  }
  if (!(o->penalty >= 0) || o->max_iter < 1 || !(o->gtol > 0) ||
      o->starts < 1) {
    rc = CLV_EINVAL;
    set_err(err, rc, "invalid fit options");
    goto fail;
  }
  np = f->np;
  rc = clv__data_build(f, s, &d, err);
  if (rc)
    goto fail;
  work = malloc((f->work_size(&d) + 1) * sizeof(double));
  m = clv__model_alloc(f, clv_summary_unit(s));
  if (work == NULL || m == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  if (d.excluded > 0) {
    clv__model_note(m, "%.0f customers left out of the fit: %s", d.excluded,
                    d.excluded_why);
    clv__model_note_zh(m, "%.0f 位客户未参与拟合：%s", d.excluded,
                       f->excluded_why_zh ? f->excluded_why_zh
                                          : d.excluded_why);
  }
  if (o->start) {
    for (int i = 0; i < np; i++)
      if (!(o->start[i] > 0) || !isfinite(o->start[i])) {
        rc = CLV_EINVAL;
        set_err(err, rc, "start value of %s must be a positive number",
                f->pnames[i]);
        goto fail;
      }
    memcpy(base, o->start, (size_t)np * sizeof(double));
  } else {
    f->start(&d, base);
    refined = refine_start(f, &d, work, o->threads, o->penalty, base, Hinv);
  }
  fit_ctx ctx = {f, &d, work, o->threads, o->penalty, 1.0 / d.customers};
  clv__optim_opts oo = {o->max_iter, o->gtol};
  for (int k = 0; k < o->starts && !found; k++) {
    clv__optim_result res;
    start_point(base, np, k, theta);
    rc = CLV_ENUMERIC;
    if (k == 0 && refined) {
      /* Newton with the subsample's Hessian; BFGS if that stalls. */
      rc = clv__chord(objective, &ctx, np, theta, Hinv, &oo, &res);
      iters += res.iterations;
      evals += res.evaluations;
      /* On a stall BFGS goes on from the better point reached. */
    }
    if (rc != CLV_OK || !res.converged) {
      rc = clv__minimize(objective, &ctx, np, theta, &oo, &res);
      iters += res.iterations;
      evals += res.evaluations;
    }
    if (rc == CLV_ENOMEM)
      goto fail;
    const char *reason =
        rc ? "the likelihood is not finite at the start" : res.why;
    const char *reason_zh = rc ? "起始点处的似然不是有限值" : res.why_zh;
    if (rc == CLV_OK && res.f < near_f) {
      near_f = res.f;
      memcpy(near_theta, theta, sizeof theta);
    }
    for (int i = 0; rc == CLV_OK && res.converged && i < np; i++) {
      if (fabs(theta[i]) > THETA_EDGE) {
        snprintf(why, sizeof why,
                 "parameter %s ran to %.3g, the edge of its domain: the data "
                 "do not identify the model",
                 f->pnames[i], exp(theta[i]));
        snprintf(why_zh, sizeof why_zh,
                 "参数 %s 跑到了 %.3g，即其定义域的边界：数据无法识别该模型",
                 f->pnames[i], exp(theta[i]));
        res.converged = 0;
        reason = why;
        reason_zh = why_zh;
      }
    }
    if (rc == CLV_OK && res.converged) {
      found = 1;
      memcpy(best, theta, sizeof theta);
      m->iterations = res.iterations;
      m->grad_norm = res.grad_norm;
      if (k > 0) {
        clv__model_note(m, "Converged from start %d of %d.", k + 1, o->starts);
        clv__model_note_zh(m, "从第 %d 个起点（共 %d 个）收敛。", k + 1,
                           o->starts);
      }
      break;
    }
    if (reason != why) {
      snprintf(why, sizeof why, "%s", reason ? reason : "did not converge");
      snprintf(why_zh, sizeof why_zh, "%s",
               reason && reason_zh ? reason_zh : "未收敛");
    }
    clv__model_note(m, "Start %d did not converge: %s.", k + 1, why);
    clv__model_note_zh(m, "第 %d 个起点未收敛：%s。", k + 1, why_zh);
  }
  m->evaluations = evals;
  if (!found && near_f < INFINITY) {
    int bi = boundary_fit(&ctx, f, np, near_theta, &oo, &iters, &evals);
    if (bi >= 0) {
      found = boundary = 1;
      memcpy(best, near_theta, sizeof near_theta);
      m->iterations = iters;
      m->evaluations = evals;
      boundary_note(m, f, best, np);
    }
  }
  if (!found) {
    rc = CLV_ENOCONV;
    set_err(err, rc,
            "the %s fit did not converge from %d start%s (%d iterations); "
            "last: %s",
            f->name, o->starts, o->starts > 1 ? "s" : "", iters, why);
    goto fail;
  }
  for (int i = 0; i < np; i++)
    m->p[i] = exp(best[i]);
  rc = clv__data_loglik(f, &d, m->p, work, o->threads, &m->loglik, NULL);
  if (rc)
    goto fail;
  /* Standard errors: the Hessian of the total (not per-customer) objective
   * in theta by central differences of the analytic gradient; cov(theta) is
   * its inverse and the delta method gives se(p_i) = p_i se(theta_i). */
  ctx.scale = 1.0;
  if (boundary) {
    /* At the edge the likelihood is flat in the directions that ran off,
     * so the Hessian has no inverse: standard errors are left unknown (and
     * intervals, which need the covariance, unavailable). */
    for (int i = 0; i < np; i++)
      m->se[i] = NAN;
  } else if (clv__hessian(objective, &ctx, np, best, 1e-4, H,
                          &m->evaluations) == CLV_OK &&
             clv__spd_inverse(np, H, inv) == CLV_OK) {
    for (int i = 0; i < np; i++)
      m->se[i] = m->p[i] * sqrt(inv[i * np + i]);
    /* Kept whole for the parameter bootstrap of prediction intervals
     * (interval.c), which needs the correlations, not only the SEs. */
    memcpy(m->cov, inv, (size_t)(np * np) * sizeof(double));
    m->has_cov = 1;
  } else {
    /* A flat direction at a point where a parameter has also wandered far
     * out (beyond 1e5 or below 1e-5) is the signature of a supremum at the
     * edge of the domain, not a maximum: refuse it. Otherwise keep the fit
     * and say that the standard errors are unknown. */
    int far = 0;
    for (int i = 0; i < np; i++)
      far |= fabs(best[i]) > THETA_FAR;
    if (far) {
      /* A converged point far out with a flat direction: the supremum is at
       * the edge, the same case as above. */
      ctx.scale = 1.0 / d.customers; /* the fit's per-customer scale */
      int bi = boundary_fit(&ctx, f, np, best, &oo, &iters, &m->evaluations);
      if (bi < 0) {
        rc = CLV_ENOCONV;
        set_err(err, rc,
                "the %s likelihood has no maximum inside the parameter "
                "domain and no limit fit converged: the data do not "
                "identify the model",
                f->name);
        goto fail;
      }
      for (int i = 0; i < np; i++) {
        m->p[i] = exp(best[i]);
        m->se[i] = NAN;
      }
      rc = clv__data_loglik(f, &d, m->p, work, o->threads, &m->loglik, NULL);
      if (rc)
        goto fail;
      boundary_note(m, f, best, np);
      boundary = 1;
    } else {
      clv__model_note(m, "The Hessian is not positive definite: standard "
                         "errors are unknown.");
      clv__model_note_zh(m, "海森矩阵不是正定的：标准误未知。");
    }
  }
  m->customers = d.customers;
  m->unique = d.n;
  m->converged = 1;
  m->at_limit = boundary;
  m->penalty = o->penalty;
  *out = m;
  m = NULL;
  rc = CLV_OK;
fail:
  clv_model_free(m);
  free(work);
  clv__data_free(&d);
  return rc;
}

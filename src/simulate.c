/*
 * simulate.c - draws customers from the "buy till you die" models with
 * Gamma-Gamma spend: the model families, one customer's purchase process,
 * the worker threads, and the summary-table and latent-value outputs (the
 * CSV log is in simulate_log.c).
 *
 * Purchase process: BG/NBD (Fader, Hardie & Lee 2005, Marketing Science
 * 24(2)), MBG/NBD (Batislam, Denizel & Filiztekin 2007, IJRM 24(3)) and
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987, Management Science
 * 33(1)). Spend: the Gamma-Gamma model (Fader, Hardie & Lee 2005, JMR 42(4);
 * Fader & Hardie 2013, note 025). A family is one row of `families[]`: how
 * to draw its latent rates and where its drop-out coin is tossed.
 *
 * Every customer draws from its own random stream, derived from (seed,
 * customer index), so that the output does not depend on the thread count.
 */
#include "simulate.h"
#include "special.h"
#include "textout.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* ---- model families ------------------------------------------------------ */

/* BG/NBD and MBG/NBD: lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b) (FHL
 * 2005 assumptions ii and iv). GSL's gamma takes a scale, hence 1/alpha. */
static void draw_bg(const double *k, gsl_rng *r, sim_customer *c) {
  c->lambda = gsl_ran_gamma(r, k[0], 1.0 / k[1]);
  c->dropout = gsl_ran_beta(r, k[2], k[3]);
  c->lifetime = INFINITY;
}

/* Pareto/NBD: lambda ~ Gamma(r, rate alpha), mu ~ Gamma(s, rate beta), and
 * the lifetime is exponential with rate mu (SMC 1987 assumptions). */
static void draw_pnbd(const double *k, gsl_rng *r, sim_customer *c) {
  c->lambda = gsl_ran_gamma(r, k[0], 1.0 / k[1]);
  c->dropout = gsl_ran_gamma(r, k[2], 1.0 / k[3]);
  c->lifetime =
      c->dropout > 0 ? gsl_ran_exponential(r, 1.0 / c->dropout) : INFINITY;
}

/* Default parameters are the CDNOW 1/10 sample fits in weeks (published.md
 * sections 1, 2 and 7). */
static const family families[] = {
    {"bgnbd",
     {"r", "alpha", "a", "b"},
     {0.243, 4.414, 0.793, 2.426},
     draw_bg,
     0,
     1},
    {"mbgnbd",
     {"r", "alpha", "a", "b"},
     {0.525, 6.183, 0.891, 1.614},
     draw_bg,
     1,
     1},
    {"pnbd",
     {"r", "alpha", "s", "beta"},
     {0.553, 10.578, 0.606, 11.669},
     draw_pnbd,
     0,
     0},
};

static const family *find_family(const char *name) {
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
    if (strcmp(families[i].name, name) == 0)
      return &families[i];
  return NULL;
}

void clv_sim_opts_init(clv_sim_opts *o) {
  if (o == NULL)
    return;
  memset(o, 0, sizeof *o);
  o->family = families[0].name;
  memcpy(o->params, families[0].defaults, sizeof o->params);
  o->p = 6.25;
  o->q = 3.74;
  o->gamma = 15.44;
  o->unit = CLV_UNIT_WEEK;
  o->customers = 1000;
  o->start_day = clv_day_from_ymd(2024, 1, 1);
  o->span = 78;
  o->birth_span = 12;
  o->seed = 1;
  o->with_time = 1;
  o->order = CLV_SIM_CHRONOLOGICAL;
}

int clv_sim_opts_set_family(clv_sim_opts *o, const char *name) {
  const family *f = find_family(name);
  if (o == NULL)
    return CLV_EINVAL;
  if (f == NULL)
    return CLV_EMODEL;
  o->family = f->name;
  memcpy(o->params, f->defaults, sizeof o->params);
  return CLV_OK;
}

const char *const *clv_sim_param_names(const char *name) {
  const family *f = find_family(name);
  return f ? f->param_names : NULL;
}

/* ---- the simulation context and its workers ------------------------------ */

int clv__sim_grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap)
    return CLV_OK;
  size_t c = *cap ? *cap : 64;
  while (c < need)
    c *= 2;
  void *q = realloc(*p, c * elem);
  if (q == NULL)
    return CLV_ENOMEM;
  *p = q;
  *cap = c;
  return CLV_OK;
}

static int valid_positive(double v) {
  return isfinite(v) && v > 0;
}

static int valid_rate(double v) {
  return isfinite(v) && v >= 0 && v < 1;
}

/*
 * Checks the options and fills the context. `log_mode` also requires a unit
 * with a length in days and a window whose dates print as 4-digit years.
 */
int clv__sim_setup(sim *s, const clv_sim_opts *o, int log_mode) {
  memset(s, 0, sizeof *s);
  clv__gsl_init(); /* GSL must return errors, not abort */
  if (o == NULL)
    return CLV_EINVAL;
  s->o = o;
  s->fam = find_family(o->family);
  if (s->fam == NULL)
    return CLV_EMODEL;
  for (int k = 0; k < 4; k++)
    if (!valid_positive(o->params[k]))
      return CLV_EINVAL;
  if (!valid_positive(o->p) || !valid_positive(o->q) ||
      !valid_positive(o->gamma) || !valid_positive(o->span) ||
      !isfinite(o->birth_span) || o->birth_span < 0 ||
      o->birth_span > o->span || !valid_rate(o->refund_rate) ||
      !valid_rate(o->malformed_rate) || o->threads < 0 ||
      (o->order != CLV_SIM_CHRONOLOGICAL && o->order != CLV_SIM_BY_CUSTOMER))
    return CLV_EINVAL;
  if (log_mode) {
    s->unit_days = clv_unit_days(o->unit);
    if (!(s->unit_days > 0))
      return CLV_EINVAL;
    double days = ceil(o->span * s->unit_days - 1e-9);
    /* About 270 years: far beyond any shop, and day counters stay small. */
    if (days < 1 || days > 100000)
      return CLV_EINVAL;
    s->ndays = (int32_t)days;
    int y0, y1;
    if (o->start_day > INT32_MAX - s->ndays)
      return CLV_EINVAL;
    clv_day_to_ymd(o->start_day, &y0, NULL, NULL);
    clv_day_to_ymd(o->start_day + s->ndays - 1, &y1, NULL, NULL);
    if (y0 < 1 || y1 > 9999)
      return CLV_EINVAL;
  }
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  int n = o->threads > 0 ? o->threads : (cpus > 0 ? (int)cpus : 1);
  if (n > MAX_THREADS)
    n = MAX_THREADS;
  /* Threads only pay for themselves with a few thousand customers each. */
  uint64_t useful = o->customers / 2048 + 1;
  if ((uint64_t)n > useful)
    n = (int)useful;
  s->nthreads = n;
  for (int t = 0; t < n; t++) {
    s->w[t].s = s;
    for (int k = 0; k < STREAM_COUNT; k++) {
      s->w[t].rng[k] = clv__rng_new();
      if (s->w[t].rng[k] == NULL)
        return CLV_ENOMEM;
    }
  }
  return CLV_OK;
}

void clv__sim_teardown(sim *s) {
  for (int t = 0; t < MAX_THREADS; t++) {
    worker *w = &s->w[t];
    for (int k = 0; k < STREAM_COUNT; k++)
      gsl_rng_free(w->rng[k]);
    free(w->buy);
    free(w->rows);
    free(w->text);
    free(w->slot);
    free(w->scratch);
    free(w->sec_count);
    for (int c = 0; c < 6; c++)
      free(w->col[c]);
  }
  free(s->dates);
  if (s->recs != NULL)
    munmap(s->recs, s->recs_bytes);
  free(s->day_start);
}

/* The context is aligned like its workers (malloc only promises 16). */
sim *clv__sim_new(void) {
  size_t size = (sizeof(sim) + 63) / 64 * 64;
  return aligned_alloc(64, size);
}

static void *trampoline(void *arg) {
  worker *w = arg;
  w->s->task(w);
  return NULL;
}

/* Runs s->task on workers 0..n-1, in threads when it can; a thread that
 * cannot be started runs its task here instead (the result is the same). */
void clv__sim_run(sim *s, int n, void (*task)(worker *w)) {
  pthread_t tid[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  s->task = task;
  for (int t = 1; t < n; t++)
    started[t] = pthread_create(&tid[t], NULL, trampoline, &s->w[t]) == 0;
  task(&s->w[0]);
  for (int t = 1; t < n; t++) {
    if (started[t])
      pthread_join(tid[t], NULL);
    else
      task(&s->w[t]);
  }
}

int clv__sim_status(const sim *s, int n) {
  for (int t = 0; t < n; t++)
    if (s->w[t].status != CLV_OK)
      return s->w[t].status;
  return CLV_OK;
}

void clv__sim_progress(const sim *s, double done) {
  if (s->o->progress != NULL)
    s->o->progress(s->o->progress_ctx, done);
}

/* Gives worker t the t-th of nthreads nearly equal, consecutive ranges. */
void clv__sim_split(sim *s) {
  uint64_t n = s->o->customers, T = (uint64_t)s->nthreads;
  uint64_t q = n / T, r = n % T;
  for (uint64_t t = 0; t < T; t++) {
    s->w[t].lo = q * t + (t < r ? t : r);
    s->w[t].hi = s->w[t].lo + q + (t < r ? 1 : 0);
  }
}

/* ---- the purchase process of one customer -------------------------------- */

static int add_purchase(worker *w, double t) {
  if (w->nbuy >= MAX_PURCHASES)
    return CLV_EOVERFLOW;
  if (clv__sim_grow((void **)&w->buy, &w->buy_cap, w->nbuy + 1, sizeof *w->buy))
    return CLV_ENOMEM;
  w->buy[w->nbuy].t = t;
  w->buy[w->nbuy].z = 0;
  w->nbuy++;
  return CLV_OK;
}

/*
 * Draws customer i: latent values into *c, purchases (first one included)
 * into w->buy, in time order, all before the window end. The order of the
 * draws is part of the output's definition. The process stream gives the
 * rates, the birth, then per repeat purchase its gap and the drop-out coin;
 * the spend stream gives nu and then the value of each purchase in order.
 * Keeping the values apart lets the first pass of the chronological log,
 * which only needs dates, skip them; with values == 0, nu and every z are 0.
 */
int clv__sim_customer(worker *w, uint64_t i, sim_customer *c, int values) {
  const clv_sim_opts *o = w->s->o;
  const family *f = w->s->fam;
  gsl_rng *r = w->rng[STREAM_PROCESS];
  int rc;
  clv__rng_seed(r, o->seed, STREAM_PROCESS, i);
  f->draw(o->params, r, c);
  c->birth = o->birth_span > 0 ? o->birth_span * gsl_rng_uniform(r) : 0.0;
  c->death = INFINITY;
  c->nu = 0;
  double end = o->span;
  /* Pareto/NBD: purchases stop at the end of the exponential lifetime. */
  if (c->birth + c->lifetime < end) {
    end = c->birth + c->lifetime;
    c->death = end;
  }
  double t = c->birth;
  w->nbuy = 0;
  rc = add_purchase(w, t);
  /* MBG/NBD: the customer may drop out right after the first purchase. */
  if (rc == CLV_OK && f->coin_after_first && gsl_rng_uniform(r) < c->dropout) {
    c->death = t;
  } else if (rc == CLV_OK && c->lambda > 0) {
    double mean_gap = 1.0 / c->lambda;
    for (;;) {
      t += gsl_ran_exponential(r, mean_gap);
      if (!(t < end))
        break;
      if ((rc = add_purchase(w, t)) != CLV_OK)
        break;
      if (f->coin_after_repeat && gsl_rng_uniform(r) < c->dropout) {
        c->death = t;
        break;
      }
    }
  }
  if (rc != CLV_OK || !values)
    return rc;
  /* Gamma-Gamma: nu ~ Gamma(q, rate gamma), z ~ Gamma(p, rate nu). */
  gsl_rng *v = w->rng[STREAM_SPEND];
  clv__rng_seed(v, o->seed, STREAM_SPEND, i);
  c->nu = gsl_ran_gamma(v, o->q, 1.0 / o->gamma);
  double scale = 1.0 / c->nu;
  for (size_t j = 0; j < w->nbuy; j++)
    w->buy[j].z = gsl_ran_gamma(v, o->p, scale);
  return CLV_OK;
}

/* Two digits per division: ids and amounts are a good part of the log's
 * formatting time. */
char *clv__sim_put_u64(char *p, uint64_t v, int min_digits) {
  const char *pairs = clv__digit_pairs;
  char tmp[24];
  int n = 24;
  while (v >= 100) {
    unsigned d = (unsigned)(v % 100) * 2;
    v /= 100;
    tmp[--n] = pairs[d + 1];
    tmp[--n] = pairs[d];
  }
  if (v >= 10) {
    tmp[--n] = pairs[v * 2 + 1];
    tmp[--n] = pairs[v * 2];
  } else {
    tmp[--n] = (char)('0' + v);
  }
  while (24 - n < min_digits && n > 0)
    tmp[--n] = '0';
  memcpy(p, tmp + n, (size_t)(24 - n));
  return p + (24 - n);
}

/* ---- summary and truth --------------------------------------------------- */

enum { SC_X, SC_TX, SC_T, SC_M, SC_SPEND, SC_ORDERS };

static void task_summary(worker *w) {
  const sim *s = w->s;
  double f = s->time_factor, span = s->o->span;
  for (uint64_t i = w->lo; i < w->hi && w->status == CLV_OK; i++) {
    sim_customer c;
    w->status = clv__sim_customer(w, i, &c, 1);
    if (w->status != CLV_OK)
      break;
    double repeat = 0, first = w->buy[0].z;
    for (size_t j = 1; j < w->nbuy; j++)
      repeat += w->buy[j].z;
    size_t x = w->nbuy - 1, r = (size_t)(i - w->lo);
    w->col[SC_X][r] = (double)x;
    w->col[SC_TX][r] = (w->buy[x].t - c.birth) * f;
    w->col[SC_T][r] = (span - c.birth) * f;
    w->col[SC_M][r] = x > 0 ? repeat / (double)x : 0.0;
    w->col[SC_SPEND][r] = first + repeat;
    w->col[SC_ORDERS][r] = (double)w->nbuy;
  }
}

/* The factor that converts times in `from` into `to`; CLV_EINVAL when one
 * of them is an abstract period and they differ. */
static int time_factor(clv_unit from, clv_unit to, double *f) {
  if (from == to) {
    *f = 1.0;
    return CLV_OK;
  }
  double a = clv_unit_days(from), b = clv_unit_days(to);
  if (!(a > 0) || !(b > 0))
    return CLV_EINVAL;
  *f = a / b;
  return CLV_OK;
}

static int append_block(const sim *s, clv_summary *out) {
  char id[24];
  for (int t = 0; t < s->nthreads; t++) {
    const worker *w = &s->w[t];
    for (uint64_t i = w->lo; i < w->hi; i++) {
      size_t r = (size_t)(i - w->lo);
      clv_summary_row sr;
      memset(&sr, 0, sizeof sr);
      sr.v[CLV_COL_X] = w->col[SC_X][r];
      sr.v[CLV_COL_TX] = w->col[SC_TX][r];
      sr.v[CLV_COL_T] = w->col[SC_T][r];
      sr.v[CLV_COL_M] = w->col[SC_M][r];
      sr.v[CLV_COL_WEIGHT] = 1.0;
      sr.v[CLV_COL_TOTAL_SPEND] = w->col[SC_SPEND][r];
      sr.v[CLV_COL_ORDERS] = w->col[SC_ORDERS][r];
      char *p = id;
      if (!s->o->plain_ids)
        *p++ = 'C';
      p = clv__sim_put_u64(p, i + 1, s->o->plain_ids ? 1 : 7);
      int rc = clv_summary_append(out, id, (size_t)(p - id), &sr);
      /* A non-finite value here means an overflowing draw (for example a
       * spend of 1e308), which the caller should hear about as such. */
      if (rc == CLV_EDOMAIN)
        return CLV_EOVERFLOW;
      if (rc)
        return rc;
    }
  }
  return CLV_OK;
}

int clv_simulate_summary(const clv_sim_opts *o, clv_unit unit,
                         clv_summary **out) {
  sim *s = clv__sim_new();
  clv_summary *sum = NULL;
  int rc;
  if (out != NULL)
    *out = NULL;
  if (s == NULL)
    return CLV_ENOMEM;
  rc = clv__sim_setup(s, o, 0);
  if (rc == CLV_OK && out == NULL)
    rc = CLV_EINVAL;
  if (rc == CLV_OK)
    rc = time_factor(o->unit, unit, &s->time_factor);
  for (int t = 0; rc == CLV_OK && t < s->nthreads; t++)
    for (int c = 0; c < 6 && rc == CLV_OK; c++)
      if ((s->w[t].col[c] = malloc(BATCH_CUSTOMERS * sizeof(double))) == NULL)
        rc = CLV_ENOMEM;
  if (rc == CLV_OK)
    rc = clv_summary_new(&sum, unit,
                         (1u << CLV_COL_M) | (1u << CLV_COL_TOTAL_SPEND) |
                             (1u << CLV_COL_ORDERS),
                         (size_t)o->customers);
  if (rc != CLV_OK)
    goto done;
  int T = s->nthreads;
  uint64_t n = o->customers;
  for (uint64_t base = 0; base < n;) {
    for (int t = 0; t < T; t++) {
      uint64_t lo = base + (uint64_t)t * BATCH_CUSTOMERS;
      s->w[t].lo = lo < n ? lo : n;
      s->w[t].hi = lo + BATCH_CUSTOMERS < n ? lo + BATCH_CUSTOMERS : n;
    }
    clv__sim_run(s, T, task_summary);
    if ((rc = clv__sim_status(s, T)) != CLV_OK)
      goto done;
    if ((rc = append_block(s, sum)) != CLV_OK)
      goto done;
    base = s->w[T - 1].hi;
    clv__sim_progress(s, (double)base / (double)n);
  }
  /* The window's last day, when the unit has a length in days. */
  double ud = clv_unit_days(o->unit);
  if (ud > 0 && o->span * ud < 1e6)
    clv_summary_set_days(sum, o->start_day + (int32_t)ceil(o->span * ud) - 1,
                         INT32_MIN);
  *out = sum;
  sum = NULL;
done:
  clv_summary_free(sum);
  clv__sim_teardown(s);
  free(s);
  return rc;
}

static void task_truth(worker *w) {
  const clv_sim_truth *tr = w->truth;
  for (uint64_t i = w->lo; i < w->hi && w->status == CLV_OK; i++) {
    sim_customer c;
    w->status = clv__sim_customer(w, i, &c, 1);
    if (w->status != CLV_OK)
      break;
    if (tr->birth)
      tr->birth[i] = c.birth;
    if (tr->lambda)
      tr->lambda[i] = c.lambda;
    if (tr->dropout)
      tr->dropout[i] = c.dropout;
    if (tr->death)
      tr->death[i] = c.death;
    if (tr->nu)
      tr->nu[i] = c.nu;
  }
}

int clv_simulate_truth(const clv_sim_opts *o, const clv_sim_truth *truth) {
  sim *s = clv__sim_new();
  int rc;
  if (s == NULL)
    return CLV_ENOMEM;
  rc = clv__sim_setup(s, o, 0);
  if (rc == CLV_OK && truth == NULL)
    rc = CLV_EINVAL;
  if (rc != CLV_OK)
    goto done;
  clv__sim_split(s);
  for (int t = 0; t < s->nthreads; t++)
    s->w[t].truth = truth;
  clv__sim_run(s, s->nthreads, task_truth);
  rc = clv__sim_status(s, s->nthreads);
done:
  clv__sim_teardown(s);
  free(s);
  return rc;
}

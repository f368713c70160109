/*
 * remind.c - reorder reminders over a scored base (clv/remind.h).
 *
 * The habitual side follows the replenishment rule of retail CRMs: a
 * customer (or a customer's product) is due one typical interval after the
 * last purchase, the typical interval being the median gap between purchase
 * days. The model side is the purchase model's median time to the next
 * purchase given alive (clv_next_purchase(), the BTYD papers' conditional
 * distributions) and P(alive). docs/remind.md gives the rules and an
 * example.
 */
#include "clv/remind.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "textout.h"

#define WEEK_DAYS 7

const char *clv_interval_source_name(clv_interval_source s) {
  static const char *const names[] = {"median_gap", "mean_gap", "population",
                                      "none"};
  return (unsigned)s < 4 ? names[s] : "none";
}

const char *clv_remind_status_label(clv_remind_status s, int zh) {
  static const char *const en[] = {"not yet due", "due this week", "overdue",
                                   "unknown"};
  static const char *const cn[] = {"未到期", "本周到期", "已逾期", "未知"};
  if ((unsigned)s >= CLV_REMIND__COUNT)
    s = CLV_REMIND_UNKNOWN;
  return zh ? cn[s] : en[s];
}

void clv_remind_opts_init(clv_remind_opts *o) {
  o->on_day = INT32_MIN;
  o->week_of = INT32_MIN;
  o->min_p_alive = 0.5;
}

void clv_remind_free(clv_remind *r) {
  if (r == NULL)
    return;
  free(r->cust);
  free(r->items);
  free(r->contact);
  free(r);
}

/* A purchase row of one customer: its day and product key. */
typedef struct buy {
  int32_t day;
  uint32_t product;
} buy;

static int cmp_day(const void *a, const void *b) {
  const buy *x = a, *y = b;
  return (x->day > y->day) - (x->day < y->day);
}

static int cmp_product_day(const void *a, const void *b) {
  const buy *x = a, *y = b;
  if (x->product != y->product)
    return (x->product > y->product) - (x->product < y->product);
  return (x->day > y->day) - (x->day < y->day);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of v[0..n) (sorted in place); NaN when n == 0. */
static double median(double *v, size_t n) {
  if (n == 0)
    return NAN;
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The gaps between the distinct days of the sorted days d[0..n) go to
 * gaps; returns how many (distinct days - 1), and the last day. */
static size_t day_gaps(const buy *d, size_t n, double *gaps, int32_t *last) {
  size_t g = 0;
  for (size_t k = 1; k < n; k++)
    if (d[k].day != d[k - 1].day)
      gaps[g++] = (double)d[k].day - d[k - 1].day;
  *last = n ? d[n - 1].day : INT32_MIN;
  return g;
}

static int32_t add_days(int32_t day, double days) {
  if (!isfinite(days) || day == INT32_MAX || days > 1e7)
    return INT32_MAX;
  return day + (int32_t)lround(days);
}

static clv_remind_status status_on(int32_t due, int32_t on, int32_t *over) {
  *over = 0;
  if (due == INT32_MAX)
    return CLV_REMIND_UNKNOWN;
  if (due < on) {
    *over = on - due;
    return CLV_REMIND_OVERDUE;
  }
  return due <= on + WEEK_DAYS - 1 ? CLV_REMIND_DUE : CLV_REMIND_NOT_DUE;
}

/* Scratch of one computation, freed in one place. */
typedef struct work {
  size_t *start; /* customer -> first buy in `buys` (customers + 1) */
  buy *buys;
  double *gaps;
  double *own; /* customers' own intervals, for the population median */
} work;

/* Groups the purchase rows (positive amount, up to the as-of day) of the
 * customers in the summary by customer number (a counting sort). */
static int group_buys(const clv_base *b, work *w, size_t *nbuys) {
  const clv_orders *o = b->orders;
  size_t rows = clv_orders_rows(o), nc = b->customers;
  const uint32_t *cu = clv_orders_customer(o);
  const int32_t *day = clv_orders_day(o);
  const double *amt = clv_orders_amount(o);
  const uint32_t *prod = clv_orders_key(o, CLV_ATTR_PRODUCT);
  w->start = calloc(nc + 1, sizeof *w->start);
  if (w->start == NULL)
    return CLV_ENOMEM;
  size_t n = 0;
  for (size_t i = 0; i < rows; i++)
    if (cu[i] < nc && day[i] <= b->as_of_day && amt[i] > 0 &&
        b->row_of[cu[i]] != SIZE_MAX) {
      w->start[cu[i] + 1]++;
      n++;
    }
  for (size_t c = 0; c < nc; c++)
    w->start[c + 1] += w->start[c];
  w->buys = malloc((n ? n : 1) * sizeof *w->buys);
  w->gaps = malloc((n ? n : 1) * sizeof *w->gaps);
  size_t *fill = malloc((nc ? nc : 1) * sizeof *fill);
  if (w->buys == NULL || w->gaps == NULL || fill == NULL) {
    free(fill);
    return CLV_ENOMEM;
  }
  memcpy(fill, w->start, nc * sizeof *fill);
  for (size_t i = 0; i < rows; i++)
    if (cu[i] < nc && day[i] <= b->as_of_day && amt[i] > 0 &&
        b->row_of[cu[i]] != SIZE_MAX) {
      buy *p = &w->buys[fill[cu[i]]++];
      p->day = day[i];
      p->product = prod ? prod[i] : CLV_NO_KEY;
    }
  free(fill);
  *nbuys = n;
  return CLV_OK;
}

/* The repeating products of customer c: appends items (growing *items) and
 * sets the customer's suggested product. The slice is re-sorted by product
 * then day. */
static int product_items(clv_remind *r, clv_remind_customer *rc, buy *d,
                         size_t n, double *gaps, size_t *cap) {
  qsort(d, n, sizeof *d, cmp_product_day);
  int best_days = 1;
  int32_t best_last = INT32_MIN;
  for (size_t k = 0; k < n;) {
    size_t e = k;
    while (e < n && d[e].product == d[k].product)
      e++;
    if (d[k].product != CLV_NO_KEY) {
      int32_t last;
      size_t g = day_gaps(d + k, e - k, gaps, &last);
      if (g >= 1) {
        if (r->n_items == *cap) {
          size_t nc = *cap ? 2 * *cap : 64;
          clv_remind_item *p = realloc(r->items, nc * sizeof *p);
          if (p == NULL)
            return CLV_ENOMEM;
          r->items = p;
          *cap = nc;
        }
        clv_remind_item *it = &r->items[r->n_items++];
        it->customer = rc->customer;
        it->product = d[k].product;
        it->purchase_days = (int)g + 1;
        it->last_day = last;
        it->interval_days = median(gaps, g);
        it->due_day = add_days(last, it->interval_days);
        it->status = status_on(it->due_day, r->on_day, &it->days_overdue);
        /* The most repeated product: most purchase days; on a tie the one
         * bought last, as the likelier next need. */
        if ((int)g + 1 > best_days ||
            ((int)g + 1 == best_days && last > best_last)) {
          best_days = (int)g + 1;
          best_last = last;
          rc->suggested_product = d[k].product;
        }
      }
    }
    k = e;
  }
  return CLV_OK;
}

/* Sort key of the contact list: value at stake, then CLV, largest first;
 * then the customer number, so that the order is reproducible. */
typedef struct contact_key {
  double stake, clv;
  uint32_t customer;
  size_t idx;
} contact_key;

static int cmp_contact(const void *a, const void *b) {
  const contact_key *x = a, *y = b;
  if (x->stake != y->stake)
    return x->stake < y->stake ? 1 : -1;
  if (x->clv != y->clv)
    return x->clv < y->clv ? 1 : -1;
  return (x->customer > y->customer) - (x->customer < y->customer);
}

/* Value at stake of summary row i (see clv/remind.h). */
static double stake_of(const clv_base *b, size_t i, double pa) {
  const clv_predictions *p = b->run->pred;
  const clv_summary *s = b->run->summary;
  double spend = NAN;
  if (p->expected_spend && isfinite(p->expected_spend[i]))
    spend = p->expected_spend[i];
  else if (clv_summary_has(s, CLV_COL_TOTAL_SPEND) &&
           clv_summary_has(s, CLV_COL_ORDERS) &&
           clv_summary_col(s, CLV_COL_ORDERS)[i] > 0)
    spend = clv_summary_col(s, CLV_COL_TOTAL_SPEND)[i] /
            clv_summary_col(s, CLV_COL_ORDERS)[i];
  if (!isfinite(spend))
    return isfinite(pa) ? pa : 0; /* in orders without money */
  double v = pa * b->margin * spend;
  return isfinite(v) ? v : 0;
}

/*
 * P(alive) of every summary row on the reference day into pa (n values).
 * Up to the as-of day it is the base's. Later, nothing is known after the
 * as-of day, so it is P(alive at as-of) times the chance to survive the
 * days in between given alive (clv__p_alive_at(): BG/NBD, MBG/NBD and
 * Pareto/NBD); other families keep the as-of figure and say so.
 */
static int p_alive_on_day(const clv_base *b, clv_remind *r, double *pa) {
  const clv_summary *s = b->run->summary;
  const double *base = b->run->pred->p_alive;
  double unit_days = clv_unit_days(clv_summary_unit(s));
  r->p_alive_on = 0;
  r->p_alive_note[0] = 0;
  if (r->on_day > r->as_of_day && unit_days > 0) {
    double tau = (r->on_day - (double)r->as_of_day) / unit_days;
    int rc = clv__p_alive_at(b->run->tx, s, tau, pa);
    if (rc == CLV_OK) {
      r->p_alive_on = 1;
      return CLV_OK;
    }
    if (rc != CLV_EUNSUPPORTED)
      return rc;
    snprintf(r->p_alive_note, sizeof r->p_alive_note,
             "P(alive) is the as-of day's: the %s model has no derivation "
             "of P(alive) at a later day",
             clv_model_family(b->run->tx));
  }
  memcpy(pa, base, r->n * sizeof *pa);
  return CLV_OK;
}

static int fill_customers(const clv_base *b, clv_remind *r, work *w) {
  const clv_summary *s = b->run->summary;
  const clv_predictions *p = b->run->pred;
  double unit_days = clv_unit_days(clv_summary_unit(s));
  size_t nown = 0, cap = 0;
  int rc = p_alive_on_day(b, r, w->own);
  if (rc)
    return rc;
  /* w->own holds P(alive) on the day until the loop below reuses it. */
  for (size_t i = 0; i < r->n; i++)
    r->cust[i].p_alive = w->own[i];
  for (size_t i = 0; i < r->n; i++) {
    clv_remind_customer *c = &r->cust[i];
    double pa = c->p_alive;
    memset(c, 0, sizeof *c);
    c->p_alive = pa;
    c->p_alive_as_of = p->p_alive[i];
    c->customer = b->customer_of[i];
    c->row = i;
    c->suggested_product = CLV_NO_KEY;
    buy *d = w->buys + w->start[c->customer];
    size_t n = w->start[c->customer + 1] - w->start[c->customer];
    qsort(d, n, sizeof *d, cmp_day);
    size_t g = day_gaps(d, n, w->gaps, &c->last_day);
    if (n == 0) /* only refunds up to as-of: fall back to the summary */
      c->last_day = (int32_t)clv_summary_col(s, CLV_COL_LAST_DAY)[i];
    c->purchase_days = n ? (int)g + 1 : 0;
    if (g >= 2) {
      c->interval_days = median(w->gaps, g);
      c->source = CLV_INTERVAL_MEDIAN;
    } else if (g == 1) {
      c->interval_days = w->gaps[0];
      c->source = CLV_INTERVAL_MEAN;
    } else {
      c->interval_days = NAN;
      c->source = CLV_INTERVAL_POPULATION;
    }
    if (g >= 1)
      w->own[nown++] = c->interval_days;
    double np = p->next_purchase ? p->next_purchase[i] : NAN;
    c->model_next_day =
        unit_days > 0 ? add_days(b->as_of_day, np * unit_days) : INT32_MAX;
    c->clv = isfinite(p->value[i]) ? p->value[i] : 0;
    c->value_at_stake = stake_of(b, i, c->p_alive);
    if (r->has_products && n >= 2) {
      rc = product_items(r, c, d, n, w->gaps, &cap);
      if (rc)
        return rc;
    }
  }
  r->population_interval_days = median(w->own, nown);
  return rc;
}

static int classify(const clv_base *b, clv_remind *r) {
  const double *wt = clv_summary_col(b->run->summary, CLV_COL_WEIGHT);
  int32_t week_end = r->week_of + WEEK_DAYS - 1;
  for (size_t i = 0; i < r->n; i++) {
    clv_remind_customer *c = &r->cust[i];
    if (c->source == CLV_INTERVAL_POPULATION) {
      c->interval_days = r->population_interval_days;
      if (isnan(c->interval_days))
        c->source = CLV_INTERVAL_NONE;
    }
    c->due_day = c->source == CLV_INTERVAL_NONE
                     ? INT32_MAX
                     : add_days(c->last_day, c->interval_days);
    c->status = status_on(c->due_day, r->on_day, &c->days_overdue);
    c->intervals_overdue = c->days_overdue > 0 && c->interval_days > 0
                               ? c->days_overdue / c->interval_days
                               : 0;
    /* The week's list: due within the week, or due before it and probably
     * still alive (a lapsed customer is a win-back case, not a reminder). */
    c->contact = c->due_day != INT32_MAX && c->due_day <= week_end &&
                 (c->due_day >= r->week_of || c->p_alive >= r->min_p_alive);
    double w = wt ? wt[c->row] : 1;
    r->status_customers[c->status] += w;
    r->status_clv[c->status] += w * c->clv;
    r->status_stake[c->status] += w * c->value_at_stake;
    r->customers += w;
    r->clv_total += w * c->clv;
    if (c->contact) {
      r->contact[r->n_contact++] = i;
      r->contact_stake += w * c->value_at_stake;
    }
  }
  contact_key *key = malloc((r->n_contact ? r->n_contact : 1) * sizeof *key);
  if (key == NULL)
    return CLV_ENOMEM;
  for (size_t k = 0; k < r->n_contact; k++) {
    const clv_remind_customer *c = &r->cust[r->contact[k]];
    key[k] =
        (contact_key){c->value_at_stake, c->clv, c->customer, r->contact[k]};
  }
  qsort(key, r->n_contact, sizeof *key, cmp_contact);
  for (size_t k = 0; k < r->n_contact; k++)
    r->contact[k] = key[k].idx;
  free(key);
  return CLV_OK;
}

int clv_remind_compute(const clv_base *b, const clv_remind_opts *o,
                       clv_remind **out) {
  clv_remind_opts def;
  work w = {0};
  clv_remind *r = NULL;
  size_t nbuys = 0;
  int rc = CLV_OK;
  *out = NULL;
  if (o == NULL) {
    clv_remind_opts_init(&def);
    o = &def;
  }
  if (!(o->min_p_alive >= 0 && o->min_p_alive <= 1))
    return CLV_EINVAL;
  size_t n = clv_summary_rows(b->run->summary);
  if (n == 0)
    return CLV_EEMPTY;
  r = calloc(1, sizeof *r);
  if (r == NULL)
    return CLV_ENOMEM;
  r->as_of_day = b->as_of_day;
  r->on_day = o->on_day == INT32_MIN ? b->as_of_day : o->on_day;
  r->week_of = o->week_of == INT32_MIN ? r->on_day : o->week_of;
  r->min_p_alive = o->min_p_alive;
  r->has_products = clv_orders_has_attr(b->orders, CLV_ATTR_PRODUCT);
  r->n = n;
  r->cust = malloc(n * sizeof *r->cust);
  r->contact = malloc(n * sizeof *r->contact);
  w.own = malloc(n * sizeof *w.own);
  if (r->cust == NULL || r->contact == NULL || w.own == NULL) {
    rc = CLV_ENOMEM;
    goto fail;
  }
  rc = group_buys(b, &w, &nbuys);
  if (rc)
    goto fail;
  rc = fill_customers(b, r, &w);
  if (rc)
    goto fail;
  rc = classify(b, r);
  if (rc)
    goto fail;
  *out = r;
  r = NULL;
fail:
  clv_remind_free(r);
  free(w.start);
  free(w.buys);
  free(w.gaps);
  free(w.own);
  return rc;
}

/* ---- writers ----------------------------------------------------------- */

static void put_day(FILE *f, int32_t day) {
  char buf[11];
  if (day != INT32_MAX && day != INT32_MIN)
    fputs(clv_day_format(day, buf), f);
}

static void put_text(FILE *f, const char *s) {
  clv__put_csv_field(f, s, strlen(s));
}

static void put_id(FILE *f, const clv_base *b, uint32_t c) {
  size_t len = 0;
  const char *id = clv_orders_customer_id(b->orders, c, &len);
  clv__put_csv_field(f, id, len);
}

static const char *product_text(const clv_base *b, uint32_t k) {
  return k == CLV_NO_KEY ? ""
                         : clv_orders_key_text(b->orders, CLV_ATTR_PRODUCT, k);
}

static const char *product_name(const clv_base *b, uint32_t k) {
  return k == CLV_NO_KEY ? "" : clv_orders_product_name(b->orders, k);
}

int clv_remind_write_customers_csv(const clv_remind *r, const clv_base *b,
                                   FILE *f, int zh) {
  fputs("customer_id,status,last_purchase,purchase_days,interval_days,"
        "interval_source,due_date,days_overdue,intervals_overdue,"
        "model_next_date,p_alive,clv,value_at_stake,suggested_product,"
        "suggested_product_name,contact,p_alive_as_of\n",
        f);
  for (size_t i = 0; i < r->n; i++) {
    const clv_remind_customer *c = &r->cust[i];
    put_id(f, b, c->customer);
    fputc(',', f);
    put_text(f, clv_remind_status_label(c->status, zh));
    fputc(',', f);
    put_day(f, c->last_day);
    fprintf(f, ",%d,", c->purchase_days);
    clv__fput_num(f, c->interval_days);
    fprintf(f, ",%s,", clv_interval_source_name(c->source));
    put_day(f, c->due_day);
    fprintf(f, ",%ld,", (long)c->days_overdue);
    clv__fput_num(f, c->intervals_overdue);
    fputc(',', f);
    put_day(f, c->model_next_day);
    fputc(',', f);
    clv__fput_num(f, c->p_alive);
    fputc(',', f);
    clv__fput_num(f, c->clv);
    fputc(',', f);
    clv__fput_num(f, c->value_at_stake);
    fputc(',', f);
    put_text(f, product_text(b, c->suggested_product));
    fputc(',', f);
    put_text(f, product_name(b, c->suggested_product));
    fprintf(f, ",%d,", c->contact);
    clv__fput_num(f, c->p_alive_as_of);
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_remind_write_contacts_csv(const clv_remind *r, const clv_base *b,
                                  FILE *f, int zh) {
  fputs("customer_id,status,due_date,days_overdue,interval_days,p_alive,clv,"
        "value_at_stake,suggested_product,suggested_product_name,"
        "last_purchase,model_next_date,p_alive_as_of\n",
        f);
  for (size_t k = 0; k < r->n_contact; k++) {
    const clv_remind_customer *c = &r->cust[r->contact[k]];
    put_id(f, b, c->customer);
    fputc(',', f);
    put_text(f, clv_remind_status_label(c->status, zh));
    fputc(',', f);
    put_day(f, c->due_day);
    fprintf(f, ",%ld,", (long)c->days_overdue);
    clv__fput_num(f, c->interval_days);
    fputc(',', f);
    clv__fput_num(f, c->p_alive);
    fputc(',', f);
    clv__fput_num(f, c->clv);
    fputc(',', f);
    clv__fput_num(f, c->value_at_stake);
    fputc(',', f);
    put_text(f, product_text(b, c->suggested_product));
    fputc(',', f);
    put_text(f, product_name(b, c->suggested_product));
    fputc(',', f);
    put_day(f, c->last_day);
    fputc(',', f);
    put_day(f, c->model_next_day);
    fputc(',', f);
    clv__fput_num(f, c->p_alive_as_of);
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

int clv_remind_write_products_csv(const clv_remind *r, const clv_base *b,
                                  FILE *f, int zh) {
  fputs("customer_id,product,product_name,purchase_days,last_purchase,"
        "interval_days,due_date,status,days_overdue,p_alive\n",
        f);
  for (size_t k = 0; k < r->n_items; k++) {
    const clv_remind_item *it = &r->items[k];
    put_id(f, b, it->customer);
    fputc(',', f);
    put_text(f, product_text(b, it->product));
    fputc(',', f);
    put_text(f, product_name(b, it->product));
    fprintf(f, ",%d,", it->purchase_days);
    put_day(f, it->last_day);
    fputc(',', f);
    clv__fput_num(f, it->interval_days);
    fputc(',', f);
    put_day(f, it->due_day);
    fputc(',', f);
    put_text(f, clv_remind_status_label(it->status, zh));
    fprintf(f, ",%ld,", (long)it->days_overdue);
    /* The customer's P(alive) on the reference day, as in the other lists;
     * every item's customer is in the summary (rows of r->cust). */
    clv__fput_num(f, r->cust[b->row_of[it->customer]].p_alive);
    fputc('\n', f);
  }
  return ferror(f) ? CLV_EIO : CLV_OK;
}

static void json_day(FILE *f, int32_t day) {
  char buf[11];
  if (day == INT32_MAX || day == INT32_MIN)
    fputs("null", f);
  else
    fprintf(f, "\"%s\"", clv_day_format(day, buf));
}

int clv_remind_write_json(const clv_remind *r, const clv_base *b, size_t top,
                          FILE *f) {
  fputs("{\"as_of\":", f);
  json_day(f, r->as_of_day);
  fputs(",\"on\":", f);
  json_day(f, r->on_day);
  fputs(",\"week_of\":", f);
  json_day(f, r->week_of);
  fputs(",\"min_p_alive\":", f);
  clv__fput_json_num(f, r->min_p_alive);
  fputs(",\"p_alive_day\":", f);
  json_day(f, r->p_alive_on ? r->on_day : r->as_of_day);
  fputs(",\"p_alive_note\":", f);
  clv__put_json_string(f, r->p_alive_note, strlen(r->p_alive_note));
  fputs(",\"population_interval_days\":", f);
  clv__fput_json_num(f, r->population_interval_days);
  fputs(",\"customers\":", f);
  clv__fput_json_num(f, r->customers);
  fputs(",\"clv_total\":", f);
  clv__fput_json_num(f, r->clv_total);
  fputs(",\"statuses\":[", f);
  for (int s = 0; s < CLV_REMIND__COUNT; s++) {
    fprintf(f, "%s{\"label_en\":\"%s\",\"label_zh\":\"%s\",\"customers\":",
            s ? "," : "", clv_remind_status_label(s, 0),
            clv_remind_status_label(s, 1));
    clv__fput_json_num(f, r->status_customers[s]);
    fputs(",\"clv\":", f);
    clv__fput_json_num(f, r->status_clv[s]);
    fputs(",\"value_at_stake\":", f);
    clv__fput_json_num(f, r->status_stake[s]);
    fputc('}', f);
  }
  fprintf(f, "],\"contacts\":%zu,\"contact_value_at_stake\":", r->n_contact);
  clv__fput_json_num(f, r->contact_stake);
  fprintf(f, ",\"repeating_products\":%zu,\"top_contacts\":[", r->n_items);
  for (size_t k = 0; k < r->n_contact && k < top; k++) {
    const clv_remind_customer *c = &r->cust[r->contact[k]];
    size_t len = 0;
    const char *id = clv_orders_customer_id(b->orders, c->customer, &len);
    fputs(k ? ",{\"customer_id\":" : "{\"customer_id\":", f);
    clv__put_json_string(f, id, len);
    fputs(",\"status\":", f);
    fprintf(f, "\"%s\",\"due_date\":", clv_remind_status_label(c->status, 0));
    json_day(f, c->due_day);
    fprintf(f, ",\"days_overdue\":%ld,\"p_alive\":", (long)c->days_overdue);
    clv__fput_json_num(f, c->p_alive);
    fputs(",\"clv\":", f);
    clv__fput_json_num(f, c->clv);
    fputs(",\"value_at_stake\":", f);
    clv__fput_json_num(f, c->value_at_stake);
    fputs(",\"suggested_product\":", f);
    const char *sp = product_text(b, c->suggested_product);
    clv__put_json_string(f, sp, strlen(sp));
    fputc('}', f);
  }
  fputs("]}\n", f);
  return ferror(f) ? CLV_EIO : CLV_OK;
}

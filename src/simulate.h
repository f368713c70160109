/*
 * simulate.h - what the simulator's files share (internal): the family
 * table's row type, the per-thread workers and the context of one run.
 *
 * simulate.c holds the model families, the purchase process of one customer
 * (Fader, Hardie & Lee 2005; Batislam et al. 2007; Schmittlein et al. 1987),
 * the thread plumbing and the summary and truth outputs; simulate_log.c turns
 * customers into CSV order logs.
 */
#ifndef CLV_SIMULATE_INTERNAL_H
#define CLV_SIMULATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "clv.h"
#include "rng.h"

/* Streams of one customer: the purchase times, the spend, refunds,
 * malformed rows. Separate streams keep the purchases identical whatever the
 * refund and malformed rates, so a log with malformed rows minus those rows
 * is the clean log. */
enum {
  STREAM_PROCESS = 0,
  STREAM_SPEND,
  STREAM_REFUND,
  STREAM_MALFORMED,
  STREAM_COUNT
};

enum { MAX_THREADS = 64 };
enum { SECONDS_PER_DAY = 86400 };
/* Customers per worker and batch in the streaming modes. */
enum { BATCH_CUSTOMERS = 16384 };
/* Longest possible text of one row: id (up to 21 bytes), date-time (19),
 * amount (sign, 14 digits, point, 2 decimals), commas and newline. */
enum { ROW_MAX = 72 };
/* A retail row: up to 4 order lines (simulate_retail.c). */
enum { ROW_MAX_RETAIL = 4 * 200 };
/* A customer with more purchases than this is a sign of absurd parameters
 * (a rate of thousands per day), not of a shop. */
#define MAX_PURCHASES ((size_t)1 << 26)
/* Amounts are kept as cents in 44 bits of a packed record. */
#define MAX_CENTS (((uint64_t)1 << 44) - 1)
/* Refunds come 1 to this many days after the order. */
enum { REFUND_MAX_DELAY = 30 };

/* The latent values of one customer, in the options' time unit. */
typedef struct sim_customer {
  double birth;    /* first purchase, since the window start */
  double lambda;   /* purchase rate while alive */
  double dropout;  /* p (BG/NBD, MBG/NBD) or mu (Pareto/NBD) */
  double lifetime; /* Pareto/NBD: time from birth to death; else INFINITY */
  double death;    /* drop-out time if within the window, else INFINITY */
  double nu;       /* Gamma-Gamma: transaction values are Gamma(p, nu) */
} sim_customer;

typedef struct family {
  const char *name;
  const char *param_names[4];
  double defaults[4];
  /* Draws lambda, the drop-out parameter and (Pareto/NBD) the lifetime. */
  void (*draw)(const double *params, gsl_rng *r, sim_customer *c);
  int coin_after_first;  /* drop-out possible right after the first purchase */
  int coin_after_repeat; /* drop-out possible right after each repeat */
} family;

/* One purchase of the pure process: time in the options' unit and value. */
typedef struct purchase {
  double t, z;
} purchase;

enum row_kind {
  ROW_PURCHASE = 0,
  ROW_REFUND,
  ROW_BAD_DATE,
  ROW_BAD_AMOUNT,
  ROW_MISSING_FIELD
};

/* One log row of a customer, before formatting. */
typedef struct row {
  int32_t day; /* index from the window's first day */
  int32_t sec; /* second of the day */
  uint32_t kind;
  uint64_t cents; /* magnitude; refunds are written negative */
} row;

/* A row in the global chronological sort: the customer and, packed, the
 * second of the day (17 bits), the kind (3 bits) and the cents (44 bits).
 * The day is implicit: it is the bucket the record sits in. */
typedef struct rec {
  uint64_t cust;
  uint64_t meta;
} rec;

typedef struct sim sim;

/* Workers are aligned to cache lines: their tallies are written for every
 * row, and two workers sharing a line would slow each other down. */
typedef struct worker {
  _Alignas(64) sim *s;
  gsl_rng *rng[STREAM_COUNT]; /* one per stream */
  purchase *buy;
  size_t nbuy, buy_cap;
  row *rows;
  size_t nrows, row_cap;
  char *text;
  size_t text_len, text_cap;
  uint64_t lo, hi; /* customers [lo, hi) of the current task */
  int32_t day;     /* chronological output: the day to sort and format */
  uint64_t *slot;  /* per day: rows counted (pass 1), next slot (pass 2) */
  rec *scratch;
  size_t scratch_cap;
  uint32_t *sec_count; /* SECONDS_PER_DAY + 1 counters */
  double *col[6];      /* summary mode: x, t_x, T, m, spend, orders */
  const clv_sim_truth *truth;
  /* Tallies of pass 1 (or of the streaming modes). */
  uint64_t orders, refunds, malformed, cents_bought, cents_refunded;
  int status;
} worker;

struct sim {
  const clv_sim_opts *o;
  const family *fam;
  double unit_days; /* days per options' unit (log mode) */
  int32_t ndays;    /* days in the window (log mode) */
  char (*dates)[10];
  int nthreads;
  worker w[MAX_THREADS];
  void (*task)(worker *w);
  rec *recs;
  size_t recs_bytes;
  uint64_t *day_start; /* ndays + 1 bucket starts */
  double time_factor;  /* summary mode: options' unit -> output unit */
};

/* Grows *p (an array of elem-byte items with *cap of room) to hold `need`
 * items, doubling. Returns CLV_OK or CLV_ENOMEM (*p unchanged). */
int clv__sim_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Allocates a context aligned to cache lines (the workers inside are), or
 * NULL when out of memory. clv__sim_setup() initialises it; free() frees
 * it after clv__sim_teardown(). */
sim *clv__sim_new(void);

/*
 * Checks the options and fills the context: family, thread count, one
 * generator per stream and worker. `log_mode` also requires a unit with a
 * length in days and a window whose dates print with 4-digit years. Returns
 * CLV_OK, CLV_EINVAL, CLV_EMODEL or CLV_ENOMEM; call clv__sim_teardown()
 * in every case.
 */
int clv__sim_setup(sim *s, const clv_sim_opts *o, int log_mode);

/* Frees everything the context and its workers hold (not s itself). */
void clv__sim_teardown(sim *s);

/* Runs task on workers 0..n-1 in parallel and waits for them. */
void clv__sim_run(sim *s, int n, void (*task)(worker *w));

/* The first worker status that is not CLV_OK, or CLV_OK. */
int clv__sim_status(const sim *s, int n);

/* Reports progress to the caller's callback, if any. */
void clv__sim_progress(const sim *s, double done);

/* Splits the customers into nthreads consecutive ranges [lo, hi). */
void clv__sim_split(sim *s);

/*
 * Draws customer i with worker w's streams: latent values into *c,
 * purchases (the first included) into w->buy in time order, all before the
 * window end, with their values when `values` is nonzero (else nu and the
 * values are 0: the times are the same either way). Returns CLV_OK,
 * CLV_ENOMEM or CLV_EOVERFLOW.
 */
int clv__sim_customer(worker *w, uint64_t i, sim_customer *c, int values);

/* Writes v in decimal, zero-padded to min_digits, at p; returns the end. */
char *clv__sim_put_u64(char *p, uint64_t v, int min_digits);

/* simulate_retail.c: the header line of the retail layout, and the order
 * lines of one row (purchase, refund or malformed copy) of customer `cust`
 * whose id and date-time text are given; `when` is the row's second since
 * the window start. Writes at most ROW_MAX_RETAIL bytes; returns the end. */
extern const char clv__retail_header[];
char *clv__retail_put(char *p, const sim *s, const char *cust_id,
                      size_t cust_len, uint64_t cust, const char *date,
                      size_t date_len, uint64_t when, uint32_t kind,
                      uint64_t cents);

#endif

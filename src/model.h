/*
 * model.h - the model-family descriptor and the shared fitting machinery
 * (internal).
 *
 * A family (src/models/<name>.c) is one const clv__family: its parameters in
 * the paper's notation and the mathematics of one summary row. model.c does
 * everything else once for all families: collapsing identical rows into
 * weights, tables of distinct values, the log-parameter transform and its
 * chain rule, the L2 penalty, threads, the optimiser loop with retries and the
 * standard errors (optim.c). Adding a family is one file plus one line in the
 * registry in model.c.
 */
#ifndef CLV_MODEL_INTERNAL_H
#define CLV_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "clv.h"

#define CLV__MAXP 8

enum { CLV__KIND_TX = 0, CLV__KIND_SPEND = 1 };

/*
 * Compressed data: n unique rows of the family's key columns k[0..2] (for the
 * BG/NBD x, t_x, T; for the Gamma-Gamma x, m) with summed weights w. ix[i]
 * indexes row i's k[0] in the distinct values xs (nx of them, total weight wx);
 * i1[i], i2[i] index k[1], k[2] in the distinct values ts (nt of them), which
 * lets a family compute per-time terms such as log(alpha + T) once per
 * evaluation. aux holds naux per-row constants the family fills once.
 */
typedef struct clv__data {
  size_t n;
  double *k[3];
  double *w;
  uint32_t *ix, *i1, *i2;
  size_t nx, nt;
  double *xs, *wx, *ts;
  double *aux;
  double customers; /* sum of w */
  /* Customers left out of the fit by row_use() returning 2, and why; the
   * fit says so in the model's notes, so that nothing is dropped silently. */
  double excluded;
  const char *excluded_why;
} clv__data;

typedef struct clv__family {
  const char *name;
  int kind;
  /* Bit i set when parameter i governs drop-out (a, b of BG/NBD; s, beta of
   * Pareto/NBD): only these may run to the edge in a limit fit, where the
   * model tends to its no-drop-out limit. A purchase-rate parameter that
   * runs off means that nobody repeats, which has no useful limit. */
  unsigned dropout_params;
  int np;
  const char *const *pnames;
  /* Summary columns forming the key (-1: unused), and which of k[1], k[2]
   * are times that go into the distinct-value table ts. */
  int key[3];
  int time_keys;
  /* 1 to use a row, 0 to skip it by the model's definition (documented,
   * e.g. x = 0 for the Gamma-Gamma, which models repeat spend), 2 to leave a
   * usable customer out of the fit and count it (the reason, in why, goes
   * into the model's notes), -1 when the row is invalid for this family
   * (with a reason written to why). */
  int (*row_use)(const double *key, const char **why);
  /* Start values from the data (natural parameters). */
  void (*start)(const clv__data *d, double *p);
  /* Number of per-row constants in aux, filled once by setup(). */
  int naux;
  void (*setup)(clv__data *d);
  /* Doubles of scratch that prepare() fills per evaluation. */
  size_t (*work_size)(const clv__data *d);
  /* Per-evaluation terms that do not depend on the row (per distinct x, per
   * distinct time). Returns CLV_OK or CLV_ENUMERIC. */
  int (*prepare)(const double *p, const clv__data *d, double *work);
  /* Adds sum_{i in [begin, end)} w_i * ll_i to *ll and the gradient with
   * respect to the natural parameters to grad[0..np-1]. */
  void (*ll_block)(const double *p, const clv__data *d, const double *work,
                   size_t begin, size_t end, double *ll, double *grad);
  /* One row's log-likelihood, written straight from the paper's formula
   * (independent of the fast path; tests compare the two). */
  double (*row_ll)(const double *p, const double *key);

  /* Transaction families: predictions given (x, t_x, T) in the model's unit.
   * E[Y(t) | x, t_x, T] = P(alive) * E[Y(t) | alive, x, T]. */
  double (*p_alive)(const double *p, double x, double t_x, double T);
  int (*expect_alive)(const double *p, double x, double T, double t,
                      double *out);
  /* P(no purchase in (T, T+t] | alive). */
  double (*none_alive)(const double *p, double x, double T, double t);
  /* q-quantile of the wait to the next purchase given alive (may be inf). */
  double (*next_alive)(const double *p, double x, double T, double q);
  int (*pmf)(const double *p, double t, int n, double *out);
  /* Discounted expected residual transactions given (x, t_x, T) at the
   * family's discount rate (continuous per unit of time for Pareto/NBD,
   * per opportunity for BG/BB); NULL where the family has no closed form. */
  int (*dert)(const double *p, double x, double t_x, double T, double rate,
              double *out);

  /* Spend families: E(M | x, m) and the population mean (NaN when it does
   * not exist). */
  double (*spend)(const double *p, double x, double m);
  double (*spend_mean)(const double *p);

  /* Simulation hook, owned by the simulator (NULL here). */
  void *simulate;

  /* The Chinese wording of the reason row_use() gives when it returns 2
   * (a family has at most one such reason); NULL: none. */
  const char *excluded_why_zh;
} clv__family;

struct clv_model {
  const clv__family *fam;
  clv_unit unit;
  double p[CLV__MAXP];
  double se[CLV__MAXP];
  /* Covariance of the log-parameters theta = log p (np x np, row-major): the
   * inverse Hessian of the fit's objective (the negative log-likelihood plus
   * the penalty) at the optimum. se[i] = p[i] sqrt(cov[i np + i]). Valid
   * only when has_cov is 1 (a fitted model whose Hessian was positive
   * definite, or a model file that carries "covariance_log"). */
  double cov[CLV__MAXP * CLV__MAXP];
  int has_cov;
  double loglik, customers, grad_norm, penalty;
  size_t unique;
  int iterations, evaluations, converged;
  int at_limit; /* a limit fit (model.c, boundary_fit) */
  char notes[512];
  char notes_zh[768]; /* the same notes in Chinese (not in model files) */
};

/* The family called name, or NULL. */
const clv__family *clv__family_find(const char *name);

/* Builds the compressed data of summary s for family f. Returns CLV_OK,
 * CLV_EEMPTY, CLV_ENOCOLUMN, CLV_EDOMAIN (err says which row) or
 * CLV_ENOMEM. The caller frees it with clv__data_free(). */
int clv__data_build(const clv__family *f, const clv_summary *s, clv__data *d,
                    clv_error *err);
void clv__data_free(clv__data *d);

/* Total weighted log-likelihood and gradient (natural parameters, may be
 * NULL) at p, using up to `threads` threads. work has work_size() doubles.
 * Returns CLV_OK or CLV_ENUMERIC (non-finite value). */
int clv__data_loglik(const clv__family *f, const clv__data *d, const double *p,
                     double *work, int threads, double *ll, double *grad);

/* Allocates a model of family f with all statistics unknown. */
clv_model *clv__model_alloc(const clv__family *f, clv_unit unit);

/* Appends a sentence to the model's notes (English). */
void clv__model_note(clv_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends the same sentence in Chinese to the model's Chinese notes: every
 * clv__model_note() call has one. */
void clv__model_note_zh(clv_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

extern const clv__family clv__family_bgnbd;
extern const clv__family clv__family_gg;
extern const clv__family clv__family_pnbd;
extern const clv__family clv__family_mbgnbd;
extern const clv__family clv__family_bgbb;

#endif

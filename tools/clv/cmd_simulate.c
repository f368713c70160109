/*
 * cmd_simulate.c - `clv simulate`: a synthetic order log drawn from BG/NBD
 * (or MBG/NBD, Pareto/NBD) with Gamma-Gamma spend, as CSV or gzip'ed CSV.
 * A thin layer over clv_simulate_log_write() and clv_simulate_truth().
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static const char *const CMD = "simulate";

static void help(FILE *f) {
  fprintf(
      f,
      "Usage: clv simulate [options]\n\n"
      "Draws a shop's order log (customer_id,order_date,amount) from the\n"
      "BG/NBD purchase process with Gamma-Gamma spend. The same seed gives\n"
      "the same bytes, whatever the number of threads.\n\n"
      "Options:\n"
      "  --customers N      customers to draw (default 1000)\n"
      "  --seed S           random seed, 0 .. 2^64-1 (default 1)\n"
      "  --start DATE       first day of the window (default 2024-01-01)\n"
      "  --weeks W          length of the window in weeks (default 78)\n"
      "  --birth-weeks B    first purchases uniform over the first B weeks\n"
      "                     (default 12, at most W; 0: everyone starts on\n"
      "                     the first day)\n"
      "  --model NAME       bgnbd (default), mbgnbd or pnbd\n"
      "  --params A,B,C,D   per-week parameters: r,alpha,a,b (bgnbd,\n"
      "                     mbgnbd) or r,alpha,s,beta (pnbd); default the\n"
      "                     CDNOW fit, bgnbd 0.243,4.414,0.793,2.426\n"
      "  --spend P,Q,G      Gamma-Gamma p,q,gamma (default 6.25,3.74,15.44:\n"
      "                     mean order value p*gamma/(q-1) = 35.22)\n"
      "  --refunds R        share of orders refunded 1-30 days later with a\n"
      "                     negative row (default 0)\n"
      "  --malformed M      share of rows followed by a malformed copy: bad\n"
      "                     date, non-numeric amount or missing field\n"
      "                     (default 0), to exercise --on-error=skip\n"
      "  --date-only        dates without the time of day\n"
      "  --by-customer      rows grouped by customer (default: by time)\n"
      "  --plain-ids        customer ids 1, 2, ... instead of C0000001\n"
      "  --retail           a retail shop's order lines: order_id,\n"
      "                     customer_id, order_date, product_id,\n"
      "                     product_name, category, quantity, unit_price,\n"
      "                     amount, unit_cost, channel, store, source (the\n"
      "                     lines of an order add up to its amount)\n"
      "  --threads N        worker threads (default: one per CPU)\n"
      "  --gzip             gzip the output (implied by -o FILE.gz)\n"
      "  -o, --output FILE  write to FILE (default standard output)\n"
      "  --truth FILE       also write each customer's latent values:\n"
      "                     birth and death (weeks since the start; death\n"
      "                     empty while alive), lambda, p or mu, nu\n"
      "  -q, --quiet        no closing note on standard error\n\n"
      "Example:\n"
      "  clv simulate --customers 20000 --seed 7 --start 2024-01-01 "
      "--weeks 78 \\\n"
      "      --refunds 0.03 -o orders.csv\n");
}

enum {
  OPT_CUSTOMERS = 256,
  OPT_SEED,
  OPT_START,
  OPT_WEEKS,
  OPT_BIRTH,
  OPT_MODEL,
  OPT_PARAMS,
  OPT_SPEND,
  OPT_REFUNDS,
  OPT_MALFORMED,
  OPT_DATE_ONLY,
  OPT_BY_CUSTOMER,
  OPT_PLAIN_IDS,
  OPT_RETAIL,
  OPT_THREADS,
  OPT_GZIP,
  OPT_TRUTH
};

static const struct option long_opts[] = {
    {"customers", required_argument, NULL, OPT_CUSTOMERS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"start", required_argument, NULL, OPT_START},
    {"weeks", required_argument, NULL, OPT_WEEKS},
    {"birth-weeks", required_argument, NULL, OPT_BIRTH},
    {"model", required_argument, NULL, OPT_MODEL},
    {"params", required_argument, NULL, OPT_PARAMS},
    {"spend", required_argument, NULL, OPT_SPEND},
    {"refunds", required_argument, NULL, OPT_REFUNDS},
    {"malformed", required_argument, NULL, OPT_MALFORMED},
    {"date-only", no_argument, NULL, OPT_DATE_ONLY},
    {"by-customer", no_argument, NULL, OPT_BY_CUSTOMER},
    {"plain-ids", no_argument, NULL, OPT_PLAIN_IDS},
    {"retail", no_argument, NULL, OPT_RETAIL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"gzip", no_argument, NULL, OPT_GZIP},
    {"truth", required_argument, NULL, OPT_TRUTH},
    {"output", required_argument, NULL, 'o'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Parses a whole number 0 .. 2^64-1. */
static int parse_u64(const char *opt, const char *text, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (end == text || *end != '\0' || errno == ERANGE || text[0] == '-') {
    cli_usage_error(CMD, "%s expects a whole number >= 0, got \"%s\"", opt,
                    text);
    return 0;
  }
  *out = (uint64_t)v;
  return 1;
}

/* Parses exactly n comma-separated positive numbers. */
static int parse_list(const char *opt, const char *text, double *out, int n) {
  const char *p = text;
  for (int k = 0; k < n; k++) {
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(v) || !(v > 0) ||
        (k + 1 < n ? *end != ',' : *end != '\0')) {
      cli_usage_error(CMD,
                      "%s expects %d positive numbers separated by commas, "
                      "got \"%s\"",
                      opt, n, text);
      return 0;
    }
    out[k] = v;
    p = end + 1;
  }
  return 1;
}

static int parse_share(const char *opt, const char *text, double *out) {
  if (!cli_parse_double(CMD, opt, text, out))
    return 0;
  if (*out < 0 || *out >= 1) {
    cli_usage_error(CMD,
                    "%s expects a share from 0 up to (not including) 1, "
                    "got \"%s\"",
                    opt, text);
    return 0;
  }
  return 1;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int write_gz(void *ctx, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    unsigned chunk = len > (1u << 30) ? (1u << 30) : (unsigned)len;
    if (gzwrite(ctx, p, chunk) != (int)chunk)
      return -1;
    p += chunk;
    len -= chunk;
  }
  return 0;
}

static int write_file(void *ctx, const void *buf, size_t len) {
  return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* Progress on a terminal only: "\r" overwrites the line in place. */
static void show_progress(void *ctx, double done) {
  int *last = ctx;
  int pct = (int)(done * 100);
  if (pct != *last) {
    fprintf(stderr, "\rclv simulate: %3d%%", pct);
    *last = pct;
  }
}

static void put_time(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.6g", v);
}

/* Writes the latent values of every customer as CSV. */
static int write_truth(const clv_sim_opts *o, const char *path) {
  size_t n = (size_t)o->customers;
  int code = CLI_EXIT_IO, rc;
  double *mem = NULL;
  FILE *f = NULL;
  if (o->customers > SIZE_MAX / (5 * sizeof(double)))
    goto fail_mem;
  mem = malloc((n ? n : 1) * 5 * sizeof(double));
  if (mem == NULL)
    goto fail_mem;
  clv_sim_truth tr = {mem, mem + n, mem + 2 * n, mem + 3 * n, mem + 4 * n};
  rc = clv_simulate_truth(o, &tr);
  if (rc != CLV_OK) {
    code = cli_fail(CMD, rc, NULL);
    goto done;
  }
  f = cli_open_output(CMD, path);
  if (f == NULL)
    goto done;
  /* The drop-out parameter is a probability p for the BG families and a
   * rate mu for Pareto/NBD. */
  fprintf(f, "customer_id,birth,lambda,%s,death,nu\n",
          strcmp(o->family, "pnbd") == 0 ? "mu" : "p");
  for (size_t i = 0; i < n; i++) {
    if (o->plain_ids)
      fprintf(f, "%zu,", i + 1);
    else
      fprintf(f, "C%07zu,", i + 1);
    put_time(f, tr.birth[i]);
    fprintf(f, ",%.6g,%.6g,", tr.lambda[i], tr.dropout[i]);
    put_time(f, tr.death[i]);
    fprintf(f, ",%.6g\n", tr.nu[i]);
  }
  code = cli_close_output(CMD, f, path);
  goto done;
fail_mem:
  code = cli_fail(CMD, CLV_ENOMEM, NULL);
done:
  free(mem);
  return code;
}

int cmd_simulate(int argc, char **argv) {
  clv_sim_opts o;
  clv_sim_stats st;
  const char *out_path = NULL, *truth_path = NULL, *model = NULL;
  double params[4], spend[3];
  int have_params = 0, have_spend = 0, have_birth = 0, gzip = 0, quiet = 0;
  int c, code;
  int last_pct = -1;
  long threads;
  clv_sim_opts_init(&o);
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, ":o:qh", long_opts, NULL)) != -1) {
    int ok = 1;
    switch (c) {
    case OPT_CUSTOMERS:
      ok = parse_u64("--customers", optarg, &o.customers);
      break;
    case OPT_SEED:
      ok = parse_u64("--seed", optarg, &o.seed);
      break;
    case OPT_START:
      ok = cli_parse_day(CMD, "--start", optarg, &o.start_day);
      break;
    case OPT_WEEKS:
      ok = cli_parse_double(CMD, "--weeks", optarg, &o.span);
      if (ok && !(o.span > 0))
        return cli_usage_error(CMD, "--weeks must be positive");
      break;
    case OPT_BIRTH:
      ok = have_birth =
          cli_parse_double(CMD, "--birth-weeks", optarg, &o.birth_span);
      if (ok && o.birth_span < 0)
        return cli_usage_error(CMD, "--birth-weeks must not be negative");
      break;
    case OPT_MODEL:
      model = optarg;
      break;
    case OPT_PARAMS:
      ok = have_params = parse_list("--params", optarg, params, 4);
      break;
    case OPT_SPEND:
      ok = have_spend = parse_list("--spend", optarg, spend, 3);
      break;
    case OPT_REFUNDS:
      ok = parse_share("--refunds", optarg, &o.refund_rate);
      break;
    case OPT_MALFORMED:
      ok = parse_share("--malformed", optarg, &o.malformed_rate);
      break;
    case OPT_DATE_ONLY:
      o.with_time = 0;
      break;
    case OPT_BY_CUSTOMER:
      o.order = CLV_SIM_BY_CUSTOMER;
      break;
    case OPT_PLAIN_IDS:
      o.plain_ids = 1;
      break;
    case OPT_RETAIL:
      o.retail = 1;
      break;
    case OPT_THREADS:
      ok = cli_parse_long(CMD, "--threads", optarg, &threads);
      if (ok && (threads < 1 || threads > 64))
        return cli_usage_error(CMD, "--threads expects 1 to 64");
      o.threads = (int)threads;
      break;
    case OPT_GZIP:
      gzip = 1;
      break;
    case OPT_TRUTH:
      truth_path = optarg;
      break;
    case 'o':
      out_path = optarg;
      break;
    case 'q':
      quiet = 1;
      break;
    case 'h':
      help(stdout);
      return CLI_EXIT_OK;
    default:
      return cli_getopt_fail(CMD, c, argv, optind);
    }
    if (!ok)
      return CLI_EXIT_USAGE;
  }
  if (optind < argc)
    return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
  if (model != NULL && clv_sim_opts_set_family(&o, model) != CLV_OK)
    return cli_usage_error(CMD, "unknown model '%s' (bgnbd, mbgnbd, pnbd)",
                           model);
  if (have_params)
    memcpy(o.params, params, sizeof params);
  if (have_spend) {
    o.p = spend[0];
    o.q = spend[1];
    o.gamma = spend[2];
  }
  /* A short window without --birth-weeks: births spread over all of it. */
  if (!have_birth && o.birth_span > o.span)
    o.birth_span = o.span;
  if (o.birth_span > o.span)
    return cli_usage_error(CMD, "--birth-weeks (%g) exceeds --weeks (%g)",
                           o.birth_span, o.span);
  if (out_path != NULL && ends_with(out_path, ".gz"))
    gzip = 1;
  if (cli_stderr_is_tty() && !quiet) {
    o.progress = show_progress;
    o.progress_ctx = &last_pct;
  }

  int rc;
  if (gzip) {
    gzFile gz = out_path && strcmp(out_path, "-") != 0
                    ? gzopen(out_path, "wb")
                    : gzdopen(dup(STDOUT_FILENO), "wb");
    if (gz == NULL) {
      fprintf(stderr, "clv simulate: cannot write %s: %s\n",
              out_path ? out_path : "standard output", strerror(errno));
      return CLI_EXIT_IO;
    }
    rc = clv_simulate_log_write(&o, write_gz, gz, &st);
    if (gzclose(gz) != Z_OK && rc == CLV_OK)
      rc = CLV_EIO;
  } else {
    FILE *f = cli_open_output(CMD, out_path);
    if (f == NULL)
      return CLI_EXIT_IO;
    rc = clv_simulate_log_write(&o, write_file, f, &st);
    code = cli_close_output(CMD, f, out_path);
    if (rc == CLV_OK && code != CLI_EXIT_OK)
      return code;
  }
  if (o.progress != NULL)
    fputs("\r\033[K", stderr);
  if (rc != CLV_OK)
    return cli_fail(CMD, rc, NULL);
  if (truth_path != NULL && (code = write_truth(&o, truth_path)) != 0)
    return code;
  if (!quiet)
    cli_note(CMD,
             "%llu customers, %llu orders, %llu refunds, %llu malformed rows "
             "(%.1f MB of CSV)",
             (unsigned long long)st.customers, (unsigned long long)st.orders,
             (unsigned long long)st.refunds, (unsigned long long)st.malformed,
             (double)st.bytes / 1e6);
  return CLI_EXIT_OK;
}

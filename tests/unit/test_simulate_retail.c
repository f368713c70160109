/*
 * test_simulate_retail.c - the retail layout of clv_simulate_log(): every
 * order line is well formed (quantity x unit price = amount to the cent,
 * cost below price, a known channel), the lines of each customer and day add
 * up to the plain log's amounts, and the summary of the retail log, also
 * with malformed copies skipped, equals the summary of the plain log.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *write_log(const char *name, int retail, double malformed) {
  clv_sim_opts o;
  clv_sim_opts_init(&o);
  o.customers = 1500;
  o.seed = 5;
  o.refund_rate = 0.05;
  o.malformed_rate = malformed;
  o.retail = retail;
  o.threads = 2;
  const char *path = clv_test_tmp(name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(clv_simulate_log(&o, f, NULL), CLV_OK);
  assert_int_equal(fclose(f), 0);
  return path;
}

/* Money text with two decimals to cents. */
static long long cents(const char *s) {
  double v = strtod(s, NULL);
  return llround(v * 100);
}

static void lines_are_well_formed(void **state) {
  (void)state;
  char path[4096];
  snprintf(path, sizeof path, "%s", write_log("retail_lines.csv", 1, 0));
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[1024];
  assert_non_null(fgets(line, sizeof line, f));
  assert_string_equal(line, "order_id,customer_id,order_date,product_id,"
                            "product_name,category,quantity,unit_price,amount,"
                            "unit_cost,channel,store,source\n");
  long n = 0, multi = 0;
  char last_order[32] = "";
  while (fgets(line, sizeof line, f)) {
    char *field[13];
    int k = 0;
    /* No field is empty except the store outside the store channel, so
     * split on commas by hand to keep empty fields. */
    char *p = line;
    while (k < 13) {
      field[k++] = p;
      char *c = strchr(p, ',');
      if (c == NULL)
        break;
      *c = '\0';
      p = c + 1;
    }
    assert_int_equal(k, 13);
    long long q = strtoll(field[6], NULL, 10);
    long long price = cents(field[7]), amount = cents(field[8]);
    long long cost = cents(field[9]);
    assert_true(q != 0);
    assert_true(price > 0);
    /* Quantity x unit price is the line's amount, to the cent; a refund has
     * a negative quantity and amount. */
    assert_true(q * price == amount);
    assert_true(cost >= 0 && cost <= price);
    assert_true(strcmp(field[10], "web") == 0 ||
                strcmp(field[10], "store") == 0 ||
                strcmp(field[10], "app") == 0 ||
                strcmp(field[10], "mini-program") == 0);
    /* A store is named exactly for store orders. */
    assert_int_equal(field[11][0] != '\0', strcmp(field[10], "store") == 0);
    assert_true(field[0][0] == 'O' || field[0][0] == 'R');
    assert_int_equal(field[0][0] == 'R', q < 0);
    multi += strcmp(field[0], last_order) == 0;
    snprintf(last_order, sizeof last_order, "%s", field[0]);
    n++;
  }
  fclose(f);
  assert_true(n > 3000);
  /* Orders of several lines exist (larger orders are split). */
  assert_true(multi > n / 20);
}

static clv_summary *summary_of(const char *log, int skip) {
  clv_ingest_opts io;
  clv_ingest_opts_init(&io);
  io.skip_errors = skip;
  clv_summary *s = NULL;
  assert_int_equal(clv_summarize_file(log, &io, &s, NULL, NULL), CLV_OK);
  return s;
}

/* Every column but the order-row count is equal; that one counts lines. */
static void assert_same_purchases(const clv_summary *a, const clv_summary *b) {
  assert_int_equal(clv_summary_rows(a), clv_summary_rows(b));
  for (size_t i = 0; i < clv_summary_rows(a); i++) {
    assert_string_equal(clv_summary_id(a, i, NULL), clv_summary_id(b, i, NULL));
    for (int c = 0; c < CLV_COL__COUNT; c++) {
      if (!clv_summary_has(a, (clv_col)c))
        continue;
      double va = clv_summary_col(a, (clv_col)c)[i];
      double vb = clv_summary_col(b, (clv_col)c)[i];
      if (c == CLV_COL_ORDERS)
        assert_true(vb >= va);
      else
        assert_close(vb, va, 1e-9, 1e-12);
    }
  }
}

static void summary_equals_plain_log(void **state) {
  (void)state;
  char plain[4096], retail[4096], bad[4096];
  snprintf(plain, sizeof plain, "%s", write_log("plain.csv", 0, 0));
  snprintf(retail, sizeof retail, "%s", write_log("retail.csv", 1, 0));
  snprintf(bad, sizeof bad, "%s", write_log("retail_bad.csv", 1, 0.02));
  clv_summary *a = summary_of(plain, 0);
  clv_summary *b = summary_of(retail, 0);
  clv_summary *c = summary_of(bad, 1);
  /* The same customers, purchase days and money: the summary merges the
   * lines of a day, and the malformed copies are extra rows that skipping
   * removes. */
  assert_same_purchases(a, b);
  assert_same_purchases(b, c);
  clv_summary_free(a);
  clv_summary_free(b);
  clv_summary_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lines_are_well_formed),
      cmocka_unit_test(summary_equals_plain_log),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

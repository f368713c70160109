/*
 * use_clv.c - a downstream program built against an installed libclv through
 * pkg-config (tests/install/check.sh). It checks a published number:
 * E[Y(39) | x=2, t_x=30.43, T=38.86] = 1.226 under the CDNOW BG/NBD fit
 * r=0.243, alpha=4.414, a=0.793, b=2.426 (Fader, Hardie & Lee 2005; the
 * value of Hardie's spreadsheet quoted in lifetimes' tests).
 */
#include <clv.h>
#include <math.h>
#include <stdio.h>

int main(void) {
  double x[] = {2}, tx[] = {30.43}, T[] = {38.86};
  double p[] = {0.243, 4.414, 0.793, 2.426}, e = 0;
  clv_summary *s = NULL;
  clv_model *m = NULL;
  int rc = clv_summary_from_arrays(&s, CLV_UNIT_WEEK, 1, x, tx, T, NULL, NULL);
  if (rc == CLV_OK)
    rc = clv_model_new("bgnbd", p, CLV_UNIT_WEEK, &m);
  if (rc == CLV_OK)
    rc = clv_expected_purchases(m, s, 39, &e);
  clv_model_free(m);
  clv_summary_free(s);
  if (rc != CLV_OK) {
    fprintf(stderr, "use_clv: %s\n", clv_strerror(rc));
    return 1;
  }
  printf("clv %s: E[Y(39)] = %.4f\n", clv_version(), e);
  return fabs(e - 1.226) < 0.0005 ? 0 : 1;
}

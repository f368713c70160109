/*
 * fuzz_model_json.c - libFuzzer target for the model-file reader
 * (clv_model_from_json(), src/json.c): model files come from users and from
 * the server's clients, so arbitrary bytes must give a status, never a crash.
 *
 * Invariants: no crash; on success the model has a known family, finite
 * positive parameters, and writes back to JSON that reads again to the same
 * parameters bit for bit; on failure *out is NULL and the error message is
 * NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clv.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
  char *text = malloc(size + 1);
  if (text == NULL)
    return 0;
  memcpy(text, in, size);
  text[size] = '\0';
  clv_model *m = NULL, *back = NULL;
  clv_error err;
  clv_error_clear(&err);
  int rc = clv_model_from_json(text, &m, &err);
  if (rc != CLV_OK) {
    if (m != NULL || memchr(err.message, '\0', sizeof err.message) == NULL)
      abort();
    free(text);
    return 0;
  }
  const double *p = clv_model_params(m);
  for (int i = 0; i < clv_model_nparams(m); i++)
    if (!(p[i] > 0) || p[i] > 1e308)
      abort();
  char *json = NULL;
  if (clv_model_to_json(m, &json) != CLV_OK ||
      clv_model_from_json(json, &back, NULL) != CLV_OK)
    abort();
  if (memcmp(clv_model_params(back), p,
             (size_t)clv_model_nparams(m) * sizeof(double)) != 0)
    abort();
  clv_free(json);
  clv_model_free(back);
  clv_model_free(m);
  free(text);
  return 0;
}

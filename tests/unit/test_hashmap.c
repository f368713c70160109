/*
 * test_hashmap.c - the customer-id hash map (src/hashmap.c): the hash
 * function's mixing (the low bits pick the slot, the high 32 bits are the
 * slot's tag, the top bit splits customers between two threads), keys of
 * every length class, and real tag collisions found by a birthday search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "testutil.h"

/* Ids as `clv simulate` writes them: C and 7 digits (8 bytes). */
static size_t sim_id(char *buf, size_t cap, uint32_t k) {
  return (size_t)snprintf(buf, cap, "C%07u", (unsigned)k);
}

/*
 * Every output bit is set for close to half of 200,000 consecutive ids
 * (within 1%, about 9 standard deviations of a fair coin, so only a
 * broken mix fails), for 8-byte ids and for ids of 3, 6, 12 and 20
 * bytes (the three short-key branches and the long-key loop).
 */
static void test_hash_bits_balanced(void **state) {
  (void)state;
  enum { N = 200000 };
  static const char *const fmt[] = {"%03u", "c%05u", "cust-%07u", "",
                                    "customer-%011u"};
  for (int f = 0; f < 5; f++) {
    uint32_t ones[64] = {0};
    char buf[32];
    for (uint32_t k = 0; k < N; k++) {
      size_t n = f == 3 ? sim_id(buf, sizeof buf, k)
                        : (size_t)snprintf(buf, sizeof buf, fmt[f],
                                           (unsigned)(k % (f == 0 ? 1000 : N)));
      uint64_t h = clv__hash_bytes(buf, n);
      for (int b = 0; b < 64; b++)
        ones[b] += (uint32_t)(h >> b) & 1;
    }
    for (int b = 0; b < 64; b++) {
      /* 3-digit ids repeat: only 1,000 distinct keys, 200 times each. */
      double share = (double)ones[b] / N, tol = f == 0 ? 0.06 : 0.01;
      assert_true(share > 0.5 - tol && share < 0.5 + tol);
    }
  }
}

/*
 * Slot indices (the low 18 bits) of 8-byte ids spread like random ones:
 * 180,000 keys into 2^18 buckets leave about e^-0.69 = 50% of them empty
 * and none with more than a dozen keys.
 */
static void test_hash_slots_spread(void **state) {
  (void)state;
  enum { N = 180000, B = 1 << 18 };
  static uint8_t load[B];
  char buf[16];
  memset(load, 0, sizeof load);
  for (uint32_t k = 0; k < N; k++) {
    size_t n = sim_id(buf, sizeof buf, k * 7 + 3);
    uint64_t h = clv__hash_bytes(buf, n);
    if (load[h & (B - 1)] < 255)
      load[h & (B - 1)]++;
  }
  size_t empty = 0, most = 0;
  for (size_t i = 0; i < B; i++) {
    empty += load[i] == 0;
    most = load[i] > most ? load[i] : most;
  }
  assert_true(empty > B * 0.48 && empty < B * 0.52);
  assert_true(most <= 12);
}

/* Keys that differ only in length or in one byte hash apart: every prefix
 * of a 40-byte string (lengths 0..40), and each of them with its last byte
 * changed, give 81 distinct hashes (and distinct tags). */
static void test_hash_lengths_distinct(void **state) {
  (void)state;
  char s[41], t[41];
  uint64_t h[81];
  memset(s, 'a', sizeof s);
  s[40] = '\0';
  for (int n = 0; n <= 40; n++)
    h[n] = clv__hash_bytes(s, (size_t)n);
  for (int n = 1; n <= 40; n++) {
    memcpy(t, s, sizeof t);
    t[n - 1] = '\0';
    h[40 + n] = clv__hash_bytes(t, (size_t)n);
  }
  for (int i = 0; i < 81; i++)
    for (int j = i + 1; j < 81; j++) {
      assert_true(h[i] != h[j]);
      assert_true(h[i] >> 32 != h[j] >> 32);
    }
}

static int cmp_u64(const void *pa, const void *pb) {
  uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
  return a < b ? -1 : a > b;
}

/* A map over a plain array of key records (stride = one clv__hkey). */
typedef struct keys_map {
  clv__hashmap m;
  clv__hkey *rec;
  size_t cap;
} keys_map;

static void km_intern(keys_map *k, const char *id, size_t n, uint32_t *index,
                      int *inserted) {
  if (k->m.count >= k->cap) {
    k->cap = k->cap ? k->cap * 2 : 64;
    k->rec = realloc(k->rec, k->cap * sizeof *k->rec);
    assert_non_null(k->rec);
    clv__hashmap_set_records(&k->m, k->rec);
  }
  assert_int_equal(clv__hashmap_intern(&k->m, id, n, clv__hash_bytes(id, n),
                                       index, inserted),
                   CLV_OK);
}

/*
 * Real tag collisions: among 300,000 ids (8-byte and 17-byte, the inline
 * and the arena keys) a birthday search finds pairs whose hashes share
 * the top 32 bits (about 10 are expected). With 20,000 other ids in the
 * map, each colliding id is its own key, found again by intern and find,
 * and keeps its bytes; the guess may name either of a pair, and
 * clv__hashmap_key_is() tells them apart.
 */
static void test_real_tag_collisions(void **state) {
  (void)state;
  enum { N = 300000, OTHERS = 20000 };
  uint64_t *e = malloc(N * sizeof *e);
  assert_non_null(e);
  char buf[32], other[32];
  /* Entry: tag in the high 32 bits, the id number in the low ones. */
  for (uint32_t k = 0; k < N; k++) {
    size_t n =
        k % 2 ? sim_id(buf, sizeof buf, k)
              : (size_t)snprintf(buf, sizeof buf, "customer-%08u", (unsigned)k);
    e[k] = (clv__hash_bytes(buf, n) & 0xFFFFFFFF00000000ull) | k;
  }
  qsort(e, N, sizeof *e, cmp_u64);
  keys_map km;
  memset(&km, 0, sizeof km);
  clv__hashmap_init(&km.m, sizeof(clv__hkey));
  uint32_t index, found;
  int inserted, pairs = 0;
  for (uint32_t k = 0; k < OTHERS; k++) {
    size_t n = (size_t)snprintf(other, sizeof other, "o%u", (unsigned)k);
    km_intern(&km, other, n, &index, &inserted);
    assert_true(inserted);
  }
  for (size_t i = 1; i < N; i++) {
    if (e[i] >> 32 != e[i - 1] >> 32)
      continue;
    uint32_t id[2] = {(uint32_t)e[i - 1], (uint32_t)e[i]};
    uint32_t got[2];
    char key[2][32];
    size_t len[2];
    for (int j = 0; j < 2; j++) {
      len[j] = id[j] % 2 ? sim_id(key[j], sizeof key[j], id[j])
                         : (size_t)snprintf(key[j], sizeof key[j],
                                            "customer-%08u", (unsigned)id[j]);
      km_intern(&km, key[j], len[j], &got[j], &inserted);
      assert_true(inserted);
    }
    assert_true(got[0] != got[1]);
    for (int j = 0; j < 2; j++) {
      km_intern(&km, key[j], len[j], &index, &inserted);
      assert_false(inserted);
      assert_int_equal(index, got[j]);
      assert_true(clv__hashmap_find(&km.m, key[j], len[j],
                                    clv__hash_bytes(key[j], len[j]), &found));
      assert_int_equal(found, got[j]);
      assert_true(clv__hashmap_key_is(&km.m, got[j], key[j], len[j]));
      assert_false(clv__hashmap_key_is(&km.m, got[1 - j], key[j], len[j]));
      size_t n;
      const char *p = clv__hashmap_key(&km.m, got[j], &n);
      assert_int_equal(n, len[j]);
      assert_memory_equal(p, key[j], n);
      uint32_t g = clv__hashmap_guess(&km.m, clv__hash_bytes(key[j], len[j]));
      assert_true(g == got[0] || g == got[1] || g == UINT32_MAX);
    }
    pairs++;
  }
  assert_true(pairs >= 2);
  /* The other ids are still theirs after the growth of the table. */
  for (uint32_t k = 0; k < OTHERS; k += 97) {
    size_t n = (size_t)snprintf(other, sizeof other, "o%u", (unsigned)k);
    assert_true(
        clv__hashmap_find(&km.m, other, n, clv__hash_bytes(other, n), &found));
    assert_int_equal(found, k);
  }
  clv__hashmap_free(&km.m);
  free(km.rec);
  free(e);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hash_bits_balanced),
      cmocka_unit_test(test_hash_slots_spread),
      cmocka_unit_test(test_hash_lengths_distinct),
      cmocka_unit_test(test_real_tag_collisions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

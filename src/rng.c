/*
 * rng.c - xoshiro256** as a GSL generator type, seeded per (seed, stream,
 * index) through splitmix64 (both by Blackman & Vigna; the seeding scheme is
 * the one they recommend for filling xoshiro's state from one 64-bit value).
 */
#include "rng.h"

#include <string.h>

typedef struct xoshiro_state {
  uint64_t s[4];
} xoshiro_state;

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

static uint64_t next64(xoshiro_state *st) {
  uint64_t *s = st->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/* Fills the state from one 64-bit value. splitmix64 never yields four zero
 * words in a row, so the all-zero state (a fixed point) cannot occur. */
static void fill_state(xoshiro_state *st, uint64_t x) {
  for (int i = 0; i < 4; i++)
    st->s[i] = splitmix64(&x);
}

static void xoshiro_set(void *state, unsigned long int seed) {
  fill_state(state, (uint64_t)seed);
}

/* 32-bit outputs: with max = 2^32 - 1 GSL's ziggurat Gaussian uses one
 * word per draw. */
static unsigned long int xoshiro_get(void *state) {
  return (unsigned long int)(next64(state) >> 32);
}

static double xoshiro_get_double(void *state) {
  return (double)(next64(state) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type xoshiro_type = {
    "clv_xoshiro256starstar", 0xffffffffUL, 0,
    sizeof(xoshiro_state),    xoshiro_set,  xoshiro_get,
    xoshiro_get_double};

const gsl_rng_type *const clv__rng_xoshiro = &xoshiro_type;

gsl_rng *clv__rng_new(void) {
  return gsl_rng_alloc(clv__rng_xoshiro);
}

/* The triple is folded into one 64-bit value by chaining splitmix64 outputs,
 * so that neighbouring indices land far apart before the state is filled. */
void clv__rng_seed(gsl_rng *r, uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t x = seed;
  uint64_t h = splitmix64(&x);
  x = h ^ stream;
  h = splitmix64(&x);
  x = h ^ index;
  h = splitmix64(&x);
  fill_state(r->state, h);
}

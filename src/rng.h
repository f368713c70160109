/*
 * rng.h - counter-seeded random streams for the simulator (internal).
 *
 * A GSL generator type backed by xoshiro256** (Blackman & Vigna 2018), so
 * that GSL's samplers (gsl_ran_gamma, gsl_ran_beta, ...) can be used, plus a
 * seeding function that gives every (seed, stream, index) triple its own
 * independent-looking state through splitmix64. Reseeding costs a few
 * multiplications, which is what lets every customer own a stream: results
 * then do not depend on how customers are split among threads.
 */
#ifndef CLV_RNG_H
#define CLV_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The generator type: 32-bit outputs (what gsl_rng_get() returns, so that
 * GSL's ziggurat sampler takes its fast path), 53-bit doubles. */
extern const gsl_rng_type *const clv__rng_xoshiro;

/* Allocates a generator of type clv__rng_xoshiro; NULL when out of memory.
 * The caller frees it with gsl_rng_free(). */
gsl_rng *clv__rng_new(void);

/* Puts r (of type clv__rng_xoshiro) at the start of stream (seed, stream,
 * index). Different triples give unrelated sequences. */
void clv__rng_seed(gsl_rng *r, uint64_t seed, uint64_t stream, uint64_t index);

#endif

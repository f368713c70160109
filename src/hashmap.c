/*
 * hashmap.c - open-addressing hash map from customer ids to dense indices.
 *
 * No paper: a plain linear-probing table (Knuth, TAOCP vol. 3, 6.4), sized
 * to a power of two and grown at 0.7 load. See hashmap.h for the layout
 * (key records live in the caller's per-key state).
 */
#include "hashmap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clv.h"

#define SHORT_KEY_MAX CLV__HKEY_INLINE
#define LONG_KEY_MARK 0xFF
#define MAX_KEYS (UINT32_MAX - 1u)
#define POPULATE_MIN (64u << 10) /* smaller tables: not worth a call */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL */
#endif

static inline uint64_t rotl64(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

/* The 128-bit product of a and b folded to 64 bits (high ^ low): every
 * output bit depends on every input bit of both factors. */
__extension__ typedef unsigned __int128 u128;
static inline uint64_t mum(uint64_t a, uint64_t b) {
  u128 p = (u128)a * b;
  return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static inline uint64_t load64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint64_t load32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

#define HASH_S0 0xA0761D6478BD642Full
#define HASH_S1 0xE7037ED1A0B428DBull
#define HASH_S2 0x8EBC6AF09C88C6E3ull

/* Keys longer than 16 bytes (rare: most customer ids are short): a
 * multiply-rotate mix over 8-byte words, closed by a strong finaliser. */
static uint64_t hash_long(const unsigned char *s, size_t n) {
  uint64_t h = 0x243F6A8885A308D3ull ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull);
  while (n >= 8) {
    h ^= load64(s) * 0x87C37B91114253D5ull;
    h = rotl64(h, 29) * 0x4CF5AD432745937Full;
    s += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t k = 0;
    memcpy(&k, s, n);
    h ^= k * 0x87C37B91114253D5ull;
    h = rotl64(h, 29) * 0x4CF5AD432745937Full;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

/*
 * Keys of up to 16 bytes (the customer ids of nearly every log) take two
 * words a and b that together hold every byte (overlapping loads: the
 * first and last 8 bytes, or the first and last 4, or three single
 * bytes), so that two keys of one length differ in (a, b); then two
 * 128-bit multiplications, as wyhash (Wang Yi) ends (the second one
 * folded: high ^ low), mix every input bit into both the low bits (the
 * slot) and the high 32 bits (the tag). No loop and no byte-wise copy:
 * about 20 instructions, against 40 for the word loop and finaliser that
 * longer keys take.
 */
uint64_t clv__hash_bytes(const void *p, size_t n) {
  const unsigned char *s = p;
  uint64_t a, b;
  if (n > 16)
    return hash_long(s, n);
  if (n >= 8) {
    a = load64(s);
    b = load64(s + n - 8);
  } else if (n >= 4) {
    a = load32(s);
    b = load32(s + n - 4);
  } else if (n > 0) {
    a = ((uint64_t)s[0] << 16) | ((uint64_t)s[n >> 1] << 8) | s[n - 1];
    b = 0;
  } else {
    a = b = 0;
  }
  u128 m = (u128)(a ^ HASH_S1) * (b ^ HASH_S0 ^ HASH_S2 ^ n);
  return mum((uint64_t)m ^ HASH_S0 ^ n, (uint64_t)(m >> 64) ^ HASH_S1);
}

void clv__hashmap_init(clv__hashmap *m, size_t stride) {
  memset(m, 0, sizeof *m);
  m->stride = stride;
}

void clv__hashmap_free(clv__hashmap *m) {
  if (m == NULL)
    return;
  free(m->slots);
  free(m->arena);
  clv__hashmap_init(m, m->stride);
}

static inline const clv__hkey *rec(const clv__hashmap *m, uint32_t index) {
  return (const clv__hkey *)(const void *)(m->recs + (size_t)index * m->stride);
}

int clv__hashmap_long_key_is(const clv__hashmap *m, uint32_t index,
                             const char *key, size_t n) {
  size_t len;
  const char *p = clv__hashmap_key(m, index, &len);
  return len == n && memcmp(p, key, n) == 0;
}

const char *clv__hashmap_key(const clv__hashmap *m, uint32_t index,
                             size_t *len) {
  const clv__hkey *k = rec(m, index);
  if (k->len != LONG_KEY_MARK) {
    *len = k->len;
    return (const char *)k->b;
  }
  uint64_t off;
  memcpy(&off, k->b, 8);
  const unsigned char *a = m->arena + off;
  size_t n = 0;
  int shift = 0;
  /* Varint length: 7 bits per byte, high bit = more bytes follow. */
  while (*a & 0x80) {
    n |= (size_t)(*a++ & 0x7F) << shift;
    shift += 7;
  }
  n |= (size_t)*a++ << shift;
  *len = n;
  return (const char *)a;
}

int clv__hashmap_find(const clv__hashmap *m, const char *key, size_t n,
                      uint64_t hash, uint32_t *index) {
  if (m->mask == 0)
    return 0;
  uint32_t tag = (uint32_t)(hash >> 32);
  for (size_t i = (size_t)hash & m->mask;; i = (i + 1) & m->mask) {
    const clv__hslot *s = &m->slots[i];
    if (s->index == 0)
      return 0;
    if (s->tag == tag && clv__hashmap_key_is(m, s->index - 1, key, n)) {
      *index = s->index - 1;
      return 1;
    }
  }
}

void clv__mem_populate(void *p, size_t n) {
  long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || n < (size_t)page)
    return;
  uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
  uintptr_t b = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
  if (b > a)
    (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
}

/* Doubles the slot table and re-inserts every slot. The hash of a stored key
 * is not kept, so it is recomputed from the key: cheaper in memory than 8
 * more bytes per key, and growth happens O(log n) times. */
static int grow_slots(clv__hashmap *m) {
  size_t cap = m->mask ? (m->mask + 1) * 2 : 1024;
  clv__hslot *slots = calloc(cap, sizeof *slots);
  if (slots == NULL)
    return CLV_ENOMEM;
  /* The re-insertion below touches every page of a large table. */
  if (cap * sizeof *slots >= POPULATE_MIN)
    clv__mem_populate(slots, cap * sizeof *slots);
  /* The keys are read in index order (sequential), but every insertion
   * lands on a random slot: a small ring of hashes computed REHASH_AHEAD
   * keys ahead lets those slots be requested early, so that the table's
   * cache misses overlap instead of costing a full memory latency each. */
  enum { REHASH_AHEAD = 16 };
  uint64_t ring[REHASH_AHEAD];
  for (size_t k = 0; k < (size_t)m->count + REHASH_AHEAD; k++) {
    /* Insert key k - REHASH_AHEAD first: its ring entry is reused below. */
    if (k >= REHASH_AHEAD) {
      uint32_t j = (uint32_t)(k - REHASH_AHEAD);
      uint64_t h = ring[j % REHASH_AHEAD];
      size_t i = (size_t)h & (cap - 1);
      while (slots[i].index != 0)
        i = (i + 1) & (cap - 1);
      slots[i].tag = (uint32_t)(h >> 32);
      slots[i].index = j + 1;
    }
    if (k < m->count) {
      size_t len;
      const char *p = clv__hashmap_key(m, (uint32_t)k, &len);
      uint64_t h = clv__hash_bytes(p, len);
      __builtin_prefetch(&slots[(size_t)h & (cap - 1)], 1);
      ring[k % REHASH_AHEAD] = h;
    }
  }
  free(m->slots);
  m->slots = slots;
  m->mask = cap - 1;
  /* Past 2^32 keys the count stops first (store_key: CLV_EOVERFLOW). */
  m->grow_at =
      cap / 10 * 7 < UINT32_MAX ? (uint32_t)(cap / 10 * 7) : UINT32_MAX;
  return CLV_OK;
}

/* Writes the record of key number m->count (the caller made room). */
static int store_key(clv__hashmap *m, const char *key, size_t n) {
  clv__hkey *k = (clv__hkey *)(void *)(m->recs + (size_t)m->count * m->stride);
  if (m->count >= MAX_KEYS)
    return CLV_EOVERFLOW;
  if (n == SHORT_KEY_MAX) {
    /* The common fixed-width id: a copy of constant size, no call. */
    k->len = (unsigned char)n;
    memcpy(k->b, key, SHORT_KEY_MAX);
    return CLV_OK;
  }
  memset(k, 0, sizeof *k);
  if (n < SHORT_KEY_MAX) {
    k->len = (unsigned char)n;
    if (n)
      memcpy(k->b, key, n);
    return CLV_OK;
  }
  size_t need = n + 10;
  if (m->arena_len + need > m->arena_cap) {
    size_t cap = m->arena_cap ? m->arena_cap : 4096;
    while (cap < m->arena_len + need)
      cap *= 2;
    unsigned char *p = realloc(m->arena, cap);
    if (p == NULL)
      return CLV_ENOMEM;
    m->arena = p;
    m->arena_cap = cap;
  }
  uint64_t off = m->arena_len;
  unsigned char *a = m->arena + m->arena_len;
  size_t v = n;
  while (v >= 0x80) {
    *a++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *a++ = (unsigned char)v;
  memcpy(a, key, n);
  m->arena_len = (size_t)(a + n - m->arena);
  k->len = LONG_KEY_MARK;
  memcpy(k->b, &off, 8);
  return CLV_OK;
}

int clv__hashmap_intern(clv__hashmap *m, const char *key, size_t n,
                        uint64_t hash, uint32_t *index, int *inserted) {
  int rc;
  *inserted = 0;
  /* grow_at is 0 before the first insert, else 0.7 times the slots. */
  if (m->count >= m->grow_at) {
    rc = grow_slots(m);
    if (rc)
      return rc;
  }
  uint32_t tag = (uint32_t)(hash >> 32);
  size_t i = (size_t)hash & m->mask;
  for (;; i = (i + 1) & m->mask) {
    clv__hslot *s = &m->slots[i];
    if (s->index == 0)
      break;
    if (s->tag == tag && clv__hashmap_key_is(m, s->index - 1, key, n)) {
      *index = s->index - 1;
      return CLV_OK;
    }
  }
  rc = store_key(m, key, n);
  if (rc)
    return rc;
  m->slots[i].tag = tag;
  m->slots[i].index = m->count + 1;
  *index = m->count++;
  *inserted = 1;
  return CLV_OK;
}

size_t clv__hashmap_bytes(const clv__hashmap *m) {
  return (m->mask ? (m->mask + 1) * sizeof(clv__hslot) : 0) + m->arena_cap;
}

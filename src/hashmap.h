/*
 * hashmap.h - the customer-id hash map of the summariser (internal).
 *
 * Interns byte strings (customer ids) and numbers them 0, 1, 2, ... in order
 * of first insertion, so that a caller can keep per-customer state in a plain
 * array indexed by that number. Open addressing with linear probing; a slot
 * is 8 bytes (a 32-bit hash fragment and the index + 1, 0 = empty) and the
 * table doubles at 0.7 load.
 *
 * The keys do not live in the map: each key has a 9-byte record
 * (clv__hkey) inside the CALLER's per-key state, at a fixed stride, so that
 * a lookup that hits touches the slot and then one cache line that holds
 * both the key and the state the caller is about to update. Keys of up to
 * 8 bytes sit inside the record; longer keys in an arena of the map (a
 * varint length, then the bytes) that the record points to.
 */
#ifndef CLV_HASHMAP_H
#define CLV_HASHMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define CLV__HKEY_INLINE 8 /* keys up to this length live in the record */

typedef struct clv__hslot {
  uint32_t tag;   /* high 32 bits of the key's hash */
  uint32_t index; /* key index + 1; 0 marks an empty slot */
} clv__hslot;

/* A key record: len <= 8 and the bytes, or len 0xFF and the arena offset
 * (8 bytes, native order) in b. Alignment 1, so that callers can pack it. */
typedef struct clv__hkey {
  unsigned char len;
  unsigned char b[CLV__HKEY_INLINE];
} clv__hkey;

typedef struct clv__hashmap {
  clv__hslot *slots;
  size_t mask; /* slot count - 1 (a power of two), 0 before the first insert */
  unsigned char *recs; /* the caller's key records: recs + i * stride */
  size_t stride;
  uint32_t count;
  uint32_t grow_at;     /* the table doubles before this many keys are held */
  unsigned char *arena; /* long keys */
  size_t arena_len, arena_cap;
} clv__hashmap;

/* A fast 64-bit hash of n bytes (well mixed in every bit). */
uint64_t clv__hash_bytes(const void *p, size_t n);

/* Prepares an empty map whose key records are `stride` bytes apart (no
 * allocation yet). */
void clv__hashmap_init(clv__hashmap *m, size_t stride);

/* Releases the map's memory (not the caller's records). Accepts NULL. */
void clv__hashmap_free(clv__hashmap *m);

/* Tells the map where record 0 is; call after every move of the caller's
 * array. The array must have room for record `count` before an intern. */
static inline void clv__hashmap_set_records(clv__hashmap *m, void *rec0) {
  m->recs = rec0;
}

/*
 * Finds the key (n bytes, any content, n may be 0), inserting it when absent
 * (the new record, index m->count, is written). `hash` must be
 * clv__hash_bytes(key, n). Writes its index to *index and sets *inserted to
 * 1 when it was new. Returns CLV_OK, CLV_ENOMEM, or CLV_EOVERFLOW (more than
 * 2^32 - 2 keys).
 */
int clv__hashmap_intern(clv__hashmap *m, const char *key, size_t n,
                        uint64_t hash, uint32_t *index, int *inserted);

/* Looks the key up without inserting: 1 and *index when found, else 0. */
int clv__hashmap_find(const clv__hashmap *m, const char *key, size_t n,
                      uint64_t hash, uint32_t *index);

/* Prefetch helpers for batched lookups: the slot a hash starts at, and the
 * index held by that slot when its tag matches (UINT32_MAX otherwise). A
 * guess for prefetching only; intern/find give the answer. */
static inline void clv__hashmap_prefetch_slot(const clv__hashmap *m,
                                              uint64_t hash) {
  __builtin_prefetch(&m->slots[(size_t)hash & m->mask]);
}
static inline uint32_t clv__hashmap_guess(const clv__hashmap *m,
                                          uint64_t hash) {
  /* The first tag match among the slots up to the end of the first slot's
   * cache line (8 slots of 8 bytes), stopping at an empty slot: with
   * linear probing a key sits a slot or two past its home position as
   * often as not, and a guess that stopped at the home slot would leave
   * those rows' record misses unprefetched. */
  uint32_t tag = (uint32_t)(hash >> 32);
  size_t i = (size_t)hash & m->mask;
  size_t end = (i | 7) < m->mask ? (i | 7) : m->mask;
  for (;; i++) {
    const clv__hslot *s = &m->slots[i];
    if (s->index == 0)
      return UINT32_MAX;
    if (s->tag == tag)
      return s->index - 1;
    if (i == end)
      return UINT32_MAX;
  }
}

/* clv__hashmap_key_is() for keys longer than CLV__HKEY_INLINE. */
int clv__hashmap_long_key_is(const clv__hashmap *m, uint32_t index,
                             const char *key, size_t n);

/* 1 when key number `index` (< m->count) is the n bytes at `key`. Inline,
 * so that a lookup whose record is already in cache costs a few
 * instructions: short keys are zero-padded in their record, so an 8-byte
 * key is one length byte and one 8-byte word. */
static inline int clv__hashmap_key_is(const clv__hashmap *m, uint32_t index,
                                      const char *key, size_t n) {
  const clv__hkey *k =
      (const clv__hkey *)(const void *)(m->recs + (size_t)index * m->stride);
  if (n == CLV__HKEY_INLINE) {
    uint64_t a, b;
    memcpy(&a, k->b, 8);
    memcpy(&b, key, 8);
    return k->len == n && a == b;
  }
  if (n < CLV__HKEY_INLINE)
    return k->len == n && memcmp(k->b, key, n) == 0;
  return k->len == 0xFF && clv__hashmap_long_key_is(m, index, key, n);
}

/* The key with this index (not NUL-terminated) and its length. */
const char *clv__hashmap_key(const clv__hashmap *m, uint32_t index,
                             size_t *len);

/*
 * Asks the kernel to back the whole pages inside [p, p + n) with memory now,
 * in one call (Linux MADV_POPULATE_WRITE), instead of one page fault per
 * page at first touch: on virtual machines a fault costs several
 * microseconds. A hint: does nothing where unsupported.
 */
void clv__mem_populate(void *p, size_t n);

/* Bytes held by the map itself (slots, arena capacity). */
size_t clv__hashmap_bytes(const clv__hashmap *m);

#endif

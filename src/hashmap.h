/*
 * hashmap.h - the customer-id hash map of the summariser (internal).
 *
 * Interns byte strings (customer ids) and numbers them 0, 1, 2, ... in order
 * of first insertion, so that a caller can keep per-customer state in a plain
 * array indexed by that number. Open addressing with linear probing; a slot
 * is 8 bytes (a 32-bit hash fragment and the index + 1, 0 = empty) and the
 * table doubles at 0.7 load. Each key has an 8-byte record: keys of up to 7
 * bytes live inside the record (one cache line touched per lookup), longer
 * keys in an arena (a varint length, then the bytes) that the record points
 * to. Memory per key is therefore about 8 + 8/load bytes for short ids.
 */
#ifndef CLV_HASHMAP_H
#define CLV_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct clv__hslot {
  uint32_t tag;   /* high 32 bits of the key's hash */
  uint32_t index; /* key index + 1; 0 marks an empty slot */
} clv__hslot;

typedef struct clv__hkey {
  unsigned char b[8]; /* b[0] = length (<= 7) and the bytes, or 0xFF + offset */
} clv__hkey;

typedef struct clv__hashmap {
  clv__hslot *slots;
  size_t mask; /* slot count - 1 (a power of two), 0 before the first insert */
  clv__hkey *keys;
  uint32_t count, keys_cap;
  unsigned char *arena; /* long keys */
  size_t arena_len, arena_cap;
} clv__hashmap;

/* A fast 64-bit hash of n bytes (well mixed in every bit). */
uint64_t clv__hash_bytes(const void *p, size_t n);

/* Prepares an empty map (no allocation yet). */
void clv__hashmap_init(clv__hashmap *m);

/* Releases the map's memory. Accepts NULL and an initialised empty map. */
void clv__hashmap_free(clv__hashmap *m);

/*
 * Finds the key (n bytes, any content, n may be 0), inserting it when absent.
 * `hash` must be clv__hash_bytes(key, n). Writes its index to *index and sets
 * *inserted to 1 when it was new. Returns CLV_OK, CLV_ENOMEM, or
 * CLV_EOVERFLOW (more than 2^32 - 1 keys or 4 GiB of long keys).
 */
int clv__hashmap_intern(clv__hashmap *m, const char *key, size_t n,
                        uint64_t hash, uint32_t *index, int *inserted);

/* Looks the key up without inserting: 1 and *index when found, else 0. */
int clv__hashmap_find(const clv__hashmap *m, const char *key, size_t n,
                      uint64_t hash, uint32_t *index);

/* The key with this index (not NUL-terminated) and its length. */
const char *clv__hashmap_key(const clv__hashmap *m, uint32_t index,
                             size_t *len);

/* Bytes held by the map (slots, records, arena capacity). */
size_t clv__hashmap_bytes(const clv__hashmap *m);

#endif

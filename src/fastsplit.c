/*
 * fastsplit.c - the plain-CSV row splitter (see fastsplit.h).
 *
 * The buffer is read 64 bytes at a time. For each block four bit masks say
 * where the delimiters, line feeds, quotes and carriage returns are (bit i
 * for byte i); the rows are then cut by walking the set bits of
 * "delimiter or line feed" in order, which costs a few instructions per
 * field instead of a few per byte. The idea is the one of simdjson's
 * structural-character masks (Langdale & Lemire 2019, "Parsing gigabytes
 * of JSON per second"), reduced to what an unquoted CSV needs.
 *
 * What is plain: exactly what csv.c's parse_row_plain() takes (a row that
 * does not start with a blank, CR, LF or quote, holds no quote, and ends
 * with a line feed), plus a last row without a line feed; a CR is only
 * allowed right before a line feed, where it is cut off the last field as
 * csv.c does, and a buffer may not start with a byte-order mark (csv.c
 * would skip it). Everything else stops the split.
 */
#include "fastsplit.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1
#endif

/* The masks of one 64-byte block (fastsplit.h names the type). */
struct clv__fast_block {
  uint64_t stop; /* delimiter or line feed */
  uint64_t nl;   /* line feed */
  uint64_t odd;  /* quote or carriage return */
};
typedef struct clv__fast_block block;

#if defined(__SSE2__)
static inline uint64_t eq16(__m128i v, __m128i c) {
  return (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, c));
}

static inline void block_masks(const char *p, char delim, block *m) {
  const __m128i d = _mm_set1_epi8(delim), n = _mm_set1_epi8('\n');
  const __m128i q = _mm_set1_epi8('"'), r = _mm_set1_epi8('\r');
  uint64_t md = 0, mn = 0, mo = 0;
  for (int k = 0; k < 4; k++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
    md |= eq16(v, d) << (16 * k);
    mn |= eq16(v, n) << (16 * k);
    mo |= (eq16(v, q) | eq16(v, r)) << (16 * k);
  }
  m->stop = md | mn;
  m->nl = mn;
  m->odd = mo;
}
#else
/* The same masks, a byte at a time, for targets without SSE2. */
static inline void block_masks(const char *p, char delim, block *m) {
  uint64_t md = 0, mn = 0, mo = 0;
  for (int i = 0; i < 64; i++) {
    uint64_t bit = (uint64_t)1 << i;
    char c = p[i];
    if (c == delim)
      md |= bit;
    else if (c == '\n')
      mn |= bit;
    else if (c == '"' || c == '\r')
      mo |= bit;
  }
  m->stop = md | mn;
  m->nl = mn;
  m->odd = mo;
}
#endif

#if HAVE_AVX2_PATH
/* The same masks with 32-byte compares, for the processors that have them
 * (chosen once at run time: the build targets plain x86-64). */
__attribute__((target("avx2"))) static void
block_masks_avx2(const char *p, char delim, block *m) {
  const __m256i d = _mm256_set1_epi8(delim), n = _mm256_set1_epi8('\n');
  const __m256i q = _mm256_set1_epi8('"'), r = _mm256_set1_epi8('\r');
  __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
  __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
#define MASK64(c)                                                              \
  ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, c)) |        \
   (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, c)) << 32)
  uint64_t mn = MASK64(n);
  m->stop = MASK64(d) | mn;
  m->nl = mn;
  m->odd = MASK64(q) | MASK64(r);
#undef MASK64
}
#endif

int clv__fast_split_init(clv__fast_split *s, const char *buf, size_t len,
                         char delim, const int *cols, size_t ncols,
                         size_t need) {
  memset(s, 0, sizeof *s);
  /* A blank delimiter means runs of blanks (csv.c's whitespace mode), and a
   * quote, CR or LF cannot delimit an unquoted row. */
  if (delim == 0 || delim == ' ' || delim == '"' || delim == '\r' ||
      delim == '\n' || len >= UINT32_MAX || ncols > 3 || need == 0 ||
      need > CLV__FAST_MAX_FIELDS)
    return -1;
  memset(s->slot, -1, sizeof s->slot);
  for (size_t k = 0; k < ncols; k++) {
    if (cols[k] < 0 || (size_t)cols[k] >= need || s->slot[cols[k]] >= 0)
      return -1;
    s->slot[cols[k]] = (signed char)k;
  }
  s->buf = buf;
  s->len = len;
  s->need = need;
  s->delim = delim;
  s->masks = block_masks;
#if HAVE_AVX2_PATH
  if (__builtin_cpu_supports("avx2"))
    s->masks = block_masks_avx2;
#endif
  return 0;
}

/* The masks of the block at base; a block that runs past the end is read
 * from a zero-padded copy (a zero byte is never a delimiter here). A quote,
 * or a CR that is not right before a line feed (one at the very end
 * included), makes the block unusable: returns 0 then, else 1. */
static int load_block(const clv__fast_split *s, size_t base, block *m) {
  const char *p = s->buf + base;
  char tmp[64];
  size_t left = s->len - base;
  if (left < 64) {
    memset(tmp, 0, sizeof tmp);
    memcpy(tmp, p, left);
    p = tmp;
  }
  s->masks(p, s->delim, m);
  if (m->odd == 0)
    return 1;
  /* Where a CR may stand: before a line feed of this block, or in the last
   * byte when the next block starts with one. */
  uint64_t ok_cr = m->nl >> 1;
  if (left > 64 && s->buf[base + 64] == '\n')
    ok_cr |= (uint64_t)1 << 63;
  for (uint64_t o = m->odd; o; o &= o - 1) {
    unsigned i = (unsigned)__builtin_ctzll(o);
    if (p[i] == '"' || !(ok_cr >> i & 1))
      return 0;
  }
  return 1;
}

/* 1 when a row may start with this byte on the plain path. */
static inline int plain_start(char c) {
  return c != ' ' && c != '\t' && c != '\r' && c != '\n';
}

size_t clv__fast_split_next(clv__fast_split *s, clv__fast_row *out,
                            size_t max) {
  const char *b = s->buf;
  size_t len = s->len, ls = s->pos, fs = ls, nrows = 0, field = 0;
  block m;
  if (s->failed || ls >= len || max == 0)
    return 0;
  /* csv.c skips a byte-order mark at the start of its buffer: not here. */
  if (!plain_start(b[ls]) ||
      (ls == 0 && len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0))
    goto fail;
  clv__fast_row *row = out;
  /* Blocks start at the row start: a call never carries a half-read block,
   * at the cost of reading again the part of one block per call. */
  for (size_t base = ls; base < len; base += 64) {
    if (!load_block(s, base, &m))
      goto fail;
    for (uint64_t bits = m.stop; bits; bits &= bits - 1) {
      unsigned i = (unsigned)__builtin_ctzll(bits);
      size_t at = base + i;
      int sl = field < CLV__FAST_MAX_FIELDS ? s->slot[field] : -1;
      if (!(m.nl >> i & 1)) {
        if (sl >= 0) {
          row->off[sl] = (uint32_t)fs;
          row->len[sl] = (uint32_t)(at - fs);
        }
        field++;
        fs = at + 1;
        continue;
      }
      /* A line feed ends the row; a CR before it is not part of the last
       * field. */
      size_t fe = at > fs && b[at - 1] == '\r' ? at - 1 : at;
      if (sl >= 0) {
        row->off[sl] = (uint32_t)fs;
        row->len[sl] = (uint32_t)(fe - fs);
      }
      if (field + 1 < s->need)
        goto fail;
      row->end = (uint32_t)(at + 1);
      nrows++;
      ls = fs = at + 1;
      field = 0;
      if (nrows == max || ls >= len) {
        s->pos = ls;
        return nrows;
      }
      if (!plain_start(b[ls]))
        goto fail;
      row = &out[nrows];
    }
  }
  /* The last row has no line feed: it ends at the end of the buffer (a CR
   * there was refused by load_block()). */
  {
    int sl = field < CLV__FAST_MAX_FIELDS ? s->slot[field] : -1;
    if (sl >= 0) {
      row->off[sl] = (uint32_t)fs;
      row->len[sl] = (uint32_t)(len - fs);
    }
    if (field + 1 < s->need)
      goto fail;
    row->end = (uint32_t)len;
    nrows++;
    s->pos = len;
    return nrows;
  }
fail:
  /* The rows before ls are good and handed out; the one at ls is not. */
  s->pos = ls;
  s->failed = 1;
  return nrows;
}

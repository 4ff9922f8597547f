/*
 * Native reference for the dispatch and routing benchmarks: the stand-in for
 * the hardware's limit. It reads its inputs from a file the JavaScript side
 * wrote (so both sides see the same bytes), times the kernel `reps` times and
 * prints the median ns per operation and a checksum of the output, which the
 * benchmark compares with the library's.
 *
 *   ring dispatch FILE        u32 n, count, reps; tokens[n]; peers[n]; queries[count]
 *   ring route FILE           u32 racks, keys, bytes, reps; per rack: n, tokens[n],
 *                             peers[n]; offsets[keys + 1]; key bytes
 *   ring dispatch-stree FILE  as dispatch, searching an S-tree instead
 *   ring route-stree FILE     as route, searching an S-tree per rack
 *
 * Two searches: a branch-free binary search over the sorted tokens, and the
 * S-tree of the WebAssembly engine (the same layout as assembly/dispatch.ts:
 * biased tokens, 16-key nodes of one cache line, fan-out 17, the peers array
 * indexed by sorted position, docs/wasm-abi.md), searched with AVX2 (two
 * 8-lane compares per node) where the compiler targets it, else SSE2 (four
 * 4-lane compares), 16 queries in lockstep.
 *
 * Output: {"nsPerOp": <median>, "checksum": <u32>}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__AVX2__)
#include <immintrin.h>
#define SIMD_NAME "avx2"
#else
#include <emmintrin.h>
#define SIMD_NAME "sse2"
#endif

typedef struct {
  uint32_t n;
  const uint32_t *tokens;
  const uint32_t *peers;
} continuum;

/* Index of the first token >= t (n when none): branch-free binary search. */
static inline uint32_t lower_bound(const uint32_t *a, uint32_t n, uint32_t t) {
  const uint32_t *base = a;
  while (n > 1) {
    uint32_t half = n >> 1;
    base = base[half] < t ? base + half : base;
    n -= half;
  }
  return (uint32_t)(base - a) + (*base < t);
}

/* Owner of token t: the first entry >= t, wrapping to entry 0 past the last. */
static inline uint32_t dispatch(const continuum *c, uint32_t t) {
  uint32_t i = lower_bound(c->tokens, c->n, t);
  /* A mask, not a conditional: the wrap is taken by 1 token in n + 1 and a
     mispredicted branch would cost more than the whole search on small racks. */
  return c->peers[i & -(uint32_t)(i != c->n)];
}

/* ---- S-tree (the WebAssembly engine's layout) ---------------------------- */

enum { NODE = 16, FANOUT = 17, MAX_LEVELS = 14, LOCKSTEP = 8 };
#define BIAS 0x80000000u

typedef struct {
  uint32_t levels;
  uint32_t *level[MAX_LEVELS]; /* root first; each level's nodes of NODE biased keys */
  uint32_t *peers;             /* peer of each sorted position; positions >= n wrap */
} stree;

static void *aligned(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64)) { perror("posix_memalign"); exit(1); }
  return p;
}

/* Built as src/engine/wasm-kernel.ts writes it (writeSTree). */
static stree build_stree(const continuum *c) {
  stree s;
  uint32_t n = c->n, counts[MAX_LEVELS], levels = 1;
  counts[0] = (n + NODE - 1) / NODE;
  while (counts[0] > 1) {
    memmove(counts + 1, counts, levels * sizeof *counts);
    counts[0] = (counts[1] + FANOUT - 1) / FANOUT;
    levels++;
  }
  s.levels = levels;
  for (uint32_t h = 0; h < levels; h++) {
    s.level[h] = aligned(64 * (size_t)counts[h]);
    for (size_t i = 0; i < 16 * (size_t)counts[h]; i++) s.level[h][i] = 0xffffffffu ^ BIAS;
  }
  uint64_t span = NODE;
  for (int h = (int)levels - 1; h >= 0; h--) {
    if (h == (int)levels - 1) {
      for (uint32_t i = 0; i < n; i++) s.level[h][i] = c->tokens[i] ^ BIAS;
    } else {
      for (uint64_t k = 0; k < counts[h]; k++) {
        for (uint64_t j = 0; j < NODE; j++) {
          uint64_t end = (FANOUT * k + j + 1) * span;
          if (end >= n) break;
          s.level[h][NODE * k + j] = c->tokens[end - 1] ^ BIAS;
        }
      }
      span *= FANOUT;
    }
  }
  size_t slots = (size_t)NODE * counts[levels - 1] + 1;
  s.peers = aligned(4 * slots);
  for (size_t i = 0; i < slots; i++) s.peers[i] = i < n ? c->peers[i] : c->peers[0];
  return s;
}

#if defined(__AVX2__)
typedef struct { __m256i lo, hi; } node_regs;
static inline node_regs load_node(const uint32_t *node) {
  return (node_regs){ _mm256_load_si256((const __m256i *)node), _mm256_load_si256((const __m256i *)(node + 8)) };
}
/* Keys of a node below the biased query: the rank that names the child. The
   two 8 x 32-bit masks pack into 16 x 16-bit lanes, so one movemask (two bits
   per key) and one popcount count all 16. */
static inline uint32_t rank_in(node_regs n, uint32_t t) {
  __m256i q = _mm256_set1_epi32((int32_t)(t ^ BIAS));
  __m256i m = _mm256_packs_epi32(_mm256_cmpgt_epi32(q, n.lo), _mm256_cmpgt_epi32(q, n.hi));
  return (uint32_t)__builtin_popcount((uint32_t)_mm256_movemask_epi8(m)) >> 1;
}
#else
typedef struct { __m128i a, b, c, d; } node_regs;
static inline node_regs load_node(const uint32_t *node) {
  const __m128i *v = (const __m128i *)node;
  return (node_regs){ _mm_load_si128(v), _mm_load_si128(v + 1), _mm_load_si128(v + 2), _mm_load_si128(v + 3) };
}
static inline uint32_t rank_in(node_regs n, uint32_t t) {
  __m128i q = _mm_set1_epi32((int32_t)(t ^ BIAS));
  __m128i lo = _mm_packs_epi32(_mm_cmpgt_epi32(q, n.a), _mm_cmpgt_epi32(q, n.b));
  __m128i hi = _mm_packs_epi32(_mm_cmpgt_epi32(q, n.c), _mm_cmpgt_epi32(q, n.d));
  return (uint32_t)__builtin_popcount((uint32_t)_mm_movemask_epi8(_mm_packs_epi16(lo, hi)));
}
#endif

static inline uint32_t node_rank(const uint32_t *node, uint32_t t) { return rank_in(load_node(node), t); }

static inline uint32_t stree_one(const stree *s, uint32_t t) {
  uint32_t k = 0;
  for (uint32_t h = 0; h + 1 < s->levels; h++) k = k * FANOUT + node_rank(s->level[h] + (size_t)NODE * k, t);
  return s->peers[(size_t)NODE * k + node_rank(s->level[s->levels - 1] + (size_t)NODE * k, t)];
}

/* Owners of count tokens, written stride words apart. As the WebAssembly
   kernel does: the root is held in registers for the whole batch, and
   LOCKSTEP searches descend each level together so their cache misses
   overlap; a one-node tree is its own leaf. */
static void stree_batch(const stree *s, const uint32_t *q, uint32_t count, uint32_t *out, uint32_t stride) {
  const node_regs root = load_node(s->level[0]);
  const uint32_t *leaves = s->level[s->levels - 1];
  uint32_t i = 0;
  if (s->levels == 1) {
    for (; i < count; i++) out[(size_t)i * stride] = s->peers[rank_in(root, q[i])];
    return;
  }
  for (; i + LOCKSTEP <= count; i += LOCKSTEP) {
    uint32_t k[LOCKSTEP];
    for (int j = 0; j < LOCKSTEP; j++) k[j] = rank_in(root, q[i + j]);
    for (uint32_t h = 1; h + 1 < s->levels; h++) {
      const uint32_t *level = s->level[h];
      for (int j = 0; j < LOCKSTEP; j++) k[j] = k[j] * FANOUT + node_rank(level + (size_t)NODE * k[j], q[i + j]);
    }
    for (int j = 0; j < LOCKSTEP; j++)
      out[(size_t)(i + j) * stride] = s->peers[(size_t)NODE * k[j] + node_rank(leaves + (size_t)NODE * k[j], q[i + j])];
  }
  for (; i < count; i++) out[(size_t)i * stride] = stree_one(s, q[i]);
}

/* Dynomite's murmur (MurmurHash2 with the seed 0xdeadbeef * len ^ len). */
static inline uint32_t murmur(const uint8_t *key, uint32_t len) {
  const uint32_t m = 0x5bd1e995;
  uint32_t h = (0xdeadbeefu * len) ^ len;
  const uint8_t *p = key;
  for (uint32_t left = len; left >= 4; left -= 4, p += 4) {
    uint32_t k;
    memcpy(&k, p, 4);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h = (h * m) ^ k;
  }
  switch (len & 3) {
    case 3: h ^= (uint32_t)p[2] << 16; /* fall through */
    case 2: h ^= (uint32_t)p[1] << 8;  /* fall through */
    case 1: h ^= p[0]; h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static uint32_t checksum(const uint32_t *out, size_t count) {
  uint32_t c = 2166136261u; /* FNV-1a over the u32 outputs */
  for (size_t i = 0; i < count; i++) c = (c ^ out[i]) * 16777619u;
  return c;
}

static uint32_t *read_all(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint32_t *data = malloc((size_t)size + 4);
  if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror(path); exit(1); }
  fclose(f);
  return data;
}

static void dispatch_all(const continuum *c, const uint32_t *q, uint32_t count, uint32_t *out) {
  for (uint32_t i = 0; i < count; i++) out[i] = dispatch(c, q[i]);
}

static void route_all(const continuum *racks, uint32_t nracks, const uint32_t *offsets,
                      const uint8_t *bytes, uint32_t keys, uint32_t *out) {
  for (uint32_t k = 0; k < keys; k++) {
    uint32_t t = murmur(bytes + offsets[k], offsets[k + 1] - offsets[k]);
    for (uint32_t r = 0; r < nracks; r++) *out++ = dispatch(&racks[r], t);
  }
}

enum { ROUTE_CHUNK = 4096 };

/* As the WebAssembly engine routes: hash a chunk of keys, then each rack
   dispatches the chunk as a batch into its column of the output. */
static void route_all_stree(const stree *racks, uint32_t nracks, const uint32_t *offsets,
                            const uint8_t *bytes, uint32_t keys, uint32_t *out) {
  static uint32_t tokens[ROUTE_CHUNK];
  for (uint32_t k = 0; k < keys; k += ROUTE_CHUNK) {
    uint32_t count = keys - k < ROUTE_CHUNK ? keys - k : ROUTE_CHUNK;
    for (uint32_t i = 0; i < count; i++) tokens[i] = murmur(bytes + offsets[k + i], offsets[k + i + 1] - offsets[k + i]);
    for (uint32_t r = 0; r < nracks; r++) stree_batch(&racks[r], tokens, count, out + (size_t)k * nracks + r, nracks);
  }
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: ring dispatch|route|dispatch-stree|route-stree FILE\n"); return 2; }
  uint32_t *in = read_all(argv[2]);
  double samples[64]; /* reps <= 64 */
  uint32_t reps, outs;
  uint32_t *out;
  volatile uint32_t sink = 0;

  int use_stree = strstr(argv[1], "-stree") != NULL;
  if (strncmp(argv[1], "dispatch", 8) == 0) {
    continuum c = { in[0], in + 3, in + 3 + in[0] };
    uint32_t count = in[1];
    const uint32_t *q = in + 3 + 2 * c.n;
    stree s = {0};
    if (use_stree) s = build_stree(&c);
    reps = in[2];
    outs = count;
    out = malloc(4 * (size_t)count);
    for (uint32_t r = 0; r <= reps; r++) { /* round 0 warms up */
      double start = now_ns();
      if (use_stree) stree_batch(&s, q, count, out, 1);
      else dispatch_all(&c, q, count, out);
      if (r > 0) samples[r - 1] = (now_ns() - start) / count;
      sink += out[r % count];
    }
  } else if (strncmp(argv[1], "route", 5) == 0) {
    uint32_t nracks = in[0], keys = in[1];
    reps = in[3];
    continuum racks[16];
    stree trees[16];
    const uint32_t *at = in + 4;
    for (uint32_t r = 0; r < nracks; r++) {
      racks[r] = (continuum){ at[0], at + 1, at + 1 + at[0] };
      if (use_stree) trees[r] = build_stree(&racks[r]);
      at += 1 + 2 * at[0];
    }
    const uint32_t *offsets = at;
    const uint8_t *bytes = (const uint8_t *)(at + keys + 1);
    outs = keys * nracks;
    out = malloc(4 * (size_t)outs);
    for (uint32_t r = 0; r <= reps; r++) {
      double start = now_ns();
      if (use_stree) route_all_stree(trees, nracks, offsets, bytes, keys, out);
      else route_all(racks, nracks, offsets, bytes, keys, out);
      if (r > 0) samples[r - 1] = (now_ns() - start) / keys;
      sink += out[r % outs];
    }
  } else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  qsort(samples, reps, sizeof(double), by_value);
  double median = reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
  printf("{\"nsPerOp\": %.4f, \"checksum\": %u, \"simd\": \"%s\"}\n", median, checksum(out, outs), SIMD_NAME);
  return 0;
}

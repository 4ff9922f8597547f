/*
 * Native reference for the dispatch and routing benchmarks: the stand-in for
 * the hardware's limit. It reads its inputs from a file the JavaScript side
 * wrote (so both sides see the same bytes), times the kernel `reps` times and
 * prints the median ns per operation and a checksum of the output, which the
 * benchmark compares with the library's.
 *
 *   ring dispatch FILE   u32 n, count, reps; tokens[n]; peers[n]; queries[count]
 *   ring route FILE      u32 racks, keys, bytes, reps; per rack: n, tokens[n],
 *                        peers[n]; offsets[keys + 1]; key bytes
 *
 * Output: {"nsPerOp": <median>, "checksum": <u32>}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: ring dispatch|route FILE\n"); return 2; }
  uint32_t *in = read_all(argv[2]);
  double samples[64]; /* reps <= 64 */
  uint32_t reps, outs;
  uint32_t *out;
  volatile uint32_t sink = 0;

  if (strcmp(argv[1], "dispatch") == 0) {
    continuum c = { in[0], in + 3, in + 3 + in[0] };
    uint32_t count = in[1];
    const uint32_t *q = in + 3 + 2 * c.n;
    reps = in[2];
    outs = count;
    out = malloc(4 * (size_t)count);
    dispatch_all(&c, q, count, out); /* warm-up */
    for (uint32_t r = 0; r < reps; r++) {
      double start = now_ns();
      dispatch_all(&c, q, count, out);
      samples[r] = (now_ns() - start) / count;
      sink += out[r % count];
    }
  } else if (strcmp(argv[1], "route") == 0) {
    uint32_t nracks = in[0], keys = in[1];
    reps = in[3];
    continuum racks[16];
    const uint32_t *at = in + 4;
    for (uint32_t r = 0; r < nracks; r++) {
      racks[r] = (continuum){ at[0], at + 1, at + 1 + at[0] };
      at += 1 + 2 * at[0];
    }
    const uint32_t *offsets = at;
    const uint8_t *bytes = (const uint8_t *)(at + keys + 1);
    outs = keys * nracks;
    out = malloc(4 * (size_t)outs);
    route_all(racks, nracks, offsets, bytes, keys, out);
    for (uint32_t r = 0; r < reps; r++) {
      double start = now_ns();
      route_all(racks, nracks, offsets, bytes, keys, out);
      samples[r] = (now_ns() - start) / keys;
      sink += out[r % outs];
    }
  } else {
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
  }
  qsort(samples, reps, sizeof(double), by_value);
  double median = reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
  printf("{\"nsPerOp\": %.4f, \"checksum\": %u}\n", median, checksum(out, outs));
  return 0;
}

/* Memory read bandwidth of this machine: sums a 1 GiB float array with 1..N threads (AVX2 when the
 * compiler targets it, plain loops otherwise) and prints the best GB/s. Used by `npm run bench`
 * for the T2S decode ceiling (bytes read per token / bandwidth).
 *   cc -O3 -march=native -pthread bandwidth.c -o bandwidth && ./bandwidth [MiB] [threads] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { const float *p; size_t n; float sum; } Part;

static void *reader(void *arg) {
  Part *a = arg;
  float s[16] = {0};
  for (size_t i = 0; i + 16 <= a->n; i += 16)
    for (int j = 0; j < 16; j++) s[j] += a->p[i + j]; /* vectorised by -O3: 16 independent sums */
  float t = 0;
  for (int j = 0; j < 16; j++) t += s[j];
  a->sum = t;
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)atol(argv[1]) : 1024;
  int threads = argc > 2 ? atoi(argv[2]) : 1;
  if (threads < 1 || threads > 64) threads = 1;
  size_t n = mib * 1024 * 1024 / sizeof(float);
  float *p = aligned_alloc(64, n * sizeof(float));
  if (!p) return 1;
  for (size_t i = 0; i < n; i++) p[i] = (float)(i & 7);
  double best = 1e30;
  float sink = 0;
  for (int r = 0; r < 5; r++) {
    pthread_t ts[64];
    Part parts[64];
    double t0 = now();
    for (int k = 0; k < threads; k++) {
      parts[k].p = p + n / threads * k;
      parts[k].n = n / threads;
      pthread_create(&ts[k], 0, reader, &parts[k]);
    }
    for (int k = 0; k < threads; k++) {
      pthread_join(ts[k], 0);
      sink += parts[k].sum;
    }
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  printf("%.2f\n", (double)n * sizeof(float) / best / 1e9);
  return sink == -1.0f; /* keep the sums alive */
}

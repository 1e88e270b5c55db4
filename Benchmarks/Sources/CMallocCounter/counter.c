// Counts heap allocations (benchmarks only).
//   glibc:  interposes the allocator entry points and counts every call; mallinfo2 for bytes.
//   Darwin: malloc_zone_statistics over all zones (blocks and bytes currently in use), since
//           a main executable cannot replace Darwin's malloc.
//   other (e.g. musl): no counters; both functions return 0.
#include <stddef.h>
#include <errno.h>  // on glibc, defines __GLIBC__ (through <features.h>)
#include "CMallocCounter.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <stdatomic.h>
#include <malloc.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic long count;

long wn_malloc_count(void) { return atomic_load_explicit(&count, memory_order_relaxed); }

void *malloc(size_t n) { atomic_fetch_add_explicit(&count, 1, memory_order_relaxed); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add_explicit(&count, 1, memory_order_relaxed); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add_explicit(&count, 1, memory_order_relaxed); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { atomic_fetch_add_explicit(&count, 1, memory_order_relaxed); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    void *p = memalign(a, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

long wn_heap_in_use(void) { return (long)mallinfo2().uordblks; }

#elif defined(__APPLE__)
#include <malloc/malloc.h>

// Blocks currently allocated in all malloc zones: the difference between two readings is
// the net number of allocations (made and not yet freed), not the number of calls.
long wn_malloc_count(void) {
    malloc_statistics_t stats;
    malloc_zone_statistics(NULL, &stats);
    return (long)stats.blocks_in_use;
}

long wn_heap_in_use(void) {
    malloc_statistics_t stats;
    malloc_zone_statistics(NULL, &stats);
    return (long)stats.size_in_use;
}

#else
long wn_malloc_count(void) { return 0; }
long wn_heap_in_use(void) { return 0; }
#endif

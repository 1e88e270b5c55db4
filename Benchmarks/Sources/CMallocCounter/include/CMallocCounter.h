#ifndef CMALLOCCOUNTER_H
#define CMALLOCCOUNTER_H
/// Number of malloc/calloc/realloc/memalign calls made by the process so far.
long wn_malloc_count(void);
/// Bytes currently allocated on the heap (glibc mallinfo2).
long wn_heap_in_use(void);
#endif

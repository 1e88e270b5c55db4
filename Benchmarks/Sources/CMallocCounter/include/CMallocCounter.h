#ifndef CMALLOCCOUNTER_H
#define CMALLOCCOUNTER_H
/// Number of malloc/calloc/realloc/memalign calls made by the process so far.
// (glibc. On Darwin: blocks currently in use in all malloc zones, so a difference between
// two readings counts allocations not freed in between. Elsewhere: 0.)
long wn_malloc_count(void);
/// Bytes currently allocated on the heap (glibc mallinfo2).
// (Darwin: malloc_zone_statistics' size_in_use over all zones. Elsewhere: 0.)
long wn_heap_in_use(void);
#endif

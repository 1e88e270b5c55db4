// Linux's event and zero-copy calls for the standalone server's epoll backend
// (Glibc's Swift module does not include these headers).
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <pthread.h>

// GNU extensions, declared here because the C library's headers only do so under _GNU_SOURCE.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

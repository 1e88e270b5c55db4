// Linux's event and zero-copy calls for the standalone server's epoll backend
// (the C library's Swift module does not include these headers). Used on Linux only,
// with Glibc or Musl (the static Linux SDK).
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>

// GNU extensions, declared here because the C library's headers only do so under _GNU_SOURCE.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);

// Glibc declares these constants as C enums (imported into Swift as types with a rawValue),
// Musl as plain macros (imported as Int32): re-declared here with one type on both.
static const uint32_t CLE_EPOLLIN = EPOLLIN;
static const uint32_t CLE_EPOLLOUT = EPOLLOUT;
static const uint32_t CLE_EPOLLERR = EPOLLERR;
static const uint32_t CLE_EPOLLHUP = EPOLLHUP;
static const uint32_t CLE_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CLE_EPOLLET = EPOLLET;
static const uint32_t CLE_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;
static const int CLE_EPOLL_CLOEXEC = EPOLL_CLOEXEC;
static const int CLE_EFD_CLOEXEC_NONBLOCK = EFD_CLOEXEC | EFD_NONBLOCK;
static const int CLE_SOCK_STREAM_NONBLOCK_CLOEXEC = SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
static const int CLE_SOCK_NONBLOCK_CLOEXEC = SOCK_NONBLOCK | SOCK_CLOEXEC;
static const int CLE_MSG_NOSIGNAL = MSG_NOSIGNAL;
static const int CLE_MSG_MORE = MSG_MORE;
static const int CLE_SHUT_RD = SHUT_RD;
static const int CLE_SHUT_WR = SHUT_WR;

// The port a socket is bound to (IPv4 or IPv6), or -1: read in C, where sockaddr_in's fields
// belong to no other Swift module.
static inline int cle_local_port(int fd) {
    struct sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    if (getsockname(fd, (struct sockaddr *)&storage, &length) != 0) return -1;
    if (storage.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&storage)->sin6_port);
    if (storage.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&storage)->sin_port);
    return -1;
}

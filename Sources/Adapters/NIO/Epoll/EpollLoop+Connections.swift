#if os(Linux)
import Atomics
import CLinuxEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import NIOCore

/// Accepting, closing and sweeping connections, and the epoll registrations.
extension EpollLoop {
    func acceptConnections() {
        if acceptPausedUntil != nil { return }
        while true {
            let fd = accept4(listenFD, nil, nil, CLE_SOCK_NONBLOCK_CLOEXEC)
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: stop accepting for a moment rather than spin.
                    logger.warning("whitenoise: cannot accept connections (errno \(errno)); pausing accepts")
                    acceptPausedUntil = now + 100_000_000
                    epoll_ctl(epollFD, EPOLL_CTL_DEL, listenFD, nil)
                    return
                default:
                    return  // EAGAIN: nothing more waiting
                }
            }
            if live.wrappingIncrementThenLoad(ordering: .relaxed) > maximumConnections {
                live.wrappingDecrement(ordering: .relaxed)
                _ = linuxClose(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            generation &+= 1
            let c = EpollConnection(fd: fd, generation: generation,
                                    core: HTTP1Connection(files: files, timeout: timeout, observesProgress: true, now: now))
            let index = Int(fd)
            if index >= connections.count { connections.append(contentsOf: repeatElement(nil, count: index + 1 - connections.count + 64)) }
            connections[index] = c
            openConnections += 1
            let events = CLE_EPOLLIN | CLE_EPOLLOUT | CLE_EPOLLRDHUP | CLE_EPOLLET
            guard register(fd, events: events, data: UInt64(UInt32(bitPattern: fd)) | UInt64(generation) << 32) else {
                close(c)
                continue
            }
        }
    }

    func connection(_ fd: Int32) -> EpollConnection? {
        let index = Int(fd)
        return index < connections.count ? connections[index] : nil
    }

    func close(_ c: EpollConnection) {
        guard c.isOpen else { return }
        if connection(c.fd) === c { connections[Int(c.fd)] = nil }
        c.close()  // also removes it from the epoll set
        openConnections -= 1
        live.wrappingDecrement(ordering: .relaxed)
    }

    /// The connection's last response is out (``HTTP1Connection/Action/linger``): the write
    /// side is shut, so the peer sees the end of the response, and what the peer still sends
    /// is read and dropped until it closes or the core's deadline.
    func linger(_ c: EpollConnection) {
        c.input = ByteBuffer()
        _ = linuxShutdown(c.fd, CLE_SHUT_WR)
        c.readReady = true  // read what is already there; its end is the peer's FIN
    }

    /// Closes the connections past their deadline (a head not received in time, a peer that
    /// takes nothing of a response, a linger that is over); resumes accepting after a pause.
    func sweep() {
        for case let c? in connections where now >= c.core.deadline { close(c) }
        if let until = acceptPausedUntil, now >= until {
            acceptPausedUntil = nil
            _ = registerListener()
            acceptConnections()
        }
    }

    /// Adds the listening socket, with `EPOLLEXCLUSIVE` (one loop wakes per connection) where
    /// the kernel has it (Linux 4.5+), without it elsewhere.
    func registerListener() -> Bool {
        let data = UInt64(UInt32(bitPattern: listenFD))
        return register(listenFD, events: CLE_EPOLLIN | CLE_EPOLLEXCLUSIVE, data: data)
            || (errno == EINVAL && register(listenFD, events: CLE_EPOLLIN, data: data))
    }

    func register(_ fd: Int32, events: UInt32, data: UInt64) -> Bool {
        var event = epoll_event()
        event.events = events
        event.data.u64 = data
        return epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0
    }

    static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
#endif

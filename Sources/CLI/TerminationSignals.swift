import Foundation

/// SIGINT and SIGTERM as an async stream, delivered through a pipe.
///
/// Dispatch signal sources are not used: on Linux they install their handler later, on the
/// manager thread, so until that thread has run, a signal meets the `SIG_IGN` that must be set
/// before and is lost: under load the server then never stops (seen in CI). Here the
/// handlers are in place when `stream()` returns, whichever thread takes the signal runs the
/// handler, and the handler only does what is async-signal-safe: one `write` to a pipe.
enum TerminationSignals {
    /// Write end of the pipe; set once, before the handlers are installed.
    nonisolated(unsafe) private static var writeFD: Int32 = -1

    /// Installs the handlers (replacing the default ones) and returns the signals as they arrive.
    static func stream() -> AsyncStream<Int32> {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "pipe failed: errno \(errno)")
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // not inherited by children
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)  // a handler never blocks
        let readFD = fds[0]
        writeFD = fds[1]
        let handler: @convention(c) (Int32) -> Void = { signal in
            let saved = errno  // the interrupted code may be about to read errno
            var byte = UInt8(truncatingIfNeeded: signal)
            _ = write(TerminationSignals.writeFD, &byte, 1)  // non-blocking: a full pipe drops it
            errno = saved
        }
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = handler
        #elseif canImport(Musl)
        action.__sa_handler.sa_handler = handler
        #else
        action.__sigaction_u.__sa_handler = handler
        #endif
        action.sa_flags = SA_RESTART
        sigemptyset(&action.sa_mask)
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        for signal in [SIGINT, SIGTERM] {
            precondition(sigaction(signal, &action, nil) == 0, "sigaction(\(signal)) failed: errno \(errno)")
        }
        spawnReader(readFD: readFD, continuation: continuation)
        return stream
    }

    /// A detached thread that turns bytes from the pipe into stream elements.
    private static func spawnReader(readFD: Int32, continuation: AsyncStream<Int32>.Continuation) {
        Thread.detachNewThread {
            // Threads started by Dispatch block these signals, and threads inherit the mask.
            // This one unblocks them, so some thread can always take them and run the handler.
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGINT)
            sigaddset(&mask, SIGTERM)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            var byte: UInt8 = 0
            while true {
                let n = read(readFD, &byte, 1)
                if n == 1 {
                    continuation.yield(Int32(byte))
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    continuation.finish()
                    return
                }
            }
        }
    }
}

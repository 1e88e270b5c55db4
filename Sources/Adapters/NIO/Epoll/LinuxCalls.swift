#if os(Linux)
import CLinuxEvents
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// The C library's calls under names of their own, for types that have methods named
// `close`, `send` or `shutdown` (Glibc and Musl spell the module differently, so the calls
// cannot be qualified with it).

/// `close(2)`.
@inline(__always) func linuxClose(_ fd: Int32) -> Int32 { close(fd) }

/// `send(2)`.
@inline(__always) func linuxSend(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ flags: Int32) -> Int {
    send(fd, bytes.baseAddress, bytes.count, flags)
}

/// `shutdown(2)`.
@inline(__always) func linuxShutdown(_ fd: Int32, _ how: Int32) -> Int32 { shutdown(fd, how) }
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// The few socket and process calls whose spelling differs between Linux and Darwin, in one
// place for the test support code (see Docs/platforms.md).

/// `SOCK_STREAM` as `socket(2)` takes it (an enum on Glibc, an `Int32` on Darwin and Musl).
public let streamSocketType: Int32 = {
    #if canImport(Glibc)
    Int32(SOCK_STREAM.rawValue)
    #else
    SOCK_STREAM
    #endif
}()

/// `close(2)`, callable from types that have a `close` method of their own.
public func closeSocket(_ fd: Int32) { _ = close(fd) }

/// `shutdown(2)` of the sending side.
func shutdownSending(_ fd: Int32) { _ = shutdown(fd, Int32(SHUT_WR)) }

/// Makes writes to a socket whose peer has gone fail with `EPIPE` instead of raising
/// SIGPIPE. Darwin has no `MSG_NOSIGNAL` and sets it per socket; Linux sets it per call
/// (see `sendNoSignal`).
func suppressSigpipe(_ fd: Int32) {
    #if canImport(Darwin)
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
    #endif
}

/// `send(2)` that never raises SIGPIPE (with `suppressSigpipe` applied to the socket on Darwin).
func sendNoSignal(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    #if canImport(Glibc) || canImport(Musl)
    send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
    #else
    send(fd, bytes.baseAddress, bytes.count, 0)
    #endif
}

/// `RLIMIT_NOFILE` as `getrlimit(2)` takes it.
private let openFileLimitResource: Int32 = {
    #if canImport(Glibc)
    Int32(RLIMIT_NOFILE.rawValue)
    #else
    RLIMIT_NOFILE
    #endif
}()

/// Raises this process's soft open-file limit to at least `wanted` (up to the hard limit);
/// returns the limit now in force.
@discardableResult
public func raiseOpenFileLimit(to wanted: Int) -> Int {
    var limit = rlimit()
    getrlimit(openFileLimitResource, &limit)
    if limit.rlim_cur < rlim_t(wanted) {
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        #if canImport(Darwin)
        // Darwin refuses a soft limit above OPEN_MAX even when the hard limit is unlimited.
        limit.rlim_cur = min(limit.rlim_cur, rlim_t(OPEN_MAX))
        #endif
        setrlimit(openFileLimitResource, &limit)
        getrlimit(openFileLimitResource, &limit)
    }
    return Int(limit.rlim_cur)
}

/// Resident memory of process `pid` in KiB, or `nil` when it cannot be read.
public func residentKiB(ofProcess pid: Int32) -> Int? {
    #if os(Linux)
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
    #else
    // Darwin has no /proc; ps(1) reports the resident set size in KiB.
    guard let (_, data, _) = try? ChildProcess.run(["/bin/ps", "-o", "rss=", "-p", String(pid)]) else { return nil }
    return Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    #endif
}

/// Runs `executable` with `arguments` under `/usr/bin/time` and returns its exit status, its
/// stderr (without the measurement) and its peak resident memory in KiB (`nil` if unread).
public func runMeasuringPeakMemory(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String, peakKiB: Int?) {
    #if os(Linux)
    let command = ["/usr/bin/time", "-f", "MAXRSS %M", executable] + arguments  // GNU time: KiB
    #else
    let command = ["/usr/bin/time", "-l", executable] + arguments  // BSD time: bytes, on a line of its own
    #endif
    let (status, _, data) = try ChildProcess.run(command)
    var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    var peak: Int?
    #if os(Linux)
    if let i = lines.lastIndex(where: { $0.hasPrefix("MAXRSS ") }) {
        peak = Int(lines[i].dropFirst("MAXRSS ".count))
        lines.remove(at: i)
    }
    #else
    if let i = lines.lastIndex(where: { $0.contains("maximum resident set size") }) {
        peak = Int(lines[i].split(separator: " ").first ?? "").map { $0 / 1024 }
    }
    // The report starts with the line of times (`... real ... user ... sys`).
    if let start = lines.lastIndex(where: { $0.contains(" real ") && $0.contains(" user ") }) {
        lines = Array(lines[..<start])
    }
    #endif
    return (status, lines.joined(separator: "\n"), peak)
}

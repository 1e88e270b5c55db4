#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A real Varnish (Debian's `varnishd`) on loopback in front of an origin: the CDN of the
/// CDN tests. Varnish keeps `Accept-Encoding` as the client sent it (`http_gzip_support=off`),
/// so it must cache per `Vary`, as a CDN does.
public final class CachingProxy: @unchecked Sendable {
    /// Where varnishd is (Debian's, or Homebrew's).
    public static var executable: String { Peer.varnish.location ?? "/usr/sbin/varnishd" }

    /// The proxy's port.
    public let port: Int
    private var child: ChildProcess?
    private var cachePID: pid_t?
    private var stderrFD: Int32 = -1
    private let workDirectory: TempTree

    /// Starts varnishd in the foreground (our child, stopped by its PID) in front of
    /// `127.0.0.1:originPort`, and returns once its cache process reports "Child starts" on
    /// stderr (it accepts connections from then on).
    public init(originPort: Int) throws {
        workDirectory = try TempTree("varnish")
        chmod(workDirectory.root, 0o755)
        port = try freeLoopbackPort()
        let arguments = [Self.executable, "-F", "-j", "none", "-a", "127.0.0.1:\(port)",
                         "-b", "127.0.0.1:\(originPort)", "-n", workDirectory.root + "/instance", "-s", "malloc,32m",
                         "-p", "http_gzip_support=off"]
        let (child, output) = try Self.spawn(arguments)
        self.child = child
        // Kept open until stop(): varnishd goes on reporting on stderr.
        stderrFD = output
        var seen = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: seen, as: UTF8.self).contains("said Child starts") {
            let n = read(output, &buffer, buffer.count)
            if n <= 0 {
                stop()
                throw ProxyError(message: "varnishd exited before it started: \(String(decoding: seen, as: UTF8.self))")
            }
            seen += buffer[0..<n]
        }
        // "Child (1810) Started": the cache process, stopped with the manager.
        let text = String(decoding: seen, as: UTF8.self)
        if let range = text.range(of: #"Child \((\d+)\) Started"#, options: .regularExpression) {
            cachePID = pid_t(text[range].filter(\.isNumber))
        }
    }

    deinit { stop() }

    /// Stops varnishd (cache process and manager) by PID, reaps it, and removes its working
    /// directory.
    public func stop() {
        if let cachePID { kill(cachePID, SIGKILL) }
        if let child {
            child.signal(SIGKILL)
            child.wait()  // reaped by its own thread
            self.child = nil
        }
        if stderrFD >= 0 {
            close(stderrFD)
            stderrFD = -1
        }
        workDirectory.remove()
    }

    /// Starts `arguments` (a `ChildProcess`: empty signal mask, default dispositions, since
    /// varnishd needs SIGCHLD) with stdout on /dev/null; returns it and the read end of its
    /// stderr (where varnishd -F reports).
    private static func spawn(_ arguments: [String]) throws -> (ChildProcess, Int32) {
        let stderr = Pipe()
        closeOnExec(stderr)
        let child = try ChildProcess(arguments, standardError: stderr.fileHandleForWriting.fileDescriptor)
        stderr.fileHandleForWriting.closeFile()
        let readFD = dup(stderr.fileHandleForReading.fileDescriptor)  // ours to close in stop()
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        return (child, readFD)
    }

    struct ProxyError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// A port that was free on 127.0.0.1 a moment ago.
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, streamSocketType, 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw CachingProxy.ProxyError(message: "no free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

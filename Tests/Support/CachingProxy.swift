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
    private var pid: pid_t = 0
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
        let (pid, output) = try Self.spawn(arguments)
        self.pid = pid
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
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            pid = 0
        }
        if stderrFD >= 0 {
            close(stderrFD)
            stderrFD = -1
        }
        workDirectory.remove()
    }

    /// posix_spawn with default signal dispositions and an empty signal mask: a child spawned
    /// from a test thread would otherwise inherit that thread's blocked signals (dispatch
    /// threads block most), and varnishd needs SIGCHLD. Returns the PID and the read end of
    /// its stderr (where varnishd -F reports).
    private static func spawn(_ arguments: [String]) throws -> (pid_t, Int32) {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw ProxyError(message: "pipe: errno \(errno)") }
        // Close-on-exec at once, so that no other child spawned meanwhile inherits an end (the
        // read end would never see EOF); dup2 gives varnishd its own copy without the flag.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        #if canImport(Darwin)
        // Darwin's spawn types are opaque pointers that the `_init` calls allocate.
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipeFDs[0])
        #if canImport(Darwin)
        var attributes: posix_spawnattr_t? = nil
        #else
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        #if canImport(Darwin)
        let environment = _NSGetEnviron().pointee  // Darwin declares no `environ` for Swift
        #else
        let environment = environ
        #endif
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environment)
        close(pipeFDs[1])
        guard result == 0 else {
            close(pipeFDs[0])
            throw ProxyError(message: "cannot start \(arguments[0]): error \(result)")
        }
        return (pid, pipeFDs[0])
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

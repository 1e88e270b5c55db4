#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// The `whitenoise` executable built beside the test bundle, run as a child process.
public final class CLIProcess: @unchecked Sendable {
    /// Path of the built `whitenoise` binary (next to the test bundle).
    public static var executable: String { productsDirectory.appendingPathComponent("whitenoise").path }

    /// The build's products folder, where the test bundle and the package's executables are.
    public static var productsDirectory: URL {
        #if canImport(Darwin)
        // On Darwin the tests run inside a runner (xctest, swiftpm-testing-helper) that loads
        // the `.xctest` bundle, which sits in the products folder; this class is linked into it.
        return Bundle(for: CLIProcess.self).bundleURL.deletingLastPathComponent()
        #else
        // On Linux the test bundle is itself the executable.
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        #endif
    }

    /// The child process.
    private let child: ChildProcess
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private var stdoutBuffer = Data()
    /// stderr, drained as it comes so a chatty child never blocks on a full pipe.
    private let stderrBuffer = NSCondition()
    private var stderrData = Data()
    private var stderrEnded = false
    private let stderrDone = DispatchSemaphore(value: 0)

    /// Starts `whitenoise` (or another executable of the package, by product name) with
    /// `arguments`, and `environment` added to this process's environment.
    public init(_ arguments: [String], product: String = "whitenoise", environment: [String: String] = [:]) throws {
        closeOnExec(stdoutPipe)
        closeOnExec(stderrPipe)
        let executable = URL(fileURLWithPath: Self.executable).deletingLastPathComponent().appendingPathComponent(product).path
        child = try ChildProcess([executable] + arguments,
                                 environment: environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                 standardOutput: stdoutPipe.fileHandleForWriting.fileDescriptor,
                                 standardError: stderrPipe.fileHandleForWriting.fileDescriptor)
        stdoutPipe.fileHandleForWriting.closeFile()  // the child has its own copies
        stderrPipe.fileHandleForWriting.closeFile()
        let handle = stderrPipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData  // blocks; empty at EOF
                if chunk.isEmpty { break }
                stderrBuffer.withLock {
                    stderrData.append(chunk)
                    stderrBuffer.broadcast()
                }
            }
            stderrBuffer.withLock {
                stderrEnded = true
                stderrBuffer.broadcast()
            }
            stderrDone.signal()
        }
    }

    /// The process id.
    public var pid: Int32 { child.pid }

    /// Whether the process has not exited yet.
    public var isRunning: Bool { child.isRunning }

    /// Reads stdout until a line containing `marker` appears, or the process exits, or
    /// `timeout` seconds pass (poll-based, no sleeping). Returns the line.
    public func waitForLine(containing marker: String, timeout: Int = 60) -> String? {
        let fd = stdoutPipe.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        while Date() < deadline {
            if let text = String(data: stdoutBuffer, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) {
                return String(line)
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 500)
            if ready > 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { return nil }
                stdoutBuffer.append(contentsOf: chunk[0..<n])
            }
        }
        return nil
    }

    /// Sends a signal.
    public func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits for exit up to `timeout` seconds (then SIGKILLs it); returns the exit status
    /// (128+signal for a signal death), or `nil` if it had to be killed. Can be called again.
    public func waitForExit(timeout: Int = 30) -> Int32? {
        if let status = child.wait(timeout: Double(timeout)) { return status }
        kill(pid, SIGKILL)
        child.wait()
        return nil
    }

    /// Everything written to stderr (call after exit: waits for the end of the stream).
    public func standardError() -> String {
        stderrDone.wait()
        stderrDone.signal()  // later calls return at once
        return String(decoding: stderrBuffer.withLock { stderrData }, as: UTF8.self)
    }

    /// Waits until stderr contains `text` (woken by each write, no polling); `false` if the
    /// stream ends or `timeout` seconds pass first.
    public func waitForStandardError(containing text: String, timeout: Int = 30) -> Bool {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        return stderrBuffer.withLock {
            while true {
                if String(decoding: stderrData, as: UTF8.self).contains(text) { return true }
                if stderrEnded || !stderrBuffer.wait(until: deadline) { return false }
            }
        }
    }

    /// Waits until stderr contains `text` at least `count` times (woken by each write, no
    /// polling); `false` if the stream ends or `timeout` seconds pass first.
    public func waitForStandardError(containing text: String, count: Int, timeout: Int = 60) -> Bool {
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        return stderrBuffer.withLock {
            while true {
                if String(decoding: stderrData, as: UTF8.self).components(separatedBy: text).count - 1 >= count { return true }
                if stderrEnded || !stderrBuffer.wait(until: deadline) { return false }
            }
        }
    }

    /// What has been written to stderr so far (for failure messages of a running process).
    public func standardErrorSoFar() -> String {
        String(decoding: stderrBuffer.withLock { stderrData }, as: UTF8.self)
    }

    /// Resident memory of the process in KiB.
    public func residentKiB() -> Int? { WhiteNoiseTestSupport.residentKiB(ofProcess: pid) }

    /// Runs `whitenoise` to completion; returns (status, stdout, stderr).
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let p = try CLIProcess(arguments, environment: environment)
        let out = p.stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let status = p.child.wait() ?? -1
        return (status, String(decoding: out, as: UTF8.self), p.standardError())
    }
}

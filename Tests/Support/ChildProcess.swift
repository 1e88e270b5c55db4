#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Foundation

/// A child process started with `posix_spawn`, for the test support's every child.
///
/// Foundation's `Process.run()` is not used: on Linux (Swift 6.3.1) it over-reads the
/// `/proc/self/fd` directory entries and crashes the test process now and then (seen in 3 of
/// 30 full runs here; swift-corelibs-foundation#5472). Children get an empty signal mask and
/// default signal handling (test threads block most signals, and a child would inherit that),
/// and none of this process's descriptors but the three given.
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let state = NSCondition()
    private var status: Int32?

    /// Starts `arguments[0]` (an absolute path, or a name looked up on `PATH`) with
    /// `arguments`, the given descriptors as its standard input, output and error (`nil`:
    /// `/dev/null`), and `environment` (`nil`: this process's).
    public init(_ arguments: [String], environment: [String: String]? = nil,
                standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil) throws {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil  // opaque pointers that `_init` allocates
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, target, mode) in [(standardInput, Int32(0), O_RDONLY), (standardOutput, 1, O_WRONLY), (standardError, 2, O_WRONLY)] {
            if let fd { posix_spawn_file_actions_adddup2(&actions, fd, target) } else {
                posix_spawn_file_actions_addopen(&actions, target, "/dev/null", mode, 0)
            }
        }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)  // only 0, 1 and 2 reach the child
        #elseif canImport(Glibc)
        // glibc 2.34+; Swift's Glibc module does not declare it, so it is looked up.
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        #if canImport(Darwin)
        let inherited = _NSGetEnviron().pointee  // Darwin declares no `environ` for Swift
        #else
        let inherited = environ
        #endif
        var pid: pid_t = 0
        let result = envp.map { envp in
            envp.withUnsafeBufferPointer { posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, UnsafeMutablePointer(mutating: $0.baseAddress)) }
        } ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, inherited)
        guard result == 0 else { throw SpawnError(command: arguments[0], code: result) }
        self.pid = pid
        let spawned = pid
        // The reaper: waitpid on a thread of its own, so that exit can be awaited with a timeout.
        Thread.detachNewThread { [self] in
            var raw: Int32 = 0
            while waitpid(spawned, &raw, 0) < 0, errno == EINTR {}
            // Exited: the status in bits 8-15; killed: the signal in bits 0-6, as 128 + signal.
            let decoded = raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
            state.withLock {
                status = decoded
                state.broadcast()
            }
        }
    }

    #if canImport(Glibc)
    /// glibc's `posix_spawn_file_actions_addclosefrom_np`, when the C library has it.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
    #endif

    /// Whether the child has not exited yet.
    public var isRunning: Bool { state.withLock { status == nil } }

    /// Waits for the child to exit, for at most `timeout` seconds (forever when `nil`); returns
    /// its exit status (128 + signal when a signal ended it), or `nil` when it is still running.
    @discardableResult
    public func wait(timeout: Double? = nil) -> Int32? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        return state.withLock {
            while status == nil {
                if let deadline {
                    if !state.wait(until: deadline) { break }
                } else {
                    state.wait()
                }
            }
            return status
        }
    }

    /// Sends `signal` to the child.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Runs `command` (looked up on `PATH`) to completion; returns its status, standard output
    /// and standard error. `input` goes to its standard input.
    public static func run(_ command: [String], input: Data? = nil, environment: [String: String]? = nil) throws -> (Int32, Data, Data) {
        let stdin = input.map { _ in Pipe() }, stdout = Pipe(), stderr = Pipe()
        for pipe in [stdin, stdout, stderr].compactMap({ $0 }) { closeOnExec(pipe) }
        let child = try ChildProcess(command, environment: environment,
                                     standardInput: stdin?.fileHandleForReading.fileDescriptor,
                                     standardOutput: stdout.fileHandleForWriting.fileDescriptor,
                                     standardError: stderr.fileHandleForWriting.fileDescriptor)
        stdin?.fileHandleForReading.closeFile()
        stdout.fileHandleForWriting.closeFile()
        stderr.fileHandleForWriting.closeFile()
        if let input, let writer = stdin?.fileHandleForWriting {
            Thread.detachNewThread {  // the child may fill its output before reading all input
                writer.write(input)
                writer.closeFile()
            }
        }
        let errors = ErrorsRead()
        let errorHandle = stderr.fileHandleForReading
        Thread.detachNewThread {
            errors.data = errorHandle.readDataToEndOfFile()
            errors.done.signal()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        errors.done.wait()
        return (child.wait() ?? -1, output, errors.data)
    }

    /// Standard error, read on a thread of its own (written before `done` is signalled).
    private final class ErrorsRead: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}

/// Marks both ends of `pipe` close-on-exec, so that no child spawned meanwhile (by another
/// thread) inherits them, even where `closefrom` is missing; `dup2` in the child gives it its
/// own copies without the flag.
public func closeOnExec(_ pipe: Pipe) {
    for fd in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
    }
}

/// A child process could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    /// What was to be started.
    public let command: String
    /// `posix_spawn`'s error number.
    public let code: Int32
    /// The message.
    public var description: String { "cannot start \(command): \(String(cString: strerror(code)))" }
}

public import Foundation

/// A directory of real files in a fresh temporary folder, removed by `remove()`.
public final class TempTree: @unchecked Sendable {
    /// The tree's root (absolute, symlinks resolved).
    public let root: String

    /// Creates an empty tree.
    public init(_ name: String = "tree") throws {
        root = Self.base + "/whitenoise-test-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Where trees are made: `$WHITENOISE_TEST_TMPDIR` if set, else `/dev/shm` when it is a
    /// tmpfs with room (4 GiB free), else the temporary folder. A tree in memory matters: on a
    /// disk file system, the `syncfs` of each `collectstatic` a test runs flushes every
    /// other test's dirty files too, and ext4 then holds every metadata change (a `mkdir`, an
    /// atime update on `open`) until the journal commits; here that took up to 10 s, and any
    /// request or test step caught in it timed out.
    public static let base: String = {
        if let chosen = ProcessInfo.processInfo.environment["WHITENOISE_TEST_TMPDIR"], !chosen.isEmpty { return chosen }
        var fs = statvfs()
        if statvfs("/dev/shm", &fs) == 0, access("/dev/shm", W_OK) == 0,
            UInt64(fs.f_bavail) * UInt64(fs.f_frsize) >= 4 << 30 {
            return "/dev/shm"
        }
        return FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
    }()

    /// Writes a file (creating folders) and returns its absolute path.
    @discardableResult
    public func write(_ relative: String, _ contents: String, mtime: Int? = nil) throws -> String {
        try write(relative, Data(contents.utf8), mtime: mtime)
    }

    /// Writes bytes to a file (creating folders) and returns its absolute path.
    @discardableResult
    public func write(_ relative: String, _ contents: Data, mtime: Int? = nil) throws -> String {
        let path = root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try writeWithoutFlushing(contents, to: path)
        if let mtime { try setMTime(relative, mtime) }
        return path
    }

    /// Writes `contents` over the file at `path` in place, without `fsync`: Foundation's
    /// `Data.write(to:)` flushes every file to the disk, which takes seconds while other tests
    /// run `collectstatic` (its `syncfs` flushes the whole file system); a test body on Swift's
    /// cooperative pool blocked there stalls every async server of the suite.
    private func writeWithoutFlushing(_ contents: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        var written = 0
        try contents.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            while written < bytes.count {
                let n = writeDescriptor(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
                written += n
            }
        }
    }

    /// Sets a file's modification time (seconds since the epoch).
    public func setMTime(_ relative: String, _ seconds: Int) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: TimeInterval(seconds))],
                                              ofItemAtPath: root + "/" + relative)
    }

    /// Creates a directory.
    public func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    /// Creates a symlink at `relative` pointing to `target` (absolute or relative).
    public func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: target)
    }

    /// Creates a FIFO.
    public func fifo(_ relative: String) {
        _ = mkfifo(root + "/" + relative, 0o644)
    }

    /// Deletes a file.
    public func delete(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: root + "/" + relative)
    }

    /// Removes the whole tree.
    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// gzip bytes made by the system's `gzip -9 -n` (tests only).
    public static func gzip(_ data: Data) throws -> Data { try pipe(["gzip", "-9", "-n", "-c"], data) }

    /// Runs a command with `input` on stdin and returns its stdout.
    /// - Throws: ``CommandFailed`` (with its standard error) when it exits with a non-zero status.
    public static func pipe(_ command: [String], _ input: Data) throws -> Data {
        let (status, output, errors) = try ChildProcess.run(command, input: input)
        guard status == 0 else { throw CommandFailed(command: command, status: status, standardError: String(decoding: errors, as: UTF8.self)) }
        return output
    }
}

/// A command that a test ran exited with a non-zero status.
public struct CommandFailed: Error, CustomStringConvertible {
    /// The command.
    public let command: [String]
    /// Its exit status.
    public let status: Int32
    /// What it wrote to standard error.
    public let standardError: String
    /// The message.
    public var description: String {
        "\(command.prefix(2).joined(separator: " ")) exited with status \(status):\n\(standardError.suffix(2000))"
    }
}

/// `write(2)` (a file-scope name: inside `TempTree`, `write` is its own method).
private func writeDescriptor(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

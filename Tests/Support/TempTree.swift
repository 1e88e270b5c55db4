public import Foundation

/// A directory of real files in a fresh temporary folder, removed by `remove()`.
public final class TempTree: @unchecked Sendable {
    /// The tree's root (absolute, symlinks resolved).
    public let root: String

    /// Creates an empty tree.
    public init(_ name: String = "tree") throws {
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        root = base + "/whitenoise-test-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

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
        try contents.write(to: URL(fileURLWithPath: path))
        if let mtime { try setMTime(relative, mtime) }
        return path
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

import Foundation
import WhiteNoise

/// Errors of the storage pipeline: each says which file and what went wrong.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read.
    case unreadable(path: String, errno: Int32)
    /// A file could not be written.
    case unwritable(path: String, errno: Int32)

    /// A readable message naming the file.
    public var description: String {
        switch self {
        case .unreadable(let path, let e): return "cannot read '\(path)': \(String(cString: strerror(e)))"
        case .unwritable(let path, let e): return "cannot write '\(path)': \(String(cString: strerror(e)))"
        }
    }
}

/// POSIX file helpers for the storage pipeline.
enum FileIO {
    /// The name a file is written under before it is renamed to `path`: hidden, beside it, and
    /// unique across processes (pid and a per-process random number, for pid namespaces that
    /// share a folder) and threads (a counter). It costs no system call.
    static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        return String(path[..<slash]) + ".\(path[slash...]).tmp-\(TemporaryNames.process)-\(TemporaryNames.next())"
    }

    /// Reads a whole file; returns its bytes and its stat.
    static func read(_ path: String) throws(StorageError) -> ([UInt8], stat) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, errno: errno) }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .unreadable(path: path, errno: n == 0 ? EIO : errno) }
            done += n
        }
        return (bytes, st)
    }

    /// Writes all of `bytes` to `fd`; 0, or the `errno` that stopped it.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 || errno == 0 ? EIO : errno }
            done += n
        }
        return 0
    }

    /// Creates a temporary file beside `path`, lets `fill` write it (0, or the `errno` that
    /// failed), syncs it when `durable`, then renames it over `path`, so `path` is never seen
    /// half-written; `beforeRename` runs once the file is whole. On any failure the temporary
    /// file is removed.
    static func replace(_ path: String, durable: Bool = false, beforeRename: () -> Void = {},
                        fill: (Int32) throws(StorageError) -> Int32) throws(StorageError) {
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, errno: errno) }
        var failure: Int32
        do { failure = try fill(fd) } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        if failure == 0, durable { Durability.syncFile(fd) }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0 {
            beforeRename()
            if rename(temp, path) == 0 { return }
            failure = errno
        }
        unlink(temp)
        throw .unwritable(path: path, errno: failure)
    }

    /// Writes `bytes` to `path` atomically (``replace(_:durable:beforeRename:fill:)``), with
    /// the times of `times` (if any).
    static func writeAtomically(_ path: String, _ bytes: [UInt8], times: stat?, durable: Bool = false) throws(StorageError) {
        try replace(path, durable: durable) { fd in
            let failure = bytes.withUnsafeBytes { writeAll(fd, $0) }
            if var ts = times?.accessAndModificationTimes { _ = futimens(fd, &ts) }
            return failure
        }
    }

    /// Streams `path` through `body` in 1 MiB chunks (memory stays bounded for big files).
    static func stream(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(StorageError) -> stat {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, errno: errno) }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var offset: off_t = 0
        while true {
            let n = pread(fd, chunk.baseAddress, chunk.count, offset)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw .unreadable(path: path, errno: errno) }
            if n == 0 { break }
            body(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            offset += off_t(n)
        }
        return st
    }

    /// Copies `source` to `destination` in chunks, atomically
    /// (``replace(_:durable:beforeRename:fill:)``), keeping the source's times when `keepTimes`.
    static func copyAtomically(_ source: String, _ destination: String, keepTimes: Bool,
                               beforeRename: () -> Void = {}) throws(StorageError) {
        try replace(destination, beforeRename: beforeRename) { (out: Int32) throws(StorageError) -> Int32 in
            var failure: Int32 = 0
            let st = try stream(source) { bytes in if failure == 0 { failure = writeAll(out, bytes) } }
            if keepTimes {
                var ts = st.accessAndModificationTimes
                _ = futimens(out, &ts)
            }
            return failure
        }
    }

    /// Creates `path` and its parents; whether it exists as a folder afterwards.
    static func makeDirectories(_ path: String) -> Bool {
        (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil
    }

    /// Removes the temporary files (`.<name>.tmp-…`) that a killed run left under `root`;
    /// returns how many. Call it only while no other run can be writing there (under the lock).
    @discardableResult
    static func removeTemporaryFiles(under root: String) -> Int {
        var removed = 0
        visit(root) { path, name, _ in
            if name.hasPrefix("."), name.contains(".tmp-"), unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Every file under `root` (regular files and symlinks to them), not following directory
    /// symlinks, in directory order.
    static func walk(_ root: String) -> [String] {
        var out: [String] = []
        visit(root) { path, _, type in
            if type == .regular { out.append(path); return }
            guard type == .symlink else { return }  // sockets, FIFOs, devices: not files
            var st = stat()
            if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG { out.append(path) }  // a symlink to a file
        }
        return out
    }

    /// Calls `body(path, name, type)` for every entry under `root` that is not a directory,
    /// descending into directories (never through a symlink).
    private static func visit(_ root: String, _ body: (String, String, DirectoryListing.EntryType) -> Void) {
        var stack = [root]
        while let dir = stack.popLast() {
            for (name, type) in DirectoryListing.entries(of: dir) ?? [] {
                let path = dir + "/" + name
                if type == .directory { stack.append(path) } else { body(path, name, type) }
            }
        }
    }
}

/// The parts of temporary names.
enum TemporaryNames {
    /// `<pid>-<random>`, made once.
    static let process = "\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0

    /// A number no other call in this process gets.
    static func next() -> Int {
        lock.withLock {
            counter += 1
            return counter
        }
    }
}

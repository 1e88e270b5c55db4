#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
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

    /// Writes `bytes` to a temporary file beside `path`, sets its times from `times` (if any),
    /// and renames it into place, so `path` is never seen half-written; with `durable`, the
    /// bytes reach stable storage before the rename.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], times: stat?, durable: Bool = false) throws(StorageError) {
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .unwritable(path: path, errno: errno) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let e = errno
                close(fd)
                unlink(temp)
                throw .unwritable(path: path, errno: e)
            }
            done += n
        }
        if let st = times {
            var ts = st.accessAndModificationTimes
            _ = futimens(fd, &ts)
        }
        if durable { Durability.syncFile(fd) }
        guard close(fd) == 0, rename(temp, path) == 0 else {
            let e = errno
            unlink(temp)
            throw .unwritable(path: path, errno: e)
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

    /// Copies `source` to `destination` in chunks, under a temporary name renamed into place,
    /// keeping the source's times when `keepTimes`; `beforeRename` runs once the copy is
    /// whole, just before it replaces `destination`.
    static func copyAtomically(_ source: String, _ destination: String, keepTimes: Bool,
                               beforeRename: () -> Void = {}) throws(StorageError) {
        let temp = temporaryName(for: destination)
        let out = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw .unwritable(path: destination, errno: errno) }
        var failure: Int32 = 0
        let st: stat
        do {
            st = try stream(source) { bytes in
                var done = 0
                while failure == 0, done < bytes.count {
                    let n = write(out, bytes.baseAddress! + done, bytes.count - done)
                    if n < 0, errno == EINTR { continue }
                    if n <= 0 { failure = errno == 0 ? EIO : errno } else { done += n }
                }
            }
        } catch {
            close(out)
            unlink(temp)
            throw error
        }
        if keepTimes {
            var ts = st.accessAndModificationTimes
            _ = futimens(out, &ts)
        }
        guard close(out) == 0, failure == 0 else {
            let e = failure != 0 ? failure : errno
            unlink(temp)
            throw .unwritable(path: destination, errno: e)
        }
        beforeRename()
        guard rename(temp, destination) == 0 else {
            let e = errno
            unlink(temp)
            throw .unwritable(path: destination, errno: e)
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
    private static let lock = NSLockShim()
    nonisolated(unsafe) private static var counter = 0

    /// A number no other call in this process gets.
    static func next() -> Int {
        lock.locked {
            counter += 1
            return counter
        }
    }
}

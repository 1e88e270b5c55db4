#if canImport(Glibc)
package import Glibc
#elseif canImport(Musl)
package import Musl
#elseif canImport(Darwin)
package import Darwin
#endif
import Atomics
public import NIOCore

/// What the engine remembers of a file: enough to build headers and to notice a change.
package struct FileSnapshot: Sendable, Equatable {
    /// Size in bytes.
    package var size: Int64
    /// Modification time, whole seconds since the epoch.
    package var mtimeSeconds: Int64
    /// Sub-second part of the modification time.
    package var mtimeNanoseconds: Int64
    /// Inode number, to notice a file replaced by rename.
    package var inode: UInt64
    /// Status-change time in nanoseconds since the epoch: moves on every write, also one that
    /// restores the modification time.
    package var ctimeNanoseconds: Int64 = 0
    /// The device the inode is on.
    package var device: UInt64 = 0
    /// How many names the file has; 0 once it was renamed over or deleted.
    package var links: UInt64 = 1
}

extension FileSnapshot {
    /// Whether two snapshots of one file cannot both be true: the same inode and change time
    /// (so no change completed between them) with another size or modification time. A `stat`
    /// taken while a truncation runs sees the new size with the old times.
    func contradicts(_ other: FileSnapshot) -> Bool {
        inode == other.inode && device == other.device && ctimeNanoseconds == other.ctimeNanoseconds && self != other
    }

    /// Whether an open file (this snapshot, from `fstat`) still holds the bytes of `prepared`.
    /// Its change time must not have moved, except once the file has no name left: renaming
    /// a file over it or deleting it moves the change time (the link count dropped) but not
    /// the bytes, and nothing can open it to write any more.
    package func holdsVersion(_ prepared: FileSnapshot) -> Bool {
        size == prepared.size && mtimeSeconds == prepared.mtimeSeconds && mtimeNanoseconds == prepared.mtimeNanoseconds
            && inode == prepared.inode && device == prepared.device
            && (ctimeNanoseconds == prepared.ctimeNanoseconds || links == 0)
    }
}

/// `close(2)`, callable from types that have a `close` method of their own.
@inline(__always) package func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }

extension stat {
    /// The modification time (`st_mtim` on Linux, `st_mtimespec` on Darwin).
    package var modificationTime: timespec {
        #if canImport(Glibc) || canImport(Musl) || canImport(Android)
        st_mtim
        #else
        st_mtimespec
        #endif
    }

    /// The status-change time (`st_ctim` on Linux, `st_ctimespec` on Darwin).
    package var changeTime: timespec {
        #if canImport(Glibc) || canImport(Musl) || canImport(Android)
        st_ctim
        #else
        st_ctimespec
        #endif
    }

    /// The access time (`st_atim` on Linux, `st_atimespec` on Darwin).
    package var accessTime: timespec {
        #if canImport(Glibc) || canImport(Musl) || canImport(Android)
        st_atim
        #else
        st_atimespec
        #endif
    }

    /// `[access, modification]`, as `futimens` and `utimensat` take them to keep a file's times.
    package var accessAndModificationTimes: [timespec] { [accessTime, modificationTime] }
}

/// The kinds of directory entry the scanner distinguishes, after following symlinks.
enum FileKind { case regular, directory, other }

/// Thin POSIX wrappers: the engine avoids Foundation's file APIs on its paths for speed.
enum FileSystem {
    /// The snapshot and kind of what `path` names (symlinks followed), or `nil`.
    static func info(_ path: String) -> (FileSnapshot, FileKind)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (snapshot(st), kind(st.st_mode))
    }

    static func snapshot(_ st: stat) -> FileSnapshot {
        FileSnapshot(size: Int64(st.st_size), mtimeSeconds: Int64(st.modificationTime.tv_sec),
                     mtimeNanoseconds: Int64(st.modificationTime.tv_nsec), inode: UInt64(st.st_ino),
                     ctimeNanoseconds: Int64(st.changeTime.tv_sec) * 1_000_000_000 + Int64(st.changeTime.tv_nsec),
                     device: UInt64(st.st_dev), links: UInt64(st.st_nlink))
    }

    /// The snapshot of an open file as it is now, or `nil`.
    static func snapshot(of fd: Int32) -> FileSnapshot? {
        var st = stat()
        return fstat(fd, &st) == 0 ? snapshot(st) : nil
    }

    /// A second descriptor for the same open file (close-on-exec), or `nil`.
    static func duplicate(_ fd: Int32) -> Int32? {
        let d = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        return d >= 0 ? d : nil
    }

    /// How long ago (nanoseconds) the file last changed: its status-change time against the
    /// wall clock, as the kernel stamps it.
    static func age(_ snapshot: FileSnapshot) -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) - snapshot.ctimeNanoseconds
    }

    static func kind(_ mode: mode_t) -> FileKind {
        switch mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// Opens a file read-only; returns the descriptor and its current snapshot, or `nil` when
    /// it is missing, unreadable or not a regular file.
    static func openRegular(_ path: String) -> (Int32, FileSnapshot)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, kind(st.st_mode) == .regular else {
            close(fd)
            return nil
        }
        // O_NONBLOCK was only to avoid hanging on a FIFO swapped in for a file; clear it.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, snapshot(st))
    }

    /// Reads exactly `count` bytes from `fd` at `offset`, or returns `nil` (short file, error).
    static func read(_ fd: Int32, offset: Int64, count: Int, into body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let chunk = min(max(count, 1), 1 << 20)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var done = 0
        while done < count {
            let want = min(chunk, count - done)
            let n = pread(fd, buffer.baseAddress!, want, off_t(offset) + off_t(done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            done += n
        }
        return true
    }

    /// The canonical absolute path with every symlink resolved, or `nil`.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func isReadable(_ path: String) -> Bool { access(path, R_OK) == 0 }
}

/// A file descriptor opened for one response. Adapters take it (`take()`) and close it when
/// the body is sent; if nobody takes it, it is closed when the response is dropped.
public final class OpenFile: Sendable {
    private let descriptor: ManagedAtomic<Int32>
    /// The file's path, for logs and for adapters that prefer to reopen by path.
    public let path: String
    /// The version the response announced (its length and entity tag).
    package let snapshot: FileSnapshot

    init(descriptor: Int32, path: String, snapshot: FileSnapshot) {
        self.descriptor = ManagedAtomic(descriptor)
        self.path = path
        self.snapshot = snapshot
    }

    /// Whether the open file `fd` is still the announced version: nothing wrote to it since
    /// the response was built. Checked before the last bytes of a body leave, so a body that
    /// mixes two versions is never completed (Docs/serving.md, "Files that change").
    package static func isUnchanged(_ fd: Int32, since snapshot: FileSnapshot) -> Bool {
        FileSystem.snapshot(of: fd)?.holdsVersion(snapshot) ?? false
    }

    /// Takes ownership of the descriptor; returns `nil` if it was taken already.
    public func take() -> Int32? {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        return fd >= 0 ? fd : nil
    }

    /// Reads exactly `count` bytes of `fd` at `offset` into a new buffer.
    package static func read(_ fd: Int32, offset: Int64, count: Int,
                             allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(FileChangedError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        let complete = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { target in
            var done = 0
            while done < count {
                let n = pread(fd, target.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            return done
        }
        guard complete == count else { throw FileChangedError(path: "descriptor \(fd)") }
        return buffer
    }

    /// Reads exactly `count` bytes at `offset` into a new buffer. It blocks: adapters that
    /// cannot use sendfile call it from a thread pool, one chunk at a time. With `verifying`
    /// (for the last chunk of a body), the file must still be the announced version after the
    /// read, so that the bytes sent before are of that version too.
    /// - Throws: ``FileChangedError`` when the file is shorter than the response promised or
    ///   was written to (it changed after the response was built), or the descriptor was taken.
    public func read(offset: Int64, count: Int, allocator: ByteBufferAllocator,
                     verifying: Bool = false) throws(FileChangedError) -> ByteBuffer {
        let fd = descriptor.load(ordering: .acquiring)
        guard fd >= 0 else { throw FileChangedError(path: path) }
        do {
            let buffer = try Self.read(fd, offset: offset, count: count, allocator: allocator)
            if !verifying || Self.isUnchanged(fd, since: snapshot) { return buffer }
        } catch {}
        throw FileChangedError(path: path)
    }

    deinit {
        let fd = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if fd >= 0 { close(fd) }
    }
}

/// A file changed after its response was built: the body can no longer match its
/// `Content-Length`, so the adapter must abort the response (close the connection).
public struct FileChangedError: Error, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The message.
    public var description: String { "\(path) changed while it was being sent" }
}

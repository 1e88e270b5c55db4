import WhiteNoise
import Foundation

/// What makes a run's files survive a power loss before the manifest that names them is
/// renamed into place: ``syncFiles(in:paths:)`` first, then the manifest written with
/// ``FileIO/writeAtomically(_:_:times:durable:)`` (its bytes flushed before the rename), then
/// ``syncDirectory(_:)`` (the rename itself).
enum Durability {
    /// Flushes every file the run wrote to stable storage. Linux: one `syncfs` on the file
    /// system of `root` (every dirty page of it, in one call, in the kernel's order). Darwin,
    /// which has no `syncfs`: `fsync` of each of `paths` on every core, then `F_FULLFSYNC`,
    /// which also empties the drive's cache.
    static func syncFiles(in root: String, paths: [String]) {
        #if !canImport(Darwin)
        if let syncfs = Self.syncfs {
            let fd = open(root, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            _ = syncfs(fd)
            close(fd)
            return
        }
        #endif
        ParallelWork.forEach(paths.count) { i in
            let fd = open(paths[i], O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return }
            _ = fsync(fd)
            close(fd)
        }
        #if canImport(Darwin)
        syncDirectory(root)
        #endif
    }

    /// Flushes a directory's entries (the renames done in it).
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        syncFile(fd)
        close(fd)
    }

    /// Flushes one open file before it is renamed into place.
    static func syncFile(_ fd: Int32) {
        #if canImport(Darwin)
        _ = fcntl(fd, F_FULLFSYNC)
        #else
        _ = fsync(fd)
        #endif
    }

    #if !canImport(Darwin)
    private typealias SyncFS = @convention(c) (Int32) -> Int32
    /// glibc's and musl's `syncfs`, which Swift does not see without `_GNU_SOURCE`.
    private static let syncfs: SyncFS? = dlsym(dlopen(nil, RTLD_NOW), "syncfs").map { unsafeBitCast($0, to: SyncFS.self) }
    #endif
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// One regular file found by a scan.
struct ScannedFile {
    /// Path relative to the root, `/`-separated, no leading slash.
    var relativePath: String
    var snapshot: FileSnapshot
}

/// Walks a root once at start-up. Follows symlinks (as WhiteNoise does; `collectstatic --link`
/// relies on it), includes hidden files, and skips with one warning each: broken symlinks,
/// FIFOs, sockets and devices, symlink loops, and unreadable files or directories.
struct FileScanner {
    var logger: Logger

    func scan(root: String) -> [ScannedFile] {
        var out: [ScannedFile] = []
        guard let (rootSnapshot, kind) = FileSystem.info(root), kind == .directory else { return out }
        var rootStat = stat()
        _ = stat(root, &rootStat)
        var ancestors: [(UInt64, UInt64)] = [(UInt64(truncatingIfNeeded: rootStat.st_dev), rootSnapshot.inode)]
        walk(directory: root, relative: "", ancestors: &ancestors, into: &out)
        return out
    }

    private func walk(directory: String, relative: String,
                      ancestors: inout [(UInt64, UInt64)], into out: inout [ScannedFile]) {
        guard let entries = DirectoryListing.entries(of: directory) else {
            logger.warning("whitenoise: skipping unreadable directory", metadata: ["path": "\(directory)", "errno": "\(errno)"])
            return
        }
        let names = entries.map(\.name).sorted()
        for name in names {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard stat(path, &st) == 0 else {
                let e = errno
                if e == ELOOP {
                    logger.warning("whitenoise: skipping symlink loop", metadata: ["path": "\(path)"])
                } else if lstat(path, &st) == 0, FileSystem.kind(st.st_mode) == .other, (st.st_mode & S_IFMT) == S_IFLNK {
                    logger.warning("whitenoise: skipping broken symlink", metadata: ["path": "\(path)"])
                } else {
                    logger.warning("whitenoise: skipping unreadable entry", metadata: ["path": "\(path)", "errno": "\(e)"])
                }
                continue
            }
            switch FileSystem.kind(st.st_mode) {
            case .directory:
                let id = (UInt64(truncatingIfNeeded: st.st_dev), UInt64(truncatingIfNeeded: st.st_ino))  // dev_t: Int32 on Darwin
                if ancestors.contains(where: { $0 == id }) {
                    logger.warning("whitenoise: skipping symlink loop", metadata: ["path": "\(path)"])
                    continue
                }
                ancestors.append(id)
                walk(directory: path, relative: rel, ancestors: &ancestors, into: &out)
                ancestors.removeLast()
            case .regular:
                guard FileSystem.isReadable(path) else {
                    logger.warning("whitenoise: skipping unreadable file", metadata: ["path": "\(path)"])
                    continue
                }
                out.append(ScannedFile(relativePath: rel, snapshot: FileSystem.snapshot(st)))
            case .other:
                logger.warning("whitenoise: skipping special file (FIFO, socket or device)", metadata: ["path": "\(path)"])
            }
        }
    }
}

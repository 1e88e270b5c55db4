#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One folder's entries in `readdir` order (what Python's `os.scandir` returns), without `.`
/// and `..`: the one directory reader under the engine's scan, `collectstatic`'s collector
/// and the storage's tree walks, each of which decides how to recurse.
package enum DirectoryListing {
    /// What an entry is, as the directory says (`d_type`, else `lstat`): a symlink is
    /// reported as such, not followed.
    package enum EntryType: Equatable, Sendable {
        case directory, regular, symlink, other
    }

    /// The entries of `directory`, or `nil` (with `errno` set) when it cannot be opened.
    package static func entries(of directory: String) -> [(name: String, type: EntryType)]? {
        guard let d = opendir(directory) else { return nil }
        defer { closedir(d) }
        var out: [(name: String, type: EntryType)] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var type: EntryType
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): type = .directory
            case Int32(DT_REG): type = .regular
            case Int32(DT_LNK): type = .symlink
            case Int32(DT_UNKNOWN):
                var st = stat()
                guard lstat(directory + "/" + name, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR: type = .directory
                case S_IFREG: type = .regular
                case S_IFLNK: type = .symlink
                default: type = .other
                }
            default: type = .other
            }
            out.append((name, type))
        }
        return out
    }
}

import Foundation
import WhiteNoiseDjango

/// Path normalisation that never consults the file system, so it gives the same answer on
/// every platform (Darwin's `URL.standardizedFileURL` also drops a leading `/private` when
/// the result exists, Linux's does not).
package enum LexicalPath {
    /// `path` made absolute against the current directory (when relative), with `.` and `..`
    /// components and repeated or trailing slashes removed, as `URL(fileURLWithPath:)
    /// .standardizedFileURL.path` gives it on Linux. Symlinks are not resolved.
    package static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let normalised = PythonURL.normpath(full)
        // posixpath keeps exactly two leading slashes; a file URL's path has one.
        return normalised.hasPrefix("//") ? String(normalised.dropFirst()) : normalised
    }

    /// Whether `path` is `root` or lies below it, component-wise (`/a/bc` is not under `/a/b`).
    /// Both are compared as given: normalise them first.
    package static func isInside(_ path: String, root: String) -> Bool {
        if path == root { return true }
        return path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }
}

import Foundation
public import WhiteNoise

/// Collects source folders into `STATIC_ROOT` as Django's `collectstatic` finds and copies
/// them: each source walked with files before subfolders in directory order (`os.scandir`),
/// Django's ignore patterns (`CVS`, `.*`, `*~`), the first source winning for a path.
public struct Collector {
    /// A source folder, optionally under a prefix (Django's `(prefix, path)` tuples).
    public typealias Source = SourceDirectory

    /// Django's default ignore patterns.
    public static let defaultIgnorePatterns = ["CVS", ".*", "*~"]

    /// Finds the files to collect: (relative name in STATIC_ROOT, absolute source path), in
    /// Django's order. Patterns are fnmatch patterns on names (and on paths, for patterns
    /// containing `/`).
    public static func find(_ sources: [Source], ignore: [String] = defaultIgnorePatterns) -> [(String, String)] {
        var found: [(String, String)] = []
        var seen: Set<String> = []
        for source in sources {
            walk(source.path, location: "", ignore: ignore) { relative in
                let name = source.prefix.isEmpty ? relative : source.prefix + "/" + relative
                if seen.insert(name).inserted { found.append((name, source.path + "/" + relative)) }
            }
        }
        return found
    }

    private static func walk(_ base: String, location: String, ignore: [String], _ yield: (String) -> Void) {
        let directory = location.isEmpty ? base : base + "/" + location
        guard let entries = DirectoryListing.entries(of: directory) else { return }
        var files: [String] = [], directories: [String] = []
        for (name, _) in entries {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory) else {
                files.append(name)  // a broken symlink is listed as a file, as os.scandir does
                continue
            }
            if isDirectory.boolValue { directories.append(name) } else { files.append(name) }
        }
        for name in files {
            if matches(name, ignore) { continue }
            let relative = location.isEmpty ? name : location + "/" + name
            if !location.isEmpty, matches(relative, ignore) { continue }
            yield(relative)
        }
        for name in directories {
            if matches(name, ignore) { continue }
            walk(base, location: location.isEmpty ? name : location + "/" + name, ignore: ignore, yield)
        }
    }

    /// `fnmatch.fnmatchcase` for the patterns Django uses (`*`, `?`, literals).
    static func matches(_ name: String, _ patterns: [String]) -> Bool {
        patterns.contains { fnmatch(Array($0.unicodeScalars), Array(name.unicodeScalars)) }
    }

    private static func fnmatch(_ p: [Unicode.Scalar], _ s: [Unicode.Scalar]) -> Bool {
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count, p[pi] == "?" || p[pi] == s[si] {
                pi += 1
                si += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = si
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                si = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Copies the found files into `root` (creating folders); returns the names in order.
    public static func copy(_ found: [(String, String)], into root: String) throws(StorageError) -> [String] {
        for (name, source) in found {
            let destination = root + "/" + name
            try? FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            try FileIO.copyAtomically(source, destination, keepTimes: true)
        }
        return found.map(\.0)
    }
}

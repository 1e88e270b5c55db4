import Foundation

/// What the engine reads from a root's metadata files, written by `collectstatic`:
/// Django's `staticfiles.json` (hashed names are immutable) and our digest index
/// (`staticfiles.digests.json`: content digests, so start-up hashes nothing).
struct RootMetadata {
    /// Relative paths of hashed files listed in `staticfiles.json`.
    var hashedNames: Set<String> = []
    /// Digests recorded by `collectstatic`, used while size and mtime still match.
    var digestIndex = DigestIndex(files: [:])

    static func load(root: String, useManifest: Bool) -> RootMetadata {
        var meta = RootMetadata()
        if useManifest, let data = FileManager.default.contents(atPath: root + "/staticfiles.json"),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let paths = object["paths"] as? [String: String]
        {
            meta.hashedNames = Set(paths.values)
        }
        if let data = FileManager.default.contents(atPath: root + "/" + DigestIndex.fileName),
            let index = try? JSONDecoder().decode(DigestIndex.self, from: data), index.version == 1
        {
            meta.digestIndex = index
        }
        return meta
    }
}

/// The digest index `collectstatic` writes beside the manifest. Its entries are used only
/// while a file's size and mtime still match, so a stale index is harmless.
public struct DigestIndex: Codable, Sendable {
    /// The index's file name inside a root. It is metadata and is not served.
    public static let fileName = "staticfiles.digests.json"

    /// Format version; this engine reads version 1.
    public var version: Int
    /// Relative path → entry.
    public var files: [String: Entry]

    /// One file's recorded state and digest.
    public struct Entry: Codable, Sendable {
        /// Size in bytes.
        public var size: Int64
        /// mtime, seconds since the epoch.
        public var mtime: Int64
        /// Sub-second part of the mtime.
        public var mtimeNanoseconds: Int64
        /// XXH64 of the content, 16 hex digits.
        public var xxh64: String

        /// Creates an entry.
        public init(size: Int64, mtime: Int64, mtimeNanoseconds: Int64, xxh64: String) {
            self.size = size
            self.mtime = mtime
            self.mtimeNanoseconds = mtimeNanoseconds
            self.xxh64 = xxh64
        }
    }

    /// Creates an index.
    public init(version: Int = 1, files: [String: Entry]) {
        self.version = version
        self.files = files
    }

    /// Builds an index for every regular file under `root` by hashing it now.
    public static func build(root: String) -> DigestIndex {
        var files: [String: Entry] = [:]
        var scanner = FileScanner(logger: .init(label: "whitenoise.digests"))
        scanner.logger.logLevel = .error
        for f in scanner.scan(root: root) where f.relativePath != fileName {
            guard let (fd, snap) = FileSystem.openRegular(root + "/" + f.relativePath) else { continue }
            defer { _ = closeDescriptor(fd) }
            var d = ContentDigest()
            guard FileSystem.read(fd, offset: 0, count: Int(snap.size), into: { d.update($0) }) else { continue }
            files[f.relativePath] = Entry(size: snap.size, mtime: snap.mtimeSeconds, mtimeNanoseconds: snap.mtimeNanoseconds,
                                          xxh64: ContentDigest.hex(d.finalize()))
        }
        return DigestIndex(files: files)
    }

    func digest(for relativePath: String, matching snapshot: FileSnapshot) -> UInt64? {
        guard let e = files[relativePath], e.size == snapshot.size, e.mtime == snapshot.mtimeSeconds,
            e.mtimeNanoseconds == snapshot.mtimeNanoseconds
        else { return nil }
        return UInt64(e.xxh64, radix: 16)
    }
}

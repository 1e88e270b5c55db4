import Dispatch
import Foundation
import Logging
import WhiteNoiseDjango

/// What the engine reads from a root's metadata files, written by `collectstatic`:
/// Django's `staticfiles.json` (hashed names are immutable; read through WhiteNoiseDjango's
/// `DjangoManifest`, the package's one model of it) and our digest index
/// (`staticfiles.digests.json`: content digests, so start-up hashes nothing).
struct RootMetadata {
    /// Relative paths of hashed files listed in `staticfiles.json`.
    var hashedNames: Set<String> = []
    /// Digests recorded by `collectstatic`, used while size and mtime still match.
    var digestIndex = DigestIndex(files: [:])

    static func load(root: String, useManifest: Bool) -> RootMetadata {
        var meta = RootMetadata()
        if useManifest { meta.hashedNames = DjangoManifest.hashedFiles(root: root) }
        if let data = FileManager.default.contents(atPath: root + "/" + DigestIndex.fileName),
            let index = DigestIndex(parsing: String(decoding: data, as: UTF8.self))
        {
            meta.digestIndex = index
        }
        return meta
    }
}


/// Autorefresh's view of each root's `staticfiles.json`: its hashed names (immutable, as in
/// the cached mode), read again only when the file's size or mtime changes.
final class ManifestNames: @unchecked Sendable {
    private let lock = NSLock()
    private var byRoot: [String: (snapshot: FileSnapshot?, names: Set<String>)] = [:]

    /// The hashed names of `root`'s manifest now.
    func hashedNames(root: String) -> Set<String> {
        let snapshot = FileSystem.info(root + "/" + DjangoManifest.fileName).map(\.0)
        lock.lock()
        defer { lock.unlock() }
        if let cached = byRoot[root], cached.snapshot == snapshot { return cached.names }
        let names = snapshot == nil ? [] : DjangoManifest.hashedFiles(root: root)
        byRoot[root] = (snapshot, names)
        return names
    }
}

/// The digest index `collectstatic` writes beside the manifest, so that the engine never
/// hashes at start-up or first use. Its entries are used only while a file's size and mtime
/// still match, so a stale index is harmless. It also keeps each collected file's
/// Subresource Integrity value (computed in the same read), from which `collectstatic` writes
/// ``IntegrityIndex`` and which a later run reuses while the file is unchanged.
///
/// The format is plain text, one file a line, parsed in a few milliseconds for 20,000 files:
/// ```
/// whitenoise-digests 2
/// <xxh64, 16 hex digits> <size> <mtime seconds>.<nanoseconds, 9 digits> <sha384-… or -> <relative path>
/// ```
/// Version 1 (no integrity column) is still read.
public struct DigestIndex: Sendable, Equatable {
    /// The index's file name inside a root. It is metadata and is not served.
    public static let fileName = "staticfiles.digests"
    /// Build metadata that `collectstatic` keeps in `STATIC_ROOT` and the engine never serves.
    public static let metadataFileNames: Set<String> = [fileName, "staticfiles.cache", IntegrityIndex.fileName,
                                                        ".whitenoise-collectstatic.lock"]
    private static let header = "whitenoise-digests 2"
    private static let headerVersion1 = "whitenoise-digests 1"

    /// One file's recorded state and digest.
    public struct Entry: Sendable, Equatable {
        /// Size in bytes.
        public var size: Int64
        /// mtime, seconds since the epoch.
        public var mtime: Int64
        /// Sub-second part of the mtime.
        public var mtimeNanoseconds: Int64
        /// XXH64 of the content.
        public var digest: UInt64
        /// The Subresource Integrity value (`sha384-…`) of the content, when it was asked for.
        public var integrity: String?

        /// Creates an entry.
        public init(size: Int64, mtime: Int64, mtimeNanoseconds: Int64, digest: UInt64, integrity: String? = nil) {
            self.size = size
            self.mtime = mtime
            self.mtimeNanoseconds = mtimeNanoseconds
            self.digest = digest
            self.integrity = integrity
        }
    }

    /// Relative path → entry.
    public var files: [String: Entry]

    /// Creates an index.
    public init(files: [String: Entry]) {
        self.files = files
    }

    /// Parses the text form; `nil` when the header is not ours. Malformed lines are skipped.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        var header = Array(Self.header.utf8) + [10]
        let hasIntegrity = bytes.starts(with: header)
        if !hasIntegrity {
            header = Array(Self.headerVersion1.utf8) + [10]
            guard bytes.starts(with: header) else { return nil }
        }
        var files: [String: Entry] = [:]
        files.reserveCapacity(bytes.count / 64)
        var i = header.count
        func number(_ radix: UInt64, _ terminator: UInt8) -> UInt64? {
            var v: UInt64 = 0
            let start = i
            while i < bytes.count, bytes[i] != terminator, bytes[i] != 10 {
                let c = bytes[i]
                let d: UInt64
                switch c {
                case 0x30...0x39: d = UInt64(c - 0x30)
                case 0x61...0x66 where radix == 16: d = UInt64(c - 0x61 + 10)
                default: return nil
                }
                v = v &* radix &+ d
                i += 1
            }
            guard i > start, i < bytes.count, bytes[i] == terminator, i - start <= 19 else { return nil }
            i += 1
            return v
        }
        while i < bytes.count {
            let lineStart = i
            if let digest = number(16, 0x20), let size = number(10, 0x20), let seconds = number(10, UInt8(ascii: ".")),
                let nanos = number(10, 0x20)
            {
                var integrity: String?
                var wellFormed = true
                if hasIntegrity {
                    let start = i
                    while i < bytes.count, bytes[i] != 0x20, bytes[i] != 10 { i += 1 }
                    wellFormed = i > start && i < bytes.count && bytes[i] == 0x20
                    if wellFormed, !(i - start == 1 && bytes[start] == UInt8(ascii: "-")) {
                        integrity = String(decoding: bytes[start..<i], as: UTF8.self)
                    }
                    i += 1
                }
                let pathStart = i
                while i < bytes.count, bytes[i] != 10 { i += 1 }
                if wellFormed, i > pathStart {
                    files[String(decoding: bytes[pathStart..<i], as: UTF8.self)] =
                        Entry(size: Int64(size), mtime: Int64(seconds), mtimeNanoseconds: Int64(nanos), digest: digest,
                              integrity: integrity)
                }
            }
            // Skip to the next line (also after a malformed one).
            if i < bytes.count, i >= lineStart { while i < bytes.count, bytes[i] != 10 { i += 1 } }
            i += 1
        }
        self.files = files
    }

    /// The text form, sorted by path.
    public var text: String {
        var out = Self.header + "\n"
        for (path, e) in files.sorted(by: { $0.key < $1.key }) where !path.contains("\n") {
            let nanos = String(e.mtimeNanoseconds)
            out += "\(ContentDigest.hex(e.digest)) \(e.size) \(e.mtime).\(String(repeating: "0", count: max(0, 9 - nanos.count)))\(nanos) "
                + "\(e.integrity ?? "-") \(path)\n"
        }
        return out
    }

    /// Builds an index for the regular files under `root` (all, or those in `only`) by
    /// hashing them now, except where `previous` still describes a file exactly.
    ///
    /// Files for which `integrity` is true also get their Subresource Integrity value, computed
    /// in the same read (or reused with the entry).
    public static func build(root: String, only: Set<String>? = nil, reusing previous: DigestIndex? = nil,
                             integrity: (String) -> Bool = { _ in false }) -> DigestIndex {
        var logger = Logger(label: "whitenoise.digests")
        logger.logLevel = .error
        var files: [String: Entry] = [:]
        var toRead: [(path: String, integrity: Bool)] = []
        for f in FileScanner(logger: logger).scan(root: root) where !metadataFileNames.contains(f.relativePath) {
            if let only, !only.contains(f.relativePath) { continue }
            let wantsIntegrity = integrity(f.relativePath)
            // An entry whose size and mtime still match is reused: the file is not read again.
            if let entry = previous?.entry(for: f.relativePath, matching: f.snapshot), !wantsIntegrity || entry.integrity != nil {
                files[f.relativePath] = Entry(size: f.snapshot.size, mtime: f.snapshot.mtimeSeconds,
                                              mtimeNanoseconds: f.snapshot.mtimeNanoseconds, digest: entry.digest,
                                              integrity: wantsIntegrity ? entry.integrity : nil)
            } else {
                toRead.append((f.relativePath, wantsIntegrity))
            }
        }
        // The others are read on every core.
        // Each worker writes its own slot (distinct indices only).
        nonisolated(unsafe) let read = UnsafeMutableBufferPointer<Entry?>.allocate(capacity: toRead.count)
        read.initialize(repeating: nil)
        defer { read.deallocate() }
        let pending = toRead
        ParallelWork.forEach(pending.count) { i in
            guard let (fd, snap) = FileSystem.openRegular(root + "/" + pending[i].path) else { return }
            defer { _ = closeDescriptor(fd) }
            var d = ContentDigest()
            var sha = pending[i].integrity ? SHA384() : nil
            guard FileSystem.read(fd, offset: 0, count: Int(snap.size), into: { d.update($0); sha?.update($0) }) else { return }
            read[i] = Entry(size: snap.size, mtime: snap.mtimeSeconds, mtimeNanoseconds: snap.mtimeNanoseconds,
                                    digest: d.finalize(), integrity: sha?.integrityValue())
        }
        for (i, item) in toRead.enumerated() { if let entry = read[i] { files[item.path] = entry } }
        return DigestIndex(files: files)
    }

    func entry(for relativePath: String, matching snapshot: FileSnapshot) -> Entry? {
        guard let e = files[relativePath], e.size == snapshot.size, e.mtime == snapshot.mtimeSeconds,
            e.mtimeNanoseconds == snapshot.mtimeNanoseconds
        else { return nil }
        return e
    }

    func digest(for relativePath: String, matching snapshot: FileSnapshot) -> UInt64? {
        entry(for: relativePath, matching: snapshot)?.digest
    }
}

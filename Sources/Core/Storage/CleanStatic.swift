public import Foundation
import WhiteNoise
import WhiteNoiseDjango

/// `whitenoise clean`: removes old hashed versions from `STATIC_ROOT`, as Propshaft's
/// `assets:clean` and Phoenix's `phx.digest.clean` do, so that a rolling deploy keeps the
/// versions that pages rendered by old instances still link to while old files stop piling up.
///
/// A file is a hashed version of an original when its name is the original's with
/// `.<12 hex digits>` before the extension (Django's `hashed_name`) and the MD5 of its bytes
/// begins with those digits, so an original that merely looks hashed is never touched.
/// For every original it keeps the version `staticfiles.json` lists, the `keep` most recent
/// earlier versions (by mtime), and every version younger than `age`; it removes the others
/// with their `.gz`/`.br`/`.zst`/`.zstd` variants and their entries in the digest index. It
/// never removes an unhashed original, a file the manifest lists, or the metadata files.
public struct CleanStatic: Sendable {
    /// What to clean and how much to keep.
    public struct Options: Sendable {
        /// The collected folder (`STATIC_ROOT`); it must hold a `staticfiles.json`.
        public var staticRoot: String
        /// Earlier versions to keep per original, besides the current one.
        public var keep: Int
        /// Versions modified less than this many seconds ago are kept whatever `keep` says.
        public var age: Double
        /// List what would be removed and remove nothing.
        public var dryRun: Bool

        /// Options with Propshaft's and Phoenix's defaults: keep 2, age one hour.
        public init(staticRoot: String, keep: Int = 2, age: Double = 3600, dryRun: Bool = false) {
            self.staticRoot = staticRoot
            self.keep = keep
            self.age = age
            self.dryRun = dryRun
        }
    }

    /// What a run removed (or, with `dryRun`, would remove).
    public struct Summary: Sendable, Equatable {
        /// Removed files relative to `STATIC_ROOT`, variants included, sorted.
        public var removed: [String]
        /// Their total size in bytes.
        public var bytes: Int64
        /// Hashed versions (not counting variants) that stay.
        public var keptVersions: Int
    }

    /// Why a run cannot start.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// `STATIC_ROOT` does not exist.
        case noDirectory(String)
        /// `STATIC_ROOT` has no `staticfiles.json`: nothing is known to be current.
        case noManifest(String)
        /// `staticfiles.json` is not in Django's format.
        case unreadableManifest(String)
        /// An option is out of range.
        case invalidOption(String)

        /// A message naming the folder or option and what would be valid.
        public var description: String {
            switch self {
            case .noDirectory(let root): return "no directory at '\(root)': STATIC_ROOT must be an existing folder"
            case .noManifest(let root):
                return "no \(DjangoManifest.fileName) in '\(root)': without it nothing is known to be current, so nothing is removed (run collectstatic with a manifest storage first)"
            case .unreadableManifest(let path): return "'\(path)' is not a staticfiles.json in Django's format (version 1.0 or 1.1 with \"paths\")"
            case .invalidOption(let message): return message
            }
        }
    }

    /// The run's options.
    public let options: Options

    /// A clean of `options.staticRoot`.
    public init(options: Options) {
        self.options = options
    }

    /// Suffixes of the compressed variants that go with a file.
    static let variantSuffixes = ContentCoding.variantSuffixes.map(\.suffix)

    /// Removes the old versions (unless `dryRun`) and says what went.
    public func run(now: Date = Date()) throws -> Summary {
        guard options.keep >= 0 else { throw Failure.invalidOption("--keep must be 0 or more; got \(options.keep)") }
        guard options.age >= 0 else { throw Failure.invalidOption("--age must be 0 or more seconds; got \(options.age)") }
        let root = options.staticRoot.hasSuffix("/") && options.staticRoot.count > 1
            ? String(options.staticRoot.dropLast()) : options.staticRoot
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure.noDirectory(root)
        }
        let current = try Self.manifestPaths(root: root)

        // Every file by relative path, with its size and mtime.
        var files: [String: (size: Int64, mtime: Double)] = [:]
        for path in FileIO.walk(root) {
            var st = stat()
            guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            let time = st.modificationTime
            files[String(path.dropFirst(root.count + 1))] = (Int64(st.st_size), Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
        }

        // Hashed versions, grouped by their original's name.
        var versions: [String: [(name: String, mtime: Double)]] = [:]
        let metadata = DigestIndex.metadataFileNames.union([DjangoManifest.fileName])
        for (name, info) in files where !metadata.contains(name) && !Self.variantSuffixes.contains(where: { name.hasSuffix($0) }) {
            guard let original = try Self.original(of: name, root: root) else { continue }
            versions[original, default: []].append((name, info.mtime))
        }

        var doomed: [String] = []
        var kept = 0
        for (_, list) in versions {
            var earlier = 0
            for version in list.sorted(by: { $0.mtime > $1.mtime }) {
                if current.contains(version.name) {
                    kept += 1
                } else if earlier < options.keep || now.timeIntervalSince1970 - version.mtime < options.age {
                    earlier += 1
                    kept += 1
                } else {
                    doomed.append(version.name)
                }
            }
        }

        var removed: [String] = []
        var bytes: Int64 = 0
        for name in doomed {
            // Variants first: killed half-way, a version may lose its variants, never the reverse.
            for path in Self.variantSuffixes.map({ name + $0 }) + [name] {
                guard let info = files[path] else { continue }
                if !options.dryRun, unlink(root + "/" + path) != 0, errno != ENOENT {
                    throw StorageError.unwritable(path: root + "/" + path, errno: errno)
                }
                removed.append(path)
                bytes += info.size
            }
        }
        if !options.dryRun, !removed.isEmpty { try Self.dropDigests(of: Set(removed), root: root) }
        return Summary(removed: removed.sorted(), bytes: bytes, keptVersions: kept)
    }

    /// The hashed files `staticfiles.json` lists.
    static func manifestPaths(root: String) throws -> Set<String> {
        let manifest: DjangoManifest?
        do { manifest = try DjangoManifest.read(root: root) } catch { throw Failure.unreadableManifest(error.path) }
        guard let manifest else { throw Failure.noManifest(root) }
        return manifest.hashedFiles
    }

    /// The original's relative name when `name` is a hashed version of it: `.<12 hex>` placed
    /// where Django's `hashed_name` puts it, and the file's MD5 beginning with those digits.
    static func original(of name: String, root: String) throws -> String? {
        let slash = name.lastIndex(of: "/")
        let directory = slash.map { String(name[...$0]) } ?? ""
        let file = slash.map { String(name[name.index(after: $0)...]) } ?? name
        let characters = Array(file)
        var candidates: [(original: String, hash: String)] = []
        var i = 0
        while i + 13 <= characters.count {
            if characters[i] == ".", characters[(i + 1)..<(i + 13)].allSatisfy({ $0.isHexDigit && !$0.isUppercase }) {
                let stem = String(characters[..<i]), ext = String(characters[(i + 13)...])
                // Django wrote `stem.hash + ext` where (stem, ext) = splitext(original).
                if !stem.isEmpty, PythonURL.splitext(stem + ext) == (stem, ext) {
                    candidates.append((directory + stem + ext, String(characters[(i + 1)..<(i + 13)])))
                }
            }
            i += 1
        }
        guard !candidates.isEmpty else { return nil }
        let digest: String
        do { digest = try MD5.hex(file: root + "/" + name) } catch { throw StorageError.unreadable(path: error.path, errno: error.errno) }
        return candidates.first { digest.hasPrefix($0.hash) }?.original
    }

    /// Rewrites the integrity values and the digest index without the entries of `removed`
    /// (each atomically).
    static func dropDigests(of removed: Set<String>, root: String) throws {
        /// Rewrites `name` with `text`, keeping its times.
        func rewrite(_ name: String, _ text: String) throws {
            var st = stat()
            let path = root + "/" + name
            try FileIO.writeAtomically(path, Array(text.utf8), times: stat(path, &st) == 0 ? st : nil)
        }
        if var integrity = try IntegrityIndex.read(root: root) {
            let before = integrity.files.count
            integrity.files = integrity.files.filter { !removed.contains($0.key) }
            if integrity.files.count != before { try rewrite(IntegrityIndex.fileName, integrity.text) }
        }
        guard let text = try? String(contentsOfFile: root + "/" + DigestIndex.fileName, encoding: .utf8),
              var index = DigestIndex(parsing: text) else { return }
        let before = index.files.count
        index.files = index.files.filter { !removed.contains($0.key) }
        if index.files.count != before { try rewrite(DigestIndex.fileName, index.text) }
    }
}

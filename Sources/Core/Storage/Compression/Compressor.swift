public import WhiteNoise
public import Logging
import Foundation

/// Writes precompressed siblings (`.zst`, `.br`, `.gz`) next to static files, as WhiteNoise's
/// `Compressor` does, with zstd added: each encoding is judged on its own and kept only when
/// it is at most 95% of the original; variants carry the original's mtime; files are written
/// under a temporary name and renamed into place.
public struct Compressor: Sendable {
    /// WhiteNoise 6.12's skip list plus modern formats that are already compressed.
    public static let defaultSkipExtensions = [
        "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv", "woff", "woff2",
        "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv",
        "jxl", "avif", "heic", "zst", "zstd", "7z", "rar", "mp3", "ogg", "opus", "aac", "m4a", "flac",
    ]

    /// The encodings to produce.
    public var encodings: [ContentCoding] {
        didSet { encodings.removeAll { $0 == .identity } }  // identity is the original
    }
    /// Extensions (without dot, any case) never compressed; empty compresses everything.
    public var skipExtensions: [String]
    /// Where progress and warnings go.
    public var logger: Logger
    /// Files larger than this are compressed in a single streaming pass (bounded memory).
    public var streamingThreshold = 8 << 20
    /// Where compressed variants are looked up before compressing and kept after (`nil`: none).
    public var cache: CompressionCache?

    /// A compressor for `encodings`, skipping `skipExtensions`.
    public init(encodings: [ContentCoding] = ContentCoding.compressed,
                skipExtensions: [String] = Compressor.defaultSkipExtensions,
                logger: Logger = Logger(label: "whitenoise.compress")) {
        self.encodings = encodings.filter { $0 != .identity }
        self.skipExtensions = skipExtensions.map { $0.lowercased() }
        self.logger = logger
    }

    /// What happened to one file.
    public struct FileResult: Sendable, Equatable {
        /// The original's path.
        public var path: String
        /// Its size.
        public var originalSize: Int
        /// Variants written: encoding and size.
        public var written: [ContentCoding: Int]
        /// Encodings not kept because they saved less than 5%.
        public var notEffective: [ContentCoding]
        /// Encodings whose outcome came from the compression cache (nothing was compressed).
        public var fromCache: Set<ContentCoding> = []
        /// CPU time spent in the compression libraries for this file, in seconds.
        public var codecCPUSeconds: Double = 0
        /// What is known of the original and its variants without reading them again (their
        /// digest-index entries): the original's XXH64 and integrity value when the file was
        /// read to group contents, each variant's XXH64 when it was made in memory or came from
        /// the cache, and the mtime they all carry.
        var contentDigest: UInt64?
        var integrity: String?
        var variantDigests: [ContentCoding: UInt64] = [:]
        var modified: FileTime?

        /// The digest-index entries of the original and its variants that are known, by path.
        var knownEntries: [(String, DigestIndex.Entry)] {
            guard let modified else { return [] }
            var out: [(String, DigestIndex.Entry)] = []
            if let contentDigest {
                out.append((path, .init(size: Int64(originalSize), mtime: modified.seconds, mtimeNanoseconds: modified.nanoseconds,
                                        digest: contentDigest, integrity: integrity)))
            }
            for (encoding, digest) in variantDigests {
                guard let size = written[encoding] else { continue }
                out.append((path + encoding.suffix, .init(size: Int64(size), mtime: modified.seconds,
                                                          mtimeNanoseconds: modified.nanoseconds, digest: digest)))
            }
            return out
        }
    }

    /// A file's mtime.
    struct FileTime: Equatable, Sendable {
        var seconds: Int64
        var nanoseconds: Int64
        init(_ st: stat) {
            seconds = Int64(st.modificationTime.tv_sec)
            nanoseconds = Int64(st.modificationTime.tv_nsec)
        }
    }

    /// The calling thread's CPU time, in seconds.
    static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Whether a file name is to be compressed (not on the skip list).
    public func shouldCompress(_ name: String) -> Bool {
        guard !skipExtensions.isEmpty else { return true }
        let lower = name.lowercased()
        return !skipExtensions.contains { lower.hasSuffix("." + $0) }
    }

    /// A variant is kept when it is at most 95% of a non-empty original.
    public static func isEffective(original: Int, compressed: Int) -> Bool {
        original > 0 && Double(compressed) / Double(original) <= 0.95
    }

    /// Compresses one file with every encoding. Throws `StorageError` when it cannot be read
    /// or a variant cannot be written (nothing half-written is left under a final name).
    /// With a ``cache``, each encoding is first looked up by `contentKey` (computed from the
    /// file when not given).
    public func compress(file path: String, contentKey: String? = nil) throws(StorageError) -> FileResult {
        try compress(file: path, contentKey: contentKey, contentDigest: nil, integrity: nil)
    }

    /// ``compress(file:contentKey:)`` with what the caller already knows of the content.
    func compress(file path: String, contentKey: String?, contentDigest: UInt64?, integrity: String?) throws(StorageError) -> FileResult {
        var info = stat()
        let streaming = stat(path, &info) == 0 && Int(info.st_size) > streamingThreshold
        var key = contentKey
        if cache != nil, key == nil {
            var digest = SHA384()
            _ = try FileIO.stream(path) { digest.update($0) }
            key = CompressionCache.contentKey(digest.finalize())
        }
        // Encodings answered by the cache.
        var result = FileResult(path: path, originalSize: Int(info.st_size), written: [:], notEffective: [])
        result.contentDigest = contentDigest
        result.integrity = integrity
        result.modified = FileTime(info)
        var remaining = encodings
        if let cache, let key {
            remaining = []
            for encoding in encodings {
                switch cache.restore(key, encoding, streaming: streaming, to: path + encoding.suffix, times: info) {
                case .restored(let size, let digest):
                    result.written[encoding] = size
                    result.variantDigests[encoding] = digest
                    result.fromCache.insert(encoding)
                case .notEffective: result.notEffective.append(encoding); result.fromCache.insert(encoding)
                case .miss: remaining.append(encoding)
                }
            }
        }
        guard !remaining.isEmpty else { return result }
        let compressed = streaming ? try compressStreaming(path, remaining) : try compressInMemory(path, remaining)
        for (encoding, size) in compressed.written { result.written[encoding] = size }
        for (encoding, digest) in compressed.variantDigests { result.variantDigests[encoding] = digest }
        result.notEffective += compressed.notEffective
        result.originalSize = compressed.originalSize
        result.codecCPUSeconds = compressed.codecCPUSeconds
        if let cache, let key {
            for encoding in remaining {
                let kept = compressed.written[encoding] != nil
                guard kept || compressed.notEffective.contains(encoding) else { continue }  // no codec (zstd missing)
                cache.store(key, encoding, streaming: streaming, variant: kept ? path + encoding.suffix : nil)
            }
        }
        return result
    }

    /// Small files: read whole, each encoding in one call.
    private func compressInMemory(_ path: String, _ encodings: [ContentCoding]) throws(StorageError) -> FileResult {
        let (bytes, stat) = try FileIO.read(path)
        var result = FileResult(path: path, originalSize: bytes.count, written: [:], notEffective: [])
        for encoding in encodings {
            let started = Self.threadCPUTime()
            let compressed: [UInt8]? = bytes.withUnsafeBytes { raw in
                switch encoding {
                case .gzip: return Codecs.gzip(raw)
                case .br: return Codecs.brotli(raw)
                case .zstd: return Codecs.zstd(raw)
                case .identity: return nil  // not a compression (filtered out in init)
                }
            }
            result.codecCPUSeconds += Self.threadCPUTime() - started
            guard let compressed else { continue }
            guard Self.isEffective(original: bytes.count, compressed: compressed.count) else {
                result.notEffective.append(encoding)
                logger.debug("Skipping \(path) (\(encoding.rawValue) compression not effective)")
                continue
            }
            try FileIO.writeAtomically(path + encoding.suffix, compressed, times: stat)
            result.written[encoding] = compressed.count
            result.variantDigests[encoding] = compressed.withUnsafeBytes { ContentDigest.hash($0) }
            logger.debug("\(encoding.rawValue) compressed \(path) (\(bytes.count / 1024)K -> \(compressed.count / 1024)K)")
        }
        return result
    }

    /// Large files: every encoding fed from one read pass, each into its own temporary file.
    private func compressStreaming(_ path: String, _ encodings: [ContentCoding]) throws(StorageError) -> FileResult {
        let encoders = encodings.compactMap { StreamingEncoder($0, for: path) }
        let times: stat
        var cpu = 0.0
        do {
            times = try FileIO.stream(path) { chunk in
                let started = Self.threadCPUTime()
                for e in encoders { e.feed(chunk, finish: false) }
                cpu += Self.threadCPUTime() - started
            }
        } catch {
            encoders.forEach { $0.abandon() }
            throw error
        }
        let size = Int(times.st_size)
        var result = FileResult(path: path, originalSize: size, written: [:], notEffective: [])
        for e in encoders {
            let started = Self.threadCPUTime()
            e.feed(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
            cpu += Self.threadCPUTime() - started
            if let n = try e.close(times: times, keep: { Self.isEffective(original: size, compressed: $0) }) {
                result.written[e.encoding] = n
            } else {
                result.notEffective.append(e.encoding)
            }
        }
        result.codecCPUSeconds = cpu
        return result
    }

    /// Compresses every file under `root` that is not on the skip list, on every core.
    /// Directory symlinks are not followed (as `os.walk`); file symlinks are read through.
    public func compress(tree root: String) throws(StorageError) -> [FileResult] {
        try compress(files: FileIO.walk(root).filter { shouldCompress($0) })
    }

    /// Compresses the given files on every core. Files with identical content (an original
    /// and its hashed copy, say) are compressed once; the others get copies of the variants.
    public func compress(files: [String], progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) throws(StorageError) -> [FileResult] {
        // Group by content digest (cheap next to compression), keeping the first as representative.
        // The same read gives each content's SHA-384: its integrity value and its cache key.
        let hashes = Box<(digest: UInt64, sha: [UInt8])>(count: files.count)
        ParallelWork.forEach(files.count) { i in
            var hasher = ContentDigest()
            var sha = SHA384()
            if (try? FileIO.stream(files[i], { hasher.update($0); sha.update($0) })) != nil {
                hashes.set(i, (hasher.finalize(), sha.finalize()))
            }
        }
        let shaValues = hashes.values.map { $0?.sha }
        let digestValues = hashes.values.map { $0?.digest }
        var representative: [UInt64: Int] = [:]
        var unique: [Int] = []
        for i in files.indices {
            guard let d = digestValues[i] else { unique.append(i); continue }
            if representative[d] == nil {
                representative[d] = i
                unique.append(i)
            }
        }
        let results = Box<Result<FileResult, StorageError>>(count: files.count)
        let uniqueIndices = unique
        let counter = ProgressCounter(total: uniqueIndices.count, report: progress)
        ParallelWork.forEach(uniqueIndices.count) { k in
            let i = uniqueIndices[k]
            let sha = shaValues[i]
            results.set(i, Result { () throws(StorageError) in
                try compress(file: files[i], contentKey: sha.flatMap { cache == nil ? nil : CompressionCache.contentKey($0) },
                             contentDigest: digestValues[i], integrity: sha.map(SHA384.integrityValue(of:)))
            })
            counter.step()
        }
        let resultValues = results.values
        var out: [FileResult] = []
        for i in files.indices {
            if let r = resultValues[i] {
                out.append(try r.get())
                continue
            }
            // A duplicate: copy its representative's variants, with this file's own times.
            let rep = representative[digestValues[i]!]!
            let repResult = try resultValues[rep]!.get()
            var st = stat()
            guard stat(files[i], &st) == 0 else { throw StorageError.unreadable(path: files[i], errno: errno) }
            var result = repResult
            result.path = files[i]
            result.modified = FileTime(st)
            result.codecCPUSeconds = 0
            for encoding in repResult.written.keys {
                try FileIO.copyAtomically(files[rep] + encoding.suffix, files[i] + encoding.suffix, keepTimes: false)
                var ts = st.accessAndModificationTimes
                _ = utimensat(AT_FDCWD, files[i] + encoding.suffix, &ts, 0)
            }
            out.append(result)
        }
        return out
    }

    /// Checks that zstd can be produced; logs one warning when it cannot.
    public func warnIfUnavailable() {
        guard encodings.contains(.zstd), !Codecs.zstdAvailable else { return }
        if Zstd.disabledByEnvironment {
            logger.warning("whitenoise: WHITENOISE_ZSTD=off: skipping .zst variants")
        } else {
            logger.warning("whitenoise: libzstd is not installed (apt-get install libzstd1, brew install zstd): skipping .zst variants")
        }
    }
}

/// Values written by index from concurrent workers.
final class Box<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Value) { lock.withLock { storage[i] = value } }
    var values: [Value?] { lock.withLock { storage } }
}

/// Counts finished files and reports them one at a time, whatever thread finished them.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let report: (@Sendable (Int, Int) -> Void)?
    init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
        self.total = total
        self.report = report
    }
    func step() {
        lock.withLock {
            done += 1
            report?(done, total)
        }
    }
}


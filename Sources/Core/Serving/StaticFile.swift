import Atomics
import HTTPTypes
import Logging
import NIOCore

/// Engine-wide state shared by every file: the configuration and what is derived from it.
final class EngineContext: Sendable {
    let configuration: StaticFilesConfiguration
    let mediaTypes: MediaTypes
    let logger: Logger
    /// Bytes of file bodies currently held in memory (bounded by `memoryBudget`).
    let memoryInUse = ManagedAtomic<Int>(0)
    /// The `multipart/byteranges` boundary for this process.
    let boundary: String
    /// Autorefresh's view of each root's `staticfiles.json`.
    let manifestNames = ManifestNames()

    init(configuration: StaticFilesConfiguration, logger: Logger) {
        self.configuration = configuration
        self.mediaTypes = MediaTypes(overrides: configuration.mimeTypes)
        self.logger = logger
        var rng = SystemRandomNumberGenerator()
        self.boundary = "whitenoise-" + ContentDigest.hex(rng.next())
    }

    /// Reserves room for `bytes` of body in memory; `false` when the budget is spent.
    func reserveMemory(_ bytes: Int) -> Bool {
        guard bytes <= configuration.maximumInMemoryFileSize else { return false }
        let after = memoryInUse.wrappingIncrementThenLoad(by: bytes, ordering: .relaxed)
        if after <= configuration.memoryBudget { return true }
        memoryInUse.wrappingDecrement(by: bytes, ordering: .relaxed)
        return false
    }
}

/// A file on disk and its precompressed siblings, as known at start-up: one URL's worth.
/// Its headers and (small) body are prepared on first use, once, lock-free.
final class StaticFile: Sendable {
    /// One stored form of the file: the original or a compressed sibling.
    struct Source: Sendable {
        var coding: ContentCoding
        var path: String
        var snapshot: FileSnapshot
        /// A digest taken from a digest index whose size and mtime match, if any.
        var knownDigest: UInt64?
    }

    let url: String
    let sources: [Source]  // identity first
    let immutable: Bool
    let context: EngineContext
    /// `false` for autorefresh's per-request files: nothing is cached or kept in memory.
    let cached: Bool
    private let prepared = ManagedAtomicLazyReference<PreparedFile>()

    init(url: String, sources: [Source], immutable: Bool, context: EngineContext, cached: Bool = true) {
        self.url = url
        self.sources = sources
        self.immutable = immutable
        self.context = context
        self.cached = cached
    }

    /// Whether the file has been prepared (read and its headers built), so answering it reads
    /// no file but the body's.
    var isPrepared: Bool { prepared.load() != nil }

    /// The prepared form, built on first use. `nil` when the file has vanished.
    func preparedFile() -> PreparedFile? {
        guard cached else { return prepare(reusingMemory: false) }
        if let p = prepared.load() { return p }
        guard let p = prepare(reusingMemory: true) else { return nil }
        return prepared.storeIfNilThenLoad(p)
    }

    /// Reads the files as they are now and builds every header. Files small enough are kept
    /// in memory (within the budget) when `reusingMemory`, i.e. when the result is cached.
    func prepare(reusingMemory: Bool) -> PreparedFile? {
        var reps: [LoadedRepresentation] = []
        for source in sources {
            guard let (fd, snapshot) = FileSystem.openRegular(source.path) else {
                if source.coding == .identity { return nil }
                continue
            }
            defer { _ = closeDescriptor(fd) }
            var digest = snapshot == source.snapshot ? source.knownDigest : nil
            var body: ByteBuffer?
            let size = Int(snapshot.size)
            if size <= context.configuration.maximumInMemoryFileSize, !reusingMemory || context.reserveMemory(size) {
                var buffer = ByteBufferAllocator().buffer(capacity: size)
                var hasher = ContentDigest()
                let ok = FileSystem.read(fd, offset: 0, count: size) { chunk in
                    buffer.writeBytes(chunk)
                    hasher.update(chunk)
                }
                guard ok else {
                    if reusingMemory { context.memoryInUse.wrappingDecrement(by: size, ordering: .relaxed) }
                    if source.coding == .identity { return nil }
                    continue
                }
                body = buffer
                digest = digest ?? hasher.finalize()
            } else if digest == nil {
                var hasher = ContentDigest()
                guard FileSystem.read(fd, offset: 0, count: size, into: { hasher.update($0) }) else {
                    if source.coding == .identity { return nil }
                    continue
                }
                digest = hasher.finalize()
            }
            reps.append(LoadedRepresentation(coding: source.coding, path: source.path, snapshot: snapshot,
                                               etag: "\"" + ContentDigest.hex(digest!) + "\"", body: body))
        }
        guard let identity = reps.first, identity.coding == .identity else { return nil }
        return PreparedFile(file: self, identity: identity, representations: reps)
    }
}

/// One representation as read from disk: its bytes (if small), digest-derived ETag and stat.
struct LoadedRepresentation: Sendable {
    var coding: ContentCoding
    var path: String
    var snapshot: FileSnapshot
    var etag: String
    var body: ByteBuffer?
}

/// One representation with every header it will ever need, built once. A class, so that
/// choosing one per request costs one reference count, not a copy of every field.
final class PreparedRepresentation: Sendable {
    let coding: ContentCoding
    let path: String
    let snapshot: FileSnapshot
    let etag: String
    let body: ByteBuffer?
    let fields200: HTTPFields
    let fields304: HTTPFields
    let head200: ByteBuffer
    let head304: ByteBuffer

    init(_ loaded: LoadedRepresentation, etag: String, fields200: HTTPFields, fields304: HTTPFields) {
        coding = loaded.coding
        path = loaded.path
        snapshot = loaded.snapshot
        self.etag = etag
        body = loaded.body
        self.fields200 = fields200
        self.fields304 = fields304
        head200 = HTTP1Head.serialise(status: .ok, fields: fields200)
        head304 = HTTP1Head.serialise(status: .notModified, fields: fields304)
    }
}

/// A file's representations, smallest first, with their precomputed headers.
final class PreparedFile: Sendable {
    let representations: [PreparedRepresentation]
    let hasVariants: Bool
    /// Seconds since the epoch of the original's mtime, when sent as `Last-Modified`.
    let lastModified: Int64?
    let lastModifiedText: String?
    let contentType: String

    init(file: StaticFile, identity: LoadedRepresentation, representations input: [LoadedRepresentation]) {
        let ctx = file.context
        let config = ctx.configuration
        contentType = ctx.mediaTypes.contentType(forFileName: identity.path, charset: config.charset)
        var base = HTTPFields()
        base[.contentType] = contentType
        if file.immutable {
            base[.cacheControl] = "max-age=\(StaticFilesConfiguration.forever), public, immutable"
        } else if let maxAge = config.maxAge {
            base[.cacheControl] = "max-age=\(maxAge), public"
        }
        if config.allowAllOrigins { base[.accessControlAllowOrigin] = "*" }
        config.addHeaders?(&base, identity.path, file.url)
        hasVariants = input.count > 1
        if hasVariants { base[.vary] = "Accept-Encoding" }
        if let custom = base[.lastModified] {
            lastModified = HTTPDate.parse(custom)
            lastModifiedText = custom
        } else if identity.snapshot.mtimeSeconds != 0 {
            lastModified = identity.snapshot.mtimeSeconds
            lastModifiedText = HTTPDate.format(identity.snapshot.mtimeSeconds)
            base[.lastModified] = lastModifiedText
        } else {
            lastModified = nil
            lastModifiedText = nil
        }
        let customETag = base[.eTag]
        let order: [ContentCoding: Int] = [.identity: 0, .zstd: 1, .br: 2, .gzip: 3]
        let sorted = input.sorted {
            $0.snapshot.size != $1.snapshot.size ? $0.snapshot.size < $1.snapshot.size : order[$0.coding]! < order[$1.coding]!
        }
        representations = sorted.map { loaded in
            var fields = base
            let etag = customETag ?? loaded.etag
            if customETag == nil { fields[.eTag] = etag }
            fields[.contentLength] = String(loaded.snapshot.size)
            if loaded.coding != .identity { fields[.contentEncoding] = loaded.coding.rawValue }
            fields[.acceptRanges] = "bytes"
            var notModified = HTTPFields()
            for name in [HTTPField.Name.cacheControl, .eTag, .vary, .lastModified, .accessControlAllowOrigin] {
                if let v = fields[name] { notModified[name] = v }
            }
            return PreparedRepresentation(loaded, etag: etag, fields200: fields, fields304: notModified)
        }
    }
}

/// Serialises a response head as HTTP/1.1 bytes (without the final blank line).
enum HTTP1Head {
    static func serialise(status: HTTPResponse.Status, fields: HTTPFields) -> ByteBuffer {
        let statusLine = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        let size = fields.reduce(statusLine.utf8.count) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        var b = ByteBufferAllocator().buffer(capacity: size)  // exact: these live as long as the file
        b.writeString(statusLine)
        for field in fields {
            b.writeString(field.name.rawName)
            b.writeString(": ")
            b.writeString(field.value)
            b.writeString("\r\n")
        }
        return b
    }
}

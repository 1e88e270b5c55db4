import Atomics
import HTTPTypes
import Logging
import NIOCore
import Synchronization

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
    /// The descriptors of files sent from disk, held between requests.
    let heldDescriptors: HeldDescriptors

    init(configuration: StaticFilesConfiguration, logger: Logger) {
        self.configuration = configuration
        self.mediaTypes = MediaTypes(overrides: configuration.mimeTypes)
        self.logger = logger
        self.heldDescriptors = HeldDescriptors(capacity: configuration.maximumHeldFiles ?? HeldDescriptors.defaultCapacity)
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
    private let prepared = Mutex<PreparedFile?>(nil)

    init(url: String, sources: [Source], immutable: Bool, context: EngineContext, cached: Bool = true) {
        self.url = url
        self.sources = sources
        self.immutable = immutable
        self.context = context
        self.cached = cached
    }

    /// Whether the file has been prepared (read and its headers built), so answering it reads
    /// no file but the body's.
    var isPrepared: Bool { prepared.withLock { $0 != nil } }

    /// The prepared form, built on first use (see Docs/serving.md, "Files that change").
    func preparedFile() -> Preparation {
        guard cached else { return prepare(keepingMemory: false, settling: .waitBriefly) }
        if let p = prepared.withLock({ $0 }) { return .ready(p) }
        return refresh(replacing: nil)
    }

    /// Prepares the file as it is now and keeps it in place of `old`, which a response found
    /// changed on disk. A first preparation waits for a file still being written to settle
    /// (it runs where blocking is allowed); a refresh does not wait: it reports `.changing`.
    func refresh(replacing old: PreparedFile?) -> Preparation {
        let fresh = prepare(keepingMemory: true, settling: old == nil ? .waitBriefly : .requireQuiet, previous: old)
        if case .changing = fresh { return fresh }
        let (installed, replaced): (Bool, PreparedFile?) = prepared.withLock { current in
            guard current === old else { return (false, current) }  // another request was first
            if case .ready(let p) = fresh { current = p } else { current = nil }
            return (true, old)
        }
        guard installed else {
            if case .ready(let p) = fresh { p.retire(context) }
            return replaced.map { .ready($0) } ?? fresh
        }
        replaced?.retire(context)
        return fresh
    }
}

/// One representation as read from disk: its bytes (if small), digest-derived ETag and stat.
struct LoadedRepresentation: Sendable {
    var coding: ContentCoding
    var path: String
    var snapshot: FileSnapshot
    var etag: String
    var body: ByteBuffer?
    /// The open file, for a representation sent from disk by a cached file.
    var held: HeldDescriptor?
    /// Bytes of the memory budget its body took.
    var reservedMemory = 0
}

/// One representation with every header it will ever need, built once. A class, so that
/// choosing one per request costs one reference count, not a copy of every field.
final class PreparedRepresentation: Sendable {
    let coding: ContentCoding
    let path: String
    let snapshot: FileSnapshot
    let etag: String
    let body: ByteBuffer?
    let held: HeldDescriptor?
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
        held = loaded.held
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
    /// Bytes of the memory budget its bodies took.
    let reservedMemory: Int

    /// Lets go of what the file held once a newer version replaced it: its descriptors and
    /// its share of the memory budget (responses in flight keep their own references).
    func retire(_ context: EngineContext) {
        for rep in representations { rep.held?.release() }
        context.memoryInUse.wrappingDecrement(by: reservedMemory, ordering: .relaxed)
    }

    init(file: StaticFile, identity: LoadedRepresentation, representations input: [LoadedRepresentation], reservedMemory: Int) {
        self.reservedMemory = reservedMemory
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

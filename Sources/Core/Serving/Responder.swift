import HTTPTypes
import NIOCore

/// The per-request decision for one file (DESIGN §2): method, representation,
/// preconditions, then range. Everything it returns was computed at preparation time,
/// except what depends on the request (ranges, multipart delimiters).
extension StaticFile {
    func respond(method: HTTPRequest.Method, fields: RequestFields) -> StaticResponse? {
        guard method == .get || method == .head else { return Self.methodNotAllowed }
        guard let prepared = preparedFile() else { return nil }
        return prepared.respond(method: method, fields: fields, file: self, retryIfChanged: true)
    }

    static let methodNotAllowed: StaticResponse = {
        var f = HTTPFields()
        f[.allow] = "GET, HEAD"
        f[.contentLength] = "0"
        return StaticResponse(status: .methodNotAllowed, headerFields: f, http1Head: HTTP1Head.serialise(status: .methodNotAllowed, fields: f))
    }()
}

extension PreparedFile {
    func respond(method: HTTPRequest.Method, fields: RequestFields, file: StaticFile, retryIfChanged: Bool) -> StaticResponse? {
        let rep = select(fields.acceptEncoding.map { AcceptEncoding(parsing: $0) } ?? .absent)

        // Preconditions, RFC 9110 §13.2.2 order, against the selected representation.
        if let ifMatch = fields.ifMatch {
            if !EntityTagList.matches(ifMatch, etag: rep.etag, weak: false) { return preconditionFailed(rep) }
        } else if let ius = fields.ifUnmodifiedSince, let date = HTTPDate.parse(ius), let lm = lastModified, lm > date {
            return preconditionFailed(rep)
        }
        if let inm = fields.ifNoneMatch {
            if EntityTagList.matches(inm, etag: rep.etag, weak: true) {
                return StaticResponse(status: .notModified, headerFields: rep.fields304, http1Head: rep.head304)
            }
        } else if let ims = fields.ifModifiedSince, let date = HTTPDate.parse(ims), let lm = lastModified, lm <= date {
            return StaticResponse(status: .notModified, headerFields: rep.fields304, http1Head: rep.head304)
        }

        var range = RangeRequest.full
        if let value = fields.range, ifRangeHolds(fields.ifRange, rep) {
            range = RangeRequest(parsing: value, length: rep.snapshot.size)
        }
        let isHead = method == .head
        switch range {
        case .unsatisfiable:
            var f = rep.fields200
            f[.contentEncoding] = nil
            f[.contentRange] = "bytes */\(rep.snapshot.size)"
            f[.contentLength] = "0"
            return StaticResponse(status: .rangeNotSatisfiable, headerFields: f)
        case .full:
            if isHead { return StaticResponse(status: .ok, headerFields: rep.fields200, http1Head: rep.head200) }
            guard let body = body(rep) else { return retry(method, fields, file, retryIfChanged) }
            return StaticResponse(status: .ok, headerFields: rep.fields200, body: body.whole, http1Head: rep.head200)
        case .ranges(let ranges):
            var source: BodySource?
            if !isHead {
                source = body(rep)
                if source == nil { return retry(method, fields, file, retryIfChanged) }
            }
            var f = rep.fields200
            if ranges.count == 1 {
                let r = ranges[0]
                f[.contentRange] = "bytes \(r.lowerBound)-\(r.upperBound)/\(rep.snapshot.size)"
                f[.contentLength] = String(r.upperBound - r.lowerBound + 1)
                return StaticResponse(status: .partialContent, headerFields: f, body: source?.slice(r) ?? .empty)
            }
            let boundary = file.context.boundary
            var parts: [StaticResponse.Part] = []
            var length: Int64 = 0
            for (i, r) in ranges.enumerated() {
                var delimiter = ByteBuffer()
                delimiter.writeString(i == 0 ? "--" : "\r\n--")
                delimiter.writeString("\(boundary)\r\nContent-Type: \(contentType)\r\nContent-Range: bytes \(r.lowerBound)-\(r.upperBound)/\(rep.snapshot.size)\r\n\r\n")
                length += Int64(delimiter.readableBytes) + r.upperBound - r.lowerBound + 1
                parts.append(.bytes(delimiter))
                if let source { parts.append(source.part(r)) }
            }
            var closing = ByteBuffer()
            closing.writeString("\r\n--\(boundary)--\r\n")
            length += Int64(closing.readableBytes)
            parts.append(.bytes(closing))
            f[.contentType] = "multipart/byteranges; boundary=\(boundary)"
            f[.contentLength] = String(length)
            f[.contentEncoding] = rep.coding == .identity ? nil : rep.coding.rawValue
            return StaticResponse(status: .partialContent, headerFields: f, body: isHead ? .empty : .multipart(parts))
        }
    }

    /// The smallest representation the client accepts; identity when it accepts none.
    func select(_ accept: AcceptEncoding) -> PreparedRepresentation {
        if !hasVariants { return representations[0] }
        for rep in representations where accept.accepts(rep.coding) { return rep }
        return representations.first { $0.coding == .identity } ?? representations[0]
    }

    private func preconditionFailed(_ rep: PreparedRepresentation) -> StaticResponse {
        var f = rep.fields304
        f[.contentLength] = "0"
        return StaticResponse(status: .preconditionFailed, headerFields: f)
    }

    /// `If-Range` (RFC 9110 §13.1.5): an entity tag must match strongly; a date must equal
    /// `Last-Modified` exactly. When it does not hold, the range is ignored (full 200).
    private func ifRangeHolds(_ value: String?, _ rep: PreparedRepresentation) -> Bool {
        guard let value = value?.trimmingSpaces(), !value.isEmpty else { return true }
        if value.hasPrefix("\"") || value.hasPrefix("W/") {
            return !value.hasPrefix("W/") && value == rep.etag
        }
        guard let date = HTTPDate.parse(value), let lm = lastModified else { return false }
        return date == lm
    }

    /// Where the bytes come from: memory, or a freshly opened file still matching the snapshot.
    private func body(_ rep: PreparedRepresentation) -> BodySource? {
        if let bytes = rep.body { return .memory(bytes) }
        guard let (fd, now) = FileSystem.openRegular(rep.path) else { return nil }
        guard now == rep.snapshot else {
            _ = closeDescriptor(fd)
            return nil
        }
        return .file(OpenFile(descriptor: fd, path: rep.path), rep.snapshot.size)
    }

    /// The file changed or vanished since it was prepared: answer from a fresh, uncached
    /// preparation of the file as it is now; if it keeps changing under us, fail cleanly.
    private func retry(_ method: HTTPRequest.Method, _ fields: RequestFields, _ file: StaticFile, _ allowed: Bool) -> StaticResponse? {
        file.context.logger.debug("whitenoise: file changed since start-up, re-reading", metadata: ["url": "\(file.url)"])
        guard allowed else { return StaticFiles.serviceUnavailable }
        guard let fresh = file.prepare(reusingMemory: false) else { return nil }
        return fresh.respond(method: method, fields: fields, file: file, retryIfChanged: false)
    }
}

/// The bytes behind a 200 or 206.
enum BodySource {
    case memory(ByteBuffer)
    case file(OpenFile, Int64)

    var whole: StaticResponse.Body {
        switch self {
        case .memory(let b): return .bytes(b)
        case .file(let f, let size): return .file(FileSlice(file: f, offset: 0, length: size))
        }
    }

    func slice(_ r: ClosedRange<Int64>) -> StaticResponse.Body {
        switch part(r) {
        case .bytes(let b): return .bytes(b)
        case .file(let s): return .file(s)
        }
    }

    func part(_ r: ClosedRange<Int64>) -> StaticResponse.Part {
        let count = r.upperBound - r.lowerBound + 1
        switch self {
        case .memory(let b): return .bytes(b.getSlice(at: b.readerIndex + Int(r.lowerBound), length: Int(count))!)
        case .file(let f, _): return .file(FileSlice(file: f, offset: r.lowerBound, length: count))
        }
    }
}

/// The request header fields the engine reads. Adapters that parse requests themselves can
/// fill it directly and call `StaticFiles.respond(method:target:fields:)`.
public struct RequestFields: Sendable {
    /// `Accept-Encoding`.
    public var acceptEncoding: String?
    /// `If-Match`.
    public var ifMatch: String?
    /// `If-None-Match`.
    public var ifNoneMatch: String?
    /// `If-Modified-Since`.
    public var ifModifiedSince: String?
    /// `If-Unmodified-Since`.
    public var ifUnmodifiedSince: String?
    /// `Range`.
    public var range: String?
    /// `If-Range`.
    public var ifRange: String?

    /// No fields.
    public init() {}

    /// Gathers the fields in one pass. Repeated list fields are combined with ", " (RFC 9110
    /// §5.3); for single-valued fields the first wins.
    public init(_ fields: HTTPFields) {
        for field in fields {
            switch field.name {
            case .acceptEncoding: acceptEncoding = Self.combine(acceptEncoding, field.value)
            case .ifNoneMatch: ifNoneMatch = Self.combine(ifNoneMatch, field.value)
            case .ifModifiedSince: ifModifiedSince = ifModifiedSince ?? field.value
            case .range: range = Self.combine(range, field.value)
            case .ifMatch: ifMatch = Self.combine(ifMatch, field.value)
            case .ifUnmodifiedSince: ifUnmodifiedSince = ifUnmodifiedSince ?? field.value
            case .ifRange: ifRange = ifRange ?? field.value
            default: continue
            }
        }
    }

    /// Adds one field by its lower-case name, as a parser meets it; other names are ignored.
    /// Returns whether the name was one of ours.
    @discardableResult
    public mutating func add(lowercasedName name: String, value: String) -> Bool {
        switch name {
        case "accept-encoding": acceptEncoding = Self.combine(acceptEncoding, value)
        case "if-none-match": ifNoneMatch = Self.combine(ifNoneMatch, value)
        case "if-modified-since": ifModifiedSince = ifModifiedSince ?? value
        case "range": range = Self.combine(range, value)
        case "if-match": ifMatch = Self.combine(ifMatch, value)
        case "if-unmodified-since": ifUnmodifiedSince = ifUnmodifiedSince ?? value
        case "if-range": ifRange = ifRange ?? value
        default: return false
        }
        return true
    }

    /// Adds one field by its name in any case, as frameworks that keep names as sent give
    /// them (no allocation: names are compared ASCII-case-insensitively).
    @discardableResult
    public mutating func add(name: String, value: String) -> Bool {
        for known in Self.names where Self.equalIgnoringASCIICase(name, known) {
            return add(lowercasedName: known, value: value)
        }
        return false
    }

    private static let names = ["accept-encoding", "if-none-match", "if-modified-since", "range", "if-match",
                                "if-unmodified-since", "if-range"]

    private static func equalIgnoringASCIICase(_ name: String, _ lowercased: String) -> Bool {
        guard name.utf8.count == lowercased.utf8.count else { return false }
        return zip(name.utf8, lowercased.utf8).allSatisfy { a, b in (a >= 65 && a <= 90 ? a | 0x20 : a) == b }
    }

    private static func combine(_ a: String?, _ b: String) -> String { a.map { $0 + ", " + b } ?? b }
}

import HTTPTypes
import Logging
import NIOCore

/// The per-request decision for one file (Docs/architecture.md#the-request-path): method, representation,
/// preconditions, then range. Everything it returns was computed at preparation time,
/// except what depends on the request (ranges, multipart delimiters).
extension StaticFile {
    func respond(method: HTTPRequest.Method, fields: RequestFields) -> StaticResponse? {
        guard method == .get || method == .head else { return Self.methodNotAllowed }
        switch preparedFile() {
        case .ready(let prepared): return prepared.respond(method: method, fields: fields, file: self, mayRefresh: true)
        case .missing: return nil
        case .changing: return StaticFiles.serviceUnavailable
        }
    }

    static let methodNotAllowed: StaticResponse = {
        var f = HTTPFields()
        f[.allow] = "GET, HEAD"
        f[.contentLength] = "0"
        return StaticResponse(status: .methodNotAllowed, headerFields: f, http1Head: HTTP1Head.serialise(status: .methodNotAllowed, fields: f))
    }()
}

extension PreparedFile {
    func respond(method: HTTPRequest.Method, fields: RequestFields, file: StaticFile, mayRefresh: Bool,
                 pathMayDiffer: Bool = false) -> StaticResponse? {
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
            guard let body = body(rep, file, pathMayDiffer) else { return changed(method, fields, file, mayRefresh) }
            return StaticResponse(status: .ok, headerFields: rep.fields200, body: body.whole, http1Head: rep.head200)
        case .ranges(let ranges):
            var source: BodySource?
            if !isHead {
                source = body(rep, file, pathMayDiffer)
                if source == nil { return changed(method, fields, file, mayRefresh) }
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

    /// The representation the client prefers most (highest q); among equally preferred ones
    /// the smallest. Identity that the header does not rate ties with the best coding; it is
    /// also the answer when nothing else is acceptable.
    func select(_ accept: AcceptEncoding) -> PreparedRepresentation {
        if !hasVariants { return representations[0] }
        let identityTies = !accept.ratesIdentity
        var best = -1
        var bestQuality = 0
        var identity = 0
        // Smallest first, so a strictly higher q is needed to replace an earlier choice.
        for (i, rep) in representations.enumerated() {
            if rep.coding == .identity {
                identity = i
                if identityTies { continue }
            }
            let q = accept.quality(of: rep.coding)
            if q > bestQuality {
                best = i
                bestQuality = q
            }
        }
        if best < 0 || (identityTies && identity < best) { return representations[identity] }
        return representations[best]
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

    /// Where the bytes come from: memory, or a descriptor of the file as it was prepared (the
    /// held one duplicated, or the path opened again), checked against the snapshot; `nil`
    /// when the file changed. Unless `pathMayDiffer`, the path must still name that version.
    private func body(_ rep: PreparedRepresentation, _ file: StaticFile, _ pathMayDiffer: Bool) -> BodySource? {
        if let bytes = rep.body { return .memory(bytes) }
        if !pathMayDiffer {
            guard let (now, _) = FileSystem.info(rep.path), now == rep.snapshot else { return nil }
        }
        let fd = rep.held.map { $0.descriptor(reopening: rep.path, in: file.context.heldDescriptors) }
            ?? FileSystem.openRegular(rep.path)?.0
        guard let fd else { return nil }
        guard FileSystem.snapshot(of: fd)?.holdsVersion(rep.snapshot) ?? false else {
            _ = closeDescriptor(fd)
            return nil
        }
        return .file(OpenFile(descriptor: fd, path: rep.path, snapshot: rep.snapshot), rep.snapshot.size)
    }

    /// The file changed or vanished since it was prepared: answer from the file as it is now
    /// once it has settled (kept, when the file is cached); until then from the version still
    /// held, if a rename left it whole; otherwise a 503 (Docs/serving.md, "Files that change").
    private func changed(_ method: HTTPRequest.Method, _ fields: RequestFields, _ file: StaticFile, _ mayRefresh: Bool) -> StaticResponse? {
        guard mayRefresh else { return StaticFiles.serviceUnavailable }
        file.context.logger.debug("whitenoise: file changed since it was prepared", metadata: ["url": "\(file.url)"])
        let now = file.cached ? file.refresh(replacing: self) : file.prepare(keepingMemory: false, settling: .waitBriefly)
        switch now {
        case .ready(let fresh): return fresh.respond(method: method, fields: fields, file: file, mayRefresh: false)
        case .missing: return nil
        case .changing:
            guard file.cached else { return StaticFiles.serviceUnavailable }
            return respond(method: method, fields: fields, file: file, mayRefresh: false, pathMayDiffer: true)
        }
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

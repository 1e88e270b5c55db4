public import HTTPTypes

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
            if let name = Name(field.name) { add(name, value: field.value) }
        }
    }

    /// The fields the engine reads, for parsers that match names themselves.
    public enum Name: CaseIterable, Sendable {
        /// `Accept-Encoding`
        case acceptEncoding
        /// `If-None-Match`
        case ifNoneMatch
        /// `If-Modified-Since`
        case ifModifiedSince
        /// `Range`
        case range
        /// `If-Match`
        case ifMatch
        /// `If-Unmodified-Since`
        case ifUnmodifiedSince
        /// `If-Range`
        case ifRange

        /// The engine's field of that name, or `nil`.
        public init?(_ name: HTTPField.Name) {
            guard let known = Self.allCases.first(where: { $0.fieldName == name }) else { return nil }
            self = known
        }

        /// The lower-case field name.
        public var lowercased: String { fieldName.canonicalName }

        private var fieldName: HTTPField.Name {
            switch self {
            case .acceptEncoding: return .acceptEncoding
            case .ifNoneMatch: return .ifNoneMatch
            case .ifModifiedSince: return .ifModifiedSince
            case .range: return .range
            case .ifMatch: return .ifMatch
            case .ifUnmodifiedSince: return .ifUnmodifiedSince
            case .ifRange: return .ifRange
            }
        }
    }

    /// Adds one field. Repeated list fields are combined with ", "; for single-valued fields
    /// the first wins.
    public mutating func add(_ name: Name, value: String) {
        switch name {
        case .acceptEncoding: acceptEncoding = Self.combine(acceptEncoding, value)
        case .ifNoneMatch: ifNoneMatch = Self.combine(ifNoneMatch, value)
        case .ifModifiedSince: ifModifiedSince = ifModifiedSince ?? value
        case .range: range = Self.combine(range, value)
        case .ifMatch: ifMatch = Self.combine(ifMatch, value)
        case .ifUnmodifiedSince: ifUnmodifiedSince = ifUnmodifiedSince ?? value
        case .ifRange: ifRange = ifRange ?? value
        }
    }

    /// Adds one field by its name in any case, as frameworks that keep names as sent give
    /// them (no allocation: names are compared ASCII-case-insensitively).
    @discardableResult
    public mutating func add(name: String, value: String) -> Bool {
        for known in Name.allCases where Self.equalIgnoringASCIICase(name, known.lowercased) {
            add(known, value: value)
            return true
        }
        return false
    }

    private static func equalIgnoringASCIICase(_ name: String, _ lowercased: String) -> Bool {
        guard name.utf8.count == lowercased.utf8.count else { return false }
        return zip(name.utf8, lowercased.utf8).allSatisfy { a, b in (a >= 65 && a <= 90 ? a | 0x20 : a) == b }
    }

    private static func combine(_ a: String?, _ b: String) -> String { a.map { $0 + ", " + b } ?? b }
}

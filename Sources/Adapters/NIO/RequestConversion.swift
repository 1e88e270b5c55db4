package import HTTPTypes
package import NIOHTTP1

extension HTTPRequest {
    /// Converts a NIOHTTP1 request head into a swift-http-types request, or returns `nil` when
    /// a method or header name is not a valid token (the caller answers 400).
    init?(nioHead head: HTTPRequestHead) {
        guard let method = HTTPRequest.Method(head.method.rawValue) else { return nil }
        var fields = HTTPFields()
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers {
            guard let n = HTTPField.Name(name) else { return nil }
            fields.append(HTTPField(name: n, value: value))
        }
        self.init(method: method, scheme: nil, authority: head.headers.first(name: "host"), path: head.uri, headerFields: fields)
    }
}

extension HTTPHeaders {
    /// The header fields of a swift-http-types response, in order, for NIOHTTP1's encoder.
    package init(_ fields: HTTPFields) {
        self.init()
        self.reserveCapacity(fields.count)
        for field in fields { self.add(name: field.name.rawName, value: field.value) }
    }
}

#if Vapor
public import Leaf
public import WhiteNoiseSettings

/// Leaf's `#integrity("js/app.js")`: the file's Subresource Integrity value (`sha384-…`),
/// for `integrity="…"` in an element written by hand; empty in `DEBUG`. A name without a
/// value fails the render with a message naming it.
public struct IntegrityTag: LeafTag {
    /// The resolver.
    public let urls: StaticURLs

    /// A tag reading values through `urls`.
    public init(urls: StaticURLs) {
        self.urls = urls
    }

    /// Renders the value for the tag's one string parameter.
    public func render(_ ctx: LeafContext) throws -> LeafData {
        try ctx.requireParameterCount(1)
        guard let name = ctx.parameters[0].string else {
            throw StaticTagError(description: "#integrity expects the name of a static file, e.g. #integrity(\"js/app.js\")")
        }
        return .string(try urls.integrity(for: name) ?? "")
    }
}

/// Leaf's whole-element tags, unescaped HTML with the URL and integrity value escaped inside:
/// `#stylesheet("css/app.css")`, `#script("js/legacy.js")`, `#moduleScript("js/app.js")`,
/// `#modulePreload("js/greet.js")`; the script tags take a CSP nonce as a second parameter.
/// `crossorigin="anonymous"` is added when `STATIC_URL` is another origin.
public struct StaticElementTag: UnsafeUnescapedLeafTag {
    /// The resolver.
    public let urls: StaticURLs
    /// Which element.
    public let kind: StaticURLs.ElementKind
    /// The tag's name, for messages.
    public let name: String

    /// A tag writing `kind` elements through `urls`.
    public init(urls: StaticURLs, kind: StaticURLs.ElementKind, name: String) {
        self.urls = urls
        self.kind = kind
        self.name = name
    }

    /// Renders the element for the tag's file name (and nonce).
    public func render(_ ctx: LeafContext) throws -> LeafData {
        let takesNonce = kind == .script || kind == .moduleScript
        guard (1...(takesNonce ? 2 : 1)).contains(ctx.parameters.count), let file = ctx.parameters[0].string else {
            throw StaticTagError(description: "#\(name) expects the name of a static file\(takesNonce ? " (and a CSP nonce)" : ""), e.g. #\(name)(\"\(kind == .stylesheet ? "css/app.css" : "js/app.js")\")")
        }
        let nonce = ctx.parameters.count > 1 ? ctx.parameters[1].string : nil
        return .string(try urls.element(kind, file, nonce: nonce, integrity: try urls.integrity(for: file)))
    }
}

/// Leaf's `#importMap()` (or `#importMap(nonce)`): the page's `<script type="importmap">`,
/// mapping each module's plain URL to its hashed URL, with integrity values. Put it before
/// any module script. A module without an integrity value fails the render, naming it.
public struct ImportMapTag: UnsafeUnescapedLeafTag {
    /// The resolver.
    public let urls: StaticURLs

    /// A tag writing `urls`'s import map.
    public init(urls: StaticURLs) {
        self.urls = urls
    }

    /// Renders the element (with the nonce parameter, if given).
    public func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count <= 1 else {
            throw StaticTagError(description: "#importMap takes at most one parameter, a CSP nonce: #importMap() or #importMap(nonce)")
        }
        return .string(try urls.importMapElement(nonce: ctx.parameters.first?.string))
    }
}

extension StaticURLs {
    /// Every Leaf tag, by name: `static`, `integrity`, `stylesheet`, `script`, `moduleScript`,
    /// `modulePreload` and `importMap` (the names of the Mustache helpers too).
    public func leafTags() -> [String: any LeafTag] {
        [
            "static": StaticTag(urls: self),
            "integrity": IntegrityTag(urls: self),
            "stylesheet": StaticElementTag(urls: self, kind: .stylesheet, name: "stylesheet"),
            "script": StaticElementTag(urls: self, kind: .script, name: "script"),
            "moduleScript": StaticElementTag(urls: self, kind: .moduleScript, name: "moduleScript"),
            "modulePreload": StaticElementTag(urls: self, kind: .modulePreload, name: "modulePreload"),
            "importMap": ImportMapTag(urls: self),
        ]
    }
}
#endif

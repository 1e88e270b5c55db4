#if Hummingbird
import Foundation
public import Logging
public import Mustache
public import WhiteNoiseSettings

extension StaticURLs {
    /// The template helpers for a Mustache render context, under the names Leaf's tags have
    /// in a Vapor app. Merge them into each context:
    /// `context.merging(urls.mustacheHelpers()) { mine, _ in mine }`.
    ///
    /// - `{{#static}}css/app.css{{/static}}`: the URL (see ``mustacheLambda(logger:)``).
    /// - `{{#integrity}}js/app.js{{/integrity}}`: the Subresource Integrity value.
    /// - `{{#stylesheet}}css/app.css{{/stylesheet}}`, `{{#script}}js/legacy.js{{/script}}`,
    ///   `{{#moduleScript}}js/app.js{{/moduleScript}}`,
    ///   `{{#modulePreload}}js/greet.js{{/modulePreload}}`: whole elements with `integrity`.
    /// - `{{#importMap}}{{/importMap}}`: the `<script type="importmap">`.
    ///
    /// A script helper's body may add a CSP nonce after the name, and `importMap`'s body is
    /// the nonce: `{{#moduleScript}}js/app.js {{nonce}}{{/moduleScript}}`,
    /// `{{#importMap}}{{nonce}}{{/importMap}}` (the nonce is rendered from the context).
    ///
    /// Mustache lambdas cannot fail a render: a missing manifest entry or integrity value is
    /// logged as an error naming it, and the element is rendered without `integrity` (with
    /// the unhashed URL when the name itself is missing).
    public func mustacheHelpers(logger: Logger = Logger(label: "whitenoise")) -> [String: Any] {
        var helpers: [String: Any] = ["static": mustacheLambda(logger: logger)]
        helpers["integrity"] = MustacheLambda { (text: String) -> Any? in
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do { return try self.integrity(for: name) ?? "" } catch {
                logger.error("whitenoise: {{#integrity}}\(name){{/integrity}}: \(error)")
                return ""
            }
        }
        let elements: [(String, ElementKind)] = [("stylesheet", .stylesheet), ("script", .script),
                                                 ("moduleScript", .moduleScript), ("modulePreload", .modulePreload)]
        for (helper, kind) in elements {
            helpers[helper] = MustacheLambda { (text: String) -> Any? in self.mustacheElement(kind, helper, text, logger: logger) }
        }
        helpers["importMap"] = MustacheLambda { (text: String) -> Any? in
            for problem in self.importMapProblems { logger.error("whitenoise: {{#importMap}}: \(problem)") }
            let nonce = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return self.importMapElementIgnoringMissingIntegrity(nonce: nonce.isEmpty ? nil : nonce)
        }
        return helpers
    }

    /// One element helper's output for the section body `text` (`NAME` or `NAME NONCE`).
    private func mustacheElement(_ kind: ElementKind, _ helper: String, _ text: String, logger: Logger) -> String {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1)
        let name = parts.first.map(String.init) ?? ""
        let nonce = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : nil
        var integrity: String?
        do { integrity = try self.integrity(for: name) } catch {
            logger.error("whitenoise: {{#\(helper)}}\(name){{/\(helper)}}: \(error)")
        }
        do { return try element(kind, name, nonce: nonce, integrity: integrity) } catch {
            logger.error("whitenoise: {{#\(helper)}}\(name){{/\(helper)}}: \(error)")
            return StaticURLs.element(kind, url: unhashedURL(for: name), nonce: nonce, integrity: nil, crossOrigin: isCrossOrigin)
        }
    }

    /// A swift-mustache lambda for templates: `{{#static}}css/app.css{{/static}}` renders
    /// the file's URL (hashed, or on the CDN, as the settings say). Put it in the render
    /// context under the name `static`.
    ///
    /// A Mustache lambda cannot fail a render, so a name missing from a strict manifest is
    /// logged as an error naming the entry, and the unhashed URL is rendered instead.
    public func mustacheLambda(logger: Logger = Logger(label: "whitenoise")) -> MustacheLambda {
        MustacheLambda { (text: String) -> Any? in
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            do {
                return try self.url(for: name)
            } catch {
                logger.error("whitenoise: {{#static}}\(name){{/static}}: \(error)")
                return self.unhashedURL(for: name)
            }
        }
    }
}
#endif

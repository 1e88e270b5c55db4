#if Hummingbird
import Foundation
public import Logging
public import Mustache
public import WhiteNoiseSettings

extension StaticURLs {
    /// The template helpers for a Mustache render context, under the names Leaf's tags have
    /// in a Vapor app: `static` (see ``mustacheLambda(logger:)``). Merge them into each
    /// context: `context.merging(urls.mustacheHelpers()) { mine, _ in mine }`.
    public func mustacheHelpers(logger: Logger = Logger(label: "whitenoise")) -> [String: Any] {
        ["static": mustacheLambda(logger: logger)]
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

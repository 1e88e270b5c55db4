import Foundation
import WhiteNoiseDjango

/// The Subresource Integrity values `collectstatic` records beside `staticfiles.json`:
/// `STATIC_ROOT/staticfiles.integrity.json`, one `sha384-…` value per collected file (never
/// per compressed variant: browsers check the decoded bytes), keyed by the stored name, so a
/// lookup by a logical name goes through the manifest to the hashed name. The engine never
/// serves the file.
///
/// ```json
/// {
///   "version": 1,
///   "algorithm": "sha384",
///   "files": {
///     "css/app.3f1a9c0b7d2e.css": "sha384-…"
///   }
/// }
/// ```
public struct IntegrityIndex: Sendable, Equatable {
    /// The file's name inside `STATIC_ROOT`.
    public static let fileName = "staticfiles.integrity.json"
    /// The hash function of every value.
    public static let algorithm = "sha384"

    /// Stored name → `sha384-<base64>`.
    public var files: [String: String]

    /// Why an integrity file could not be read.
    public struct ReadError: Error, Equatable, CustomStringConvertible {
        /// The file.
        public let path: String
        /// What is wrong.
        public let problem: String
        /// The message.
        public var description: String { "Couldn't read the integrity file '\(path)': \(problem); run whitenoise collectstatic again" }
    }

    /// An index of `files`.
    public init(files: [String: String] = [:]) {
        self.files = files
    }

    /// Reads `root/staticfiles.integrity.json`; `nil` when there is none.
    /// - Throws: ``ReadError`` when the file exists but is not this format.
    public static func read(root: String) throws(ReadError) -> IntegrityIndex? {
        let path = root + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ReadError(path: path, problem: "not a JSON object")
        }
        guard object["version"] as? Int == 1, object["algorithm"] as? String == algorithm else {
            throw ReadError(path: path, problem: "expected version 1 and algorithm \(algorithm)")
        }
        guard let files = object["files"] as? [String: String] else {
            throw ReadError(path: path, problem: "\"files\" is not an object of names to values")
        }
        return IntegrityIndex(files: files)
    }

    /// The file's text: names sorted, one a line, so that an unchanged tree gives the same bytes.
    public var text: String {
        let entries = files.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            .map { "    \(JSONText.quote($0)): \(JSONText.quote(files[$0]!))" }
        return "{\n  \"version\": 1,\n  \"algorithm\": \"\(Self.algorithm)\",\n  \"files\": {\n"
            + entries.joined(separator: ",\n") + (entries.isEmpty ? "" : "\n") + "  }\n}\n"
    }
}

import Foundation
import Yams

/// A value as a settings file wrote it, before its key's type is applied.
package enum RawSetting: Equatable, Sendable {
    /// A scalar (strings, numbers and booleans all arrive as text).
    case text(String)
    /// A list (`a,b` in an env file, an array in JSON/YAML).
    case list([String])
    /// An explicit "no value": `null` in JSON/YAML, an empty value in an env file.
    case null
}

/// Reads a settings file into `KEY → value`, without interpreting the keys:
/// - `settings.env` (any name not ending in `.json`/`.yaml`/`.yml`): `KEY=value` lines,
///   `#` comments, optional `export `, single- or double-quoted values (quotes removed,
///   `\"`, `\\`, `\n` understood inside double quotes), ` # comment` after an unquoted value;
/// - JSON or YAML: one object (mapping) of `KEY: value`, values scalars, lists or (for
///   `WHITENOISE_MIMETYPES`) objects. A list item that is itself a two-item list is read as a
///   Django `(prefix, path)` tuple and becomes `prefix=path`.
package enum SettingsFile {
    /// The file's entries, in file order (a later duplicate wins, as in a shell).
    static func read(path: String) throws(SettingsError) -> [(key: String, value: RawSetting, line: Int?)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "it could not be read" : "there is no such file"
            throw SettingsError(file: path, problem: "cannot open the settings file: \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingsError(file: path, problem: "the settings file is not UTF-8 text")
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return try structured(path: path, object: parseJSON(text, path: path)) }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return try structured(path: path, object: parseYAML(text, path: path)) }
        return try parseEnv(text, path: path)
    }

    // MARK: env files

    package static func parseEnv(_ text: String, path: String) throws(SettingsError) -> [(key: String, value: RawSetting, line: Int?)] {
        var entries: [(key: String, value: RawSetting, line: Int?)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = (rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine).trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop(while: { $0 == " " }) }
            guard let equals = line.firstIndex(of: "=") else {
                throw SettingsError(file: path, line: lineNumber, problem: "expected KEY=value, found \"\(line)\"")
            }
            let key = String(line[..<equals].trimmingSpaces())
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw SettingsError(file: path, line: lineNumber, problem: "\"\(key)\" is not a setting name (letters, digits and _)")
            }
            let value = try unquote(String(line[line.index(after: equals)...].trimmingSpaces()), path: path, line: lineNumber)
            entries.append((key, value.isEmpty ? .null : .text(value), lineNumber))
        }
        return entries
    }

    /// Removes one level of quotes; an unquoted value loses a trailing ` # comment`.
    private static func unquote(_ value: String, path: String, line: Int) throws(SettingsError) -> String {
        guard let quote = value.first, quote == "\"" || quote == "'" else {
            if let comment = value.range(of: " #") { return String(value[..<comment.lowerBound].trimmingSpaces()) }
            return value
        }
        var out = ""
        var escaping = false
        var rest = value.dropFirst()
        while let c = rest.first {
            rest = rest.dropFirst()
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" && quote == "\"" {
                escaping = true
            } else if c == quote {
                let tail = rest.trimmingSpaces()
                guard tail.isEmpty || tail.hasPrefix("#") else {
                    throw SettingsError(file: path, line: line, problem: "unexpected text after the closing quote: \(tail)")
                }
                return out
            } else {
                out.append(c)
            }
        }
        throw SettingsError(file: path, line: line, problem: "the quoted value \(value) has no closing \(quote)")
    }

    // MARK: JSON and YAML

    private static func parseJSON(_ text: String, path: String) throws(SettingsError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw SettingsError(file: path, problem: "not valid JSON: \((error as NSError).userInfo[NSDebugDescriptionErrorKey] ?? error)")
        }
    }

    private static func parseYAML(_ text: String, path: String) throws(SettingsError) -> Any {
        do {
            return try Yams.load(yaml: text) ?? [String: Any]()
        } catch {
            throw SettingsError(file: path, problem: "not valid YAML: \(error)")
        }
    }

    private static func structured(path: String, object: Any) throws(SettingsError) -> [(key: String, value: RawSetting, line: Int?)] {
        guard let dictionary = object as? [String: Any] else {
            throw SettingsError(file: path, problem: "the settings file must hold one object of KEY: value pairs")
        }
        var entries: [(key: String, value: RawSetting, line: Int?)] = []
        for key in dictionary.keys.sorted() {
            entries.append((key, try raw(dictionary[key]!, key: key, path: path), nil))
        }
        return entries
    }

    private static func raw(_ value: Any, key: String, path: String) throws(SettingsError) -> RawSetting {
        if value is NSNull { return .null }
        if let scalar = scalarText(value) { return .text(scalar) }
        if let array = value as? [Any] {
            var items: [String] = []
            for item in array {
                if let text = scalarText(item) {
                    items.append(text)
                } else if let pair = item as? [Any], pair.count == 2, let prefix = scalarText(pair[0]), let dir = scalarText(pair[1]) {
                    items.append("\(prefix)=\(dir)")
                } else {
                    throw SettingsError(file: path, key: key, value: "\(item)", problem: "a list item must be a string or a [prefix, path] pair")
                }
            }
            return .list(items)
        }
        if let object = value as? [String: Any] {
            var items: [String] = []
            for k in object.keys.sorted() {
                guard let v = scalarText(object[k]!) else {
                    throw SettingsError(file: path, key: key, value: "\(object[k]!)", problem: "values of \(key) must be strings")
                }
                items.append("\(k)=\(v)")
            }
            return .list(items)
        }
        throw SettingsError(file: path, key: key, value: "\(value)", problem: "unsupported value")
    }

    private static func scalarText(_ value: Any) -> String? {
        switch value {
        case let s as String: return s
        // JSON numbers and booleans arrive as NSNumber; a boolean's type code is "c".
        case let n as NSNumber: return String(cString: n.objCType) == "c" ? (n.boolValue ? "true" : "false") : n.stringValue
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let d as Double: return String(d)
        default: return nil
        }
    }
}

extension Substring {
    /// `trimmingCharacters(in: .whitespaces)` (tabs and space separators) without Foundation's
    /// per-call cost: the env reader calls it several times a line.
    func trimmingSpaces() -> Substring {
        func isSpace(_ c: Character) -> Bool {
            c == " " || c == "\t" || c.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}

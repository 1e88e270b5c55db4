import WhiteNoise
import Foundation
import WhiteNoiseDjango

/// Errors of the hashing step, each naming the files involved.
public enum HashingError: Error, CustomStringConvertible, Equatable {
    /// A reference inside a CSS/JS file names a file that does not exist.
    case missingReference(file: String, reference: String, lookedFor: String)
    /// A CSS/JS file is not UTF-8.
    case notUTF8(file: String)
    /// References form a cycle that does not settle within Django's 5 extra passes.
    case maxPassesExceeded(files: [String])
    /// Reading or writing a file failed.
    case io(StorageError)

    /// A message in the spirit of WhiteNoise's `MissingFileError`.
    public var description: String {
        switch self {
        case .missingReference(let file, let reference, let lookedFor):
            return "The file '\(lookedFor)' could not be found.\n\nThe \(Self.kind(of: file)) file '\(file)' references a file which "
                + "could not be found:\n  \(reference)\n\nPlease check the URL references in this \(Self.kind(of: file)) file, "
                + "particularly any\nrelative paths which might be pointing to the wrong location."
        case .notUTF8(let file): return "'\(file)' is not valid UTF-8, so its references cannot be rewritten"
        case .maxPassesExceeded(let files): return "\(files.joined(separator: ", ")): Max post-process passes exceeded."
        case .io(let e): return e.description
        }
    }

    private static func kind(of file: String) -> String {
        file.split(separator: ".").last.map { $0.uppercased() } ?? "static"
    }
}

/// What `collectstatic` does with a reference to a file that does not exist.
public enum MissingReferencePolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the file, the reference and the path looked for (Django's way).
    case fail
    /// Warn and leave the reference as written, for source maps (`.map`) only.
    case warnForSourceMaps = "warn-maps"
    /// Warn and leave every missing reference as written.
    case warn
}

/// Django's `ManifestStaticFilesStorage.post_process` (6.1 by default, or 5.2), reproduced
/// step for step on a collected `STATIC_ROOT`: the same hashed names (`name.<md5[:12]>.ext`),
/// the same rewritten CSS/JS bytes, the same `staticfiles.json`. The Python it mirrors is
/// quoted in comments.
public struct ManifestHasher {
    /// `STATIC_ROOT`.
    public let root: String
    /// `STATIC_URL` (a path such as `/static/` or an absolute URL).
    public let staticURL: String
    private let patterns: ReferencePatterns
    /// What to do with a reference to a missing file.
    public var missingReferences: MissingReferencePolicy = .fail
    /// Receives a message for each reference left unchanged by the policy.
    public var warn: (String) -> Void = { _ in }
    /// Every hashed name produced (WhiteNoise's `_new_files`), for KEEP_ONLY_HASHED_FILES.
    public private(set) var producedNames: Set<String> = []
    /// Hashed files written by an earlier pass and replaced by a later one. Django deletes them
    /// at once; the caller deletes them after the new manifest is in place (crash safety).
    public private(set) var supersededNames: Set<String> = []
    /// Per rewritten file: the names its references looked up (and what they resolved to)
    /// and the hashed name that gave, so a later pass can skip it when nothing it uses changed.
    private var memo: [String: (lookups: [(name: String, value: String?)], hashedName: String)] = [:]
    /// The lookups of the file being rewritten.
    private var recording: [(name: String, value: String?)]?

    /// A hasher for `root` whose output matches `compatibility`'s Django.
    public init(root: String, staticURL: String, jsModuleImports: Bool = false,
                compatibility: DjangoCompatibility = .default) {
        self.root = root
        self.staticURL = staticURL
        self.patterns = ReferencePatterns(jsModuleImports: jsModuleImports, compatibility: compatibility)
    }

    /// Runs Django's post-processing over `paths` (relative names in collection order) and
    /// returns the manifest's `paths` map in Django's order.
    public mutating func postProcess(paths: [String]) throws(HashingError) -> [(String, String)] {
        supersededNames = []
        memo = [:]
        var working = OrderedMap()
        // matches_patterns(path, self._patterns): fnmatchcase on `*.css` / `*.js`.
        let adjustable = paths.filter { name in patterns.groups.contains { name.hasSuffix($0.suffix) } }
        let adjustableSet = Set(adjustable)
        _ = try passOver(paths, adjustable: adjustableSet, hashedFiles: &working)
        var unresolved: [String] = []
        for _ in 0..<5 {
            unresolved = try passOver(adjustable, adjustable: adjustableSet, hashedFiles: &working)
            if unresolved.isEmpty { break }
        }
        if !unresolved.isEmpty { throw .maxPassesExceeded(files: unresolved.sorted()) }
        supersededNames.subtract(working.pairs.map(\.1))
        return working.pairs
    }

    /// One `_post_process` pass; returns the names whose hashed name changed (substitutions).
    private mutating func passOver(_ paths: [String], adjustable: Set<String>, hashedFiles: inout OrderedMap) throws(HashingError) -> [String] {
        // sorted(paths, key=path_level, reverse=True): deepest first, stable.
        let ordered = paths.enumerated().map { (level: $0.element.utf8.count { $0 == UInt8(ascii: "/") }, offset: $0.offset, name: $0.element) }
            .sorted { $0.level != $1.level ? $0.level > $1.level : $0.offset < $1.offset }.map(\.name)
        var substituted: [String] = []
        for name in ordered {
            // A file processed in an earlier pass whose references all resolve as they did then
            // would be rewritten to the same bytes: its hashed name stands (Django redoes it).
            if let earlier = memo[name], let cached = hashedFiles[name], cached == earlier.hashedName,
                earlier.lookups.allSatisfy({ hashedFiles[$0.name] == $0.value }) {
                continue
            }
            // Only CSS/JS are read whole; everything else is hashed and copied in chunks.
            let path = root + "/" + name
            var original: [UInt8] = []
            if adjustable.contains(name) {
                do { original = try FileIO.read(path).0 } catch { throw .io(error) }
            }
            var hashedName: String
            if let cached = hashedFiles[name] {
                hashedName = cached
            } else if adjustable.contains(name) {
                hashedName = hashedNameFor(name, md5: MD5.hex(original))
            } else {
                do { hashedName = hashedNameFor(name, md5: try MD5.hex(file: path)) } catch {
                    throw .io(.unreadable(path: error.path, errno: error.errno))
                }
            }
            var st = stat()
            let hashedExists = lstat(root + "/" + hashedName, &st) == 0
            var substitutions = true
            if adjustable.contains(name) {
                let oldHashedName = hashedName
                guard var content = String(validating: original, as: UTF8.self) else { throw .notUTF8(file: name) }
                recording = []
                for group in patterns.groups where name.hasSuffix(group.suffix) {
                    for rule in group.rules {
                        content = try substitute(rule, in: content, sourceName: name, hashedFiles: hashedFiles)
                    }
                }
                let lookups = recording ?? []
                recording = nil
                // Django deletes the old hashed file, then saves; we write to a temporary name and
                // rename over it instead, so an interrupted run never leaves a referenced file
                // missing. The resulting files are the same.
                let bytes = Array(content.utf8)
                hashedName = hashedNameFor(name, md5: MD5.hex(bytes))
                try save(hashedName, bytes)
                if hashedExists, oldHashedName != hashedName { supersededNames.insert(oldHashedName) }
                supersededNames.remove(hashedName)
                if oldHashedName == hashedName { substitutions = false }
                memo[name] = (lookups, hashedName)
            } else if !hashedExists {
                do {
                    try FileManager.default.createDirectory(atPath: (root + "/" + hashedName as NSString).deletingLastPathComponent,
                                                             withIntermediateDirectories: true)
                } catch { throw .io(.unwritable(path: root + "/" + hashedName, errno: EIO)) }
                do { try FileIO.copyAtomically(path, root + "/" + hashedName, keepTimes: false) } catch { throw .io(error) }
            }
            hashedFiles[name] = hashedName
            if substitutions { substituted.append(name) }
        }
        return substituted
    }

    /// `hashed_name(name, content)` given the content's MD5.
    private mutating func hashedNameFor(_ name: String, md5: String) -> String {
        let result = DjangoManifest.hashedName(name, md5: md5)
        producedNames.insert(result)
        return result
    }

    /// `hashed_name(name)` with no content: hashes the file as stored under the clean name.
    private mutating func hashedNameFromStorage(_ name: String) throws(HashingError) -> String? {
        let cleanName = PythonURL.urlsplit(PythonURL.unquote(name)).path.trimmingCharacters(in: .whitespacesAndNewlines)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root + "/" + cleanName, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue { return name }  // open() fails with OSError: Django returns the name
        guard let md5 = try? MD5.hex(file: root + "/" + cleanName) else { return name }
        return hashedNameFor(name, md5: md5)
    }

    /// `_stored_name(name, hashed_files)`.
    private mutating func storedName(_ name: String, hashedFiles: OrderedMap) throws(HashingError) -> String? {
        let normalised = PythonURL.normpath(name).replacingOccurrences(of: "\\", with: "/")
        // What the file being rewritten depended on (a name absent from the map resolves from
        // the file in STATIC_ROOT, which does not change during the run).
        recording?.append((normalised, hashedFiles[normalised]))
        if let cached = hashedFiles[normalised] { return cached }
        return try hashedNameFromStorage(normalised)?.replacingOccurrences(of: "\\", with: "/")
    }

    /// `_url(self._stored_name, name, force=True, hashed_files)`.
    private mutating func url(for name: String, hashedFiles: OrderedMap) throws(HashingError) -> String? {
        let (cleanName, fragment) = PythonURL.urldefrag(name)
        var hashedName = name
        if !PythonURL.urlsplit(cleanName).path.hasSuffix("/") {
            guard let stored = try storedName(cleanName, hashedFiles: hashedFiles) else { return nil }
            hashedName = stored
        }
        return PythonURL.manifestURL(base: staticURL, hashedName: hashedName, originalName: name, fragment: fragment)
    }

    /// `pattern.sub(self.url_converter(name, hashed_files, template), content)`.
    private mutating func substitute(_ rule: ReferencePatterns.Rule, in content: String, sourceName: String,
                                     hashedFiles: OrderedMap) throws(HashingError) -> String {
        if content.utf8.withContiguousStorageIfAvailable({ rule.mayMatch($0) }) == false { return content }
        let ns = content as NSString
        let whole = NSRange(location: 0, length: ns.length)
        let matches = rule.regex.matches(in: content, range: whole)
        guard !matches.isEmpty else { return content }
        // Django 6.1: `get_ignored_blocks(content, ignored_re)`, sorted and disjoint.
        let ignored = rule.ignored.map { $0.matches(in: content, range: whole).map(\.range) } ?? []
        var block = 0
        var out = ""
        var last = 0
        for match in matches {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            // `is_in_ignored_block`: a match starting strictly inside a comment or string stays.
            let start = match.range.location
            while block < ignored.count, ignored[block].location + ignored[block].length <= start { block += 1 }
            if block < ignored.count, ignored[block].location < start {
                out += ns.substring(with: match.range(withName: "matched"))
            } else {
                out += try convert(match, ns, rule.template, sourceName: sourceName, hashedFiles: hashedFiles)
            }
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    /// The body of Django's `url_converter.converter`.
    private mutating func convert(_ match: NSTextCheckingResult, _ ns: NSString, _ template: String, sourceName: String,
                                  hashedFiles: OrderedMap) throws(HashingError) -> String {
        func group(_ name: String) -> String? {
            let r = match.range(withName: name)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
        let matched = group("matched") ?? ""
        let url = group("url") ?? ""
        // Ignore absolute/protocol-relative and data-uri URLs: re.match(r"^[a-z]+:", url).
        if Self.startsWithLowercaseScheme(url) || url.hasPrefix("//") { return matched }
        if url.hasPrefix("/"), !url.hasPrefix(staticURL) { return matched }
        let (urlPath, fragment) = PythonURL.urldefrag(url)
        if urlPath.isEmpty { return matched }
        let targetName = urlPath.hasPrefix("/") ? String(urlPath.dropFirst(staticURL.count))
            : PythonURL.join(PythonURL.dirname(sourceName), urlPath)
        let unquotedTarget = PythonURL.unquote(targetName)
        guard let hashedURL = try self.url(for: unquotedTarget, hashedFiles: hashedFiles) else {
            let lookedFor = PythonURL.urlsplit(PythonURL.unquote(PythonURL.normpath(PythonURL.urldefrag(unquotedTarget).0))).path
            let error = HashingError.missingReference(file: sourceName, reference: url, lookedFor: lookedFor)
            if missingReferences == .warn || (missingReferences == .warnForSourceMaps && lookedFor.hasSuffix(".map")) {
                warn("\(sourceName): '\(url)' not found (looked for '\(lookedFor)'); left unchanged")
                return matched
            }
            throw error
        }
        var transformed = (urlPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().map(String.init)
            + [hashedURL.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? ""])
            .joined(separator: "/")
        if !fragment.isEmpty { transformed += (url.contains("?#") ? "?#" : "#") + fragment }
        var values = ["matched": matched, "url": PythonURL.unquote(transformed)]
        for name in ["import", "exports"] { if let v = group(name) { values[name] = v } }
        return Self.fill(template, values)
    }

    private static func startsWithLowercaseScheme(_ s: String) -> Bool {
        var sawLetter = false
        for c in s.utf8 {
            if c >= UInt8(ascii: "a"), c <= UInt8(ascii: "z") { sawLetter = true; continue }
            return sawLetter && c == UInt8(ascii: ":")
        }
        return false
    }

    /// `template % values` for `%(name)s` placeholders.
    private static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = template
        for (k, v) in values { out = out.replacingOccurrences(of: "%(\(k))s", with: v) }
        return out
    }

    private func save(_ name: String, _ bytes: [UInt8]) throws(HashingError) {
        let path = root + "/" + name
        // Identical content already in place (a re-run): leave it, mtime and all.
        if let existing = try? FileIO.read(path).0, existing == bytes { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do { try FileIO.writeAtomically(path, bytes, times: nil) } catch { throw .io(error) }
    }
}

/// A string map that remembers insertion order, like a Python dict.
struct OrderedMap {
    private(set) var keys: [String] = []
    private var values: [String: String] = [:]

    subscript(key: String) -> String? {
        get { values[key] }
        set {
            guard let newValue else { return }
            if values.updateValue(newValue, forKey: key) == nil { keys.append(key) }
        }
    }

    var pairs: [(String, String)] { keys.map { ($0, values[$0]!) } }
}

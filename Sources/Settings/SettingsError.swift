/// A settings problem, said so that it can be fixed without reading code: where the value came
/// from (the file and line, an environment variable or a flag), the key, the value, and what
/// would be valid.
public struct SettingsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The settings file, `environment variable NAME`, or `command line`.
    public var file: String
    /// The line in the file, for env files.
    public var line: Int?
    /// The setting.
    public var key: String?
    /// The value as written.
    public var value: String?
    /// What is wrong and what would be valid.
    public var problem: String

    /// An error about `key` = `value` in `file`.
    public init(file: String, line: Int? = nil, key: String? = nil, value: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.key = key
        self.value = value
        self.problem = problem
    }

    /// `settings.env:3: WHITENOISE_MAX_AGE = "soon": expected a whole number of seconds ≥ 0, or "none"`.
    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        var what = ""
        if let key { what = key }
        if let value { what += " = \"\(value)\"" }
        return what.isEmpty ? "\(where_): \(problem)" : "\(where_): \(what): \(problem)"
    }
}

/// The closest known name to a misspelt one, for "did you mean …?".
enum Suggestion {
    static func closest(to name: String, among candidates: [String]) -> String? {
        let upper = name.uppercased()
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(Array(upper.utf8), Array(candidate.utf8))
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, d) = best, d <= max(2, candidate.count / 3) else { return nil }
        return candidate
    }

    /// Levenshtein distance.
    private static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

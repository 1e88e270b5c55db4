import Foundation
import WhiteNoise
import WhiteNoiseDjango

/// Django's `HashedFilesMixin.patterns` (and the optional JS module-import patterns) of the
/// chosen release, compiled with Python's semantics: case-insensitive, `.` stops only at `\n`.
struct ReferencePatterns: @unchecked Sendable {
    /// A pattern, the template that rebuilds the match around the new URL, and (Django 6.1)
    /// the regions a match must not start inside: comments and string literals.
    struct Rule {
        var regex: NSRegularExpression
        var template: String
        var ignored: NSRegularExpression?
        /// ASCII text every match contains (lower-case; compared case-insensitively): content
        /// that is all ASCII and lacks it has no match, so the regex need not run.
        var trigger: [UInt8]

        /// Whether the rule can match `content` (its UTF-8 bytes). Content with non-ASCII bytes
        /// always may (Unicode case folding could match the trigger without its bytes).
        func mayMatch(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let first = trigger.first, content.count >= trigger.count else { return true }
            @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
            var i = 0
            let last = content.count - trigger.count
            while i < content.count {
                let byte = content[i]
                if byte >= 0x80 { return true }
                if i <= last, lower(byte) == first {
                    var j = 1
                    while j < trigger.count, lower(content[i + j]) == trigger[j] { j += 1 }
                    if j == trigger.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// (file glob suffix, rules) in Django's order: `*.css` then `*.js`.
    let groups: [(suffix: String, rules: [Rule])]

    static let defaultTemplate = #"url("%(url)s")"#

    /// Django 6.1's `_css_ignored_re`: block comments, escapes, single- and double-quoted strings.
    static let cssIgnored = #"/\*.*?\*/|\\.|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*""#
    /// Django 6.1's `_js_ignored_re`: the CSS regions plus line comments and template literals.
    static let jsIgnored = #"/\*.*?\*/|//[^\n]*|\\.|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`"#

    init(jsModuleImports: Bool, compatibility: DjangoCompatibility = .default) {
        func compile(_ pattern: String, _ options: NSRegularExpression.Options) -> NSRegularExpression {
            let icu = pattern.replacingOccurrences(of: "(?P<", with: "(?<").replacingOccurrences(of: "(?P=quote)", with: #"\k<quote>"#)
            // swiftlint:disable:next force_try
            return try! NSRegularExpression(pattern: icu, options: options.union(.useUnixLineSeparators))
        }
        let modern = compatibility.ignoresCommentsAndStrings
        // re.DOTALL: `.` matches every character, `\n` included.
        let cssIgnored = modern ? compile(Self.cssIgnored, .dotMatchesLineSeparators) : nil
        let jsIgnored = modern ? compile(Self.jsIgnored, .dotMatchesLineSeparators) : nil
        func rule(_ pattern: String, _ template: String = ReferencePatterns.defaultTemplate,
                  ignoring ignored: NSRegularExpression? = nil) -> Rule {
            // Every pattern starts its match with one of these words (`url(`, `@import`,
            // `sourceMappingURL`'s comment, `import`, `export`).
            let words = [("url\\(", "url("), ("@import", "@import"), ("sourceMappingURL", "sourcemappingurl"), ("import", "import"), ("export", "export")]
            let trigger = words.first { pattern.contains($0.0) }.map { Array($0.1.utf8) } ?? []
            return Rule(regex: compile(pattern, .caseInsensitive), template: template, ignored: ignored ?? cssIgnored, trigger: trigger)
        }
        // The two releases differ in the url() pattern (6.1: the closing quote must match the
        // opening one), in the module-import patterns, and in the ignored regions.
        let css = [
            modern ? rule(#"(?P<matched>url\((?P<quote>['"]{0,1})\s*(?P<url>.*?)(?P=quote)\))"#)
                : rule(#"(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))"#),
            rule(#"(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])"#, #"@import url("%(url)s")"#),
            rule(#"(?m)^(?P<matched>/\*#[ \t](?-i:sourceMappingURL)=(?P<url>.*)[ \t]*\*/)$"#, "/*# sourceMappingURL=%(url)s */"),
        ]
        var js = [rule(#"(?m)^(?P<matched>//# (?-i:sourceMappingURL)=(?P<url>.*))$"#, "//# sourceMappingURL=%(url)s", ignoring: jsIgnored)]
        // Django appends these to the same "*.js" entry, after sourceMappingURL.
        if jsModuleImports, modern {
            js += [
                rule(#"(?P<matched>import(?P<import>[\s\{][^;]*?|\*\s*as\s*\w+)\s*from\s*['"](?P<url>[./].*?)["'])"#,
                     #"import%(import)s from "%(url)s""#, ignoring: jsIgnored),
                rule(#"(?P<matched>export(?P<exports>[\s\{][^;]*?)\s*from\s*["'](?P<url>[./].*?)["'])"#,
                     #"export%(exports)s from "%(url)s""#, ignoring: jsIgnored),
                rule(#"(?P<matched>import\s*['"](?P<url>[./].*?)["'])"#, #"import"%(url)s""#, ignoring: jsIgnored),
                rule(#"(?P<matched>import\(["'](?P<url>[./].*?)["']\))"#, #"import("%(url)s")"#, ignoring: jsIgnored),
            ]
        } else if jsModuleImports {
            js += [
                rule(#"(?P<matched>import(?s:(?P<import>[\s\{].*?|\*\s*as\s*\w+))\s*from\s*['"](?P<url>[./].*?)["']\s*;)"#,
                     #"import%(import)s from "%(url)s";"#),
                rule(#"(?P<matched>export(?s:(?P<exports>[\s\{].*?))\s*from\s*["'](?P<url>[./].*?)["']\s*;)"#,
                     #"export%(exports)s from "%(url)s";"#),
                rule(#"(?P<matched>import\s*['"](?P<url>[./].*?)["']\s*;)"#, #"import"%(url)s";"#),
                rule(#"(?P<matched>import\(["'](?P<url>.*?)["']\))"#, #"import("%(url)s")"#),
            ]
        }
        self.groups = [(".css", css), (".js", js)]
    }
}

import Foundation

/// Django 5.2's `HashedFilesMixin.patterns` (and the optional JS module-import patterns),
/// compiled with Python's semantics: case-insensitive, `.` stops only at `\n`.
struct ReferencePatterns: @unchecked Sendable {
    /// A pattern and the template that rebuilds the match around the new URL.
    struct Rule {
        var regex: NSRegularExpression
        var template: String
    }

    /// (file glob suffix, rules) in Django's order: `*.css` then `*.js`.
    let groups: [(suffix: String, rules: [Rule])]

    static let defaultTemplate = #"url("%(url)s")"#

    init(jsModuleImports: Bool) {
        func rule(_ pattern: String, _ template: String = ReferencePatterns.defaultTemplate) -> Rule {
            let icu = pattern.replacingOccurrences(of: "(?P<", with: "(?<")
            // swiftlint:disable:next force_try
            let regex = try! NSRegularExpression(pattern: icu, options: [.caseInsensitive, .useUnixLineSeparators])
            return Rule(regex: regex, template: template)
        }
        let css = [
            rule(#"(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))"#),
            rule(#"(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])"#, #"@import url("%(url)s")"#),
            rule(#"(?m)^(?P<matched>/\*#[ \t](?-i:sourceMappingURL)=(?P<url>.*)[ \t]*\*/)$"#, "/*# sourceMappingURL=%(url)s */"),
        ]
        var js = [rule(#"(?m)^(?P<matched>//# (?-i:sourceMappingURL)=(?P<url>.*))$"#, "//# sourceMappingURL=%(url)s")]
        if jsModuleImports {
            // Django appends these to the same "*.js" entry, after sourceMappingURL.
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

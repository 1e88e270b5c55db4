import Foundation
import Logging
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport
import WhiteNoiseDjango

/// The integrity helpers on a STATIC_ROOT built by a real collectstatic: the values are those
/// of the bytes served under the hashed names (checked with Python's hashlib), the elements
/// are whole and escaped, and the import map sends each module's plain URL to its hashed one.
@Suite(.offCooperativePool) struct IntegrityHelperTests {
    static func manifest(_ settings: WhiteNoiseSettings) throws -> [String: String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: settings.staticRoot! + "/staticfiles.json"))
        return try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: String])
    }

    /// hashlib's value for the file served as `name`'s hashed name.
    static func hashlib(_ settings: WhiteNoiseSettings, _ name: String) throws -> String {
        let hashed = try #require(try manifest(settings)[name])
        let script = "import base64,hashlib,sys; print('sha384-' + base64.b64encode(hashlib.sha384(open(sys.argv[1], 'rb').read()).digest()).decode())"
        let out = try TempTree.pipe(["python3", "-c", script, settings.staticRoot! + "/" + hashed], Data())
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func elementsCarryTheValuesOfTheServedBytes() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let settings = try StorageFixtures.moduleSite(tree)
        let urls = try StaticURLs(settings: settings)
        let paths = try Self.manifest(settings)
        let css = try Self.hashlib(settings, "css/app.css"), app = try Self.hashlib(settings, "js/app.js")
        #expect(try urls.integrity(for: "css/app.css") == css)
        #expect(try urls.stylesheetElement(for: "css/app.css") == #"<link rel="stylesheet" href="/static/\#(paths["css/app.css"]!)" integrity="\#(css)">"#)
        #expect(try urls.scriptElement(for: "js/legacy.js")
            == #"<script src="/static/\#(paths["js/legacy.js"]!)" integrity="\#(try Self.hashlib(settings, "js/legacy.js"))"></script>"#)
        #expect(try urls.moduleScriptElement(for: "js/app.js", nonce: "r4nd\"om")
            == #"<script type="module" src="/static/\#(paths["js/app.js"]!)" integrity="\#(app)" nonce="r4nd&quot;om"></script>"#)
        #expect(try urls.modulePreloadElement(for: "js/greet.js")
            == #"<link rel="modulepreload" href="/static/\#(paths["js/greet.js"]!)" integrity="\#(try Self.hashlib(settings, "js/greet.js"))">"#)
        // A query or fragment stays on the URL and does not change the file.
        #expect(try urls.integrity(for: "css/app.css?v=2#top") == css)
        // A name the manifest does not list fails as the URL does.
        #expect(throws: StaticManifest.LookupError.missingEntry("css/typo.css")) { try urls.stylesheetElement(for: "css/typo.css") }
    }

    @Test func aMissingValueIsAnErrorNamingItAndNonStrictComputesItFromTheFile() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        var settings = try StorageFixtures.moduleSite(tree)
        let root = settings.staticRoot!
        let hashed = try #require(try Self.manifest(settings)["js/greet.js"])
        // An integrity file without the entry.
        var index = try #require(try IntegrityIndex.read(root: root))
        index.files[hashed] = nil
        try index.text.write(toFile: root + "/" + IntegrityIndex.fileName, atomically: true, encoding: .utf8)
        let strict = try StaticURLs(settings: settings)
        #expect(throws: IntegrityLookupError.missingEntry(name: "js/greet.js", storedName: hashed, root: root)) {
            try strict.modulePreloadElement(for: "js/greet.js")
        }
        #expect(strict.importMapProblems == [.missingEntry(name: "js/greet.js", storedName: hashed, root: root)])
        #expect(throws: IntegrityLookupError.self) { try strict.importMapElement() }
        #expect(String(describing: IntegrityLookupError.missingEntry(name: "js/greet.js", storedName: hashed, root: root))
            .contains("run whitenoise collectstatic"))
        settings.manifestStrict = false
        #expect(try StaticURLs(settings: settings).integrity(for: "js/greet.js") == (try Self.hashlib(settings, "js/greet.js")))
        // No integrity file at all (a STATIC_ROOT from an earlier release).
        try FileManager.default.removeItem(atPath: root + "/" + IntegrityIndex.fileName)
        settings.manifestStrict = true
        #expect(throws: IntegrityLookupError.missingFile(root: root)) { try StaticURLs(settings: settings).integrity(for: "css/app.css") }
        // A corrupt one fails at start-up.
        try "{\"version\": 7}".write(toFile: root + "/" + IntegrityIndex.fileName, atomically: true, encoding: .utf8)
        #expect(throws: IntegrityIndex.ReadError.self) { try StaticURLs(settings: settings) }
    }

    @Test func debugLeavesIntegrityOutAndACDNGetsCORS() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        var settings = try StorageFixtures.moduleSite(tree)
        settings.debug = true
        let debug = try StaticURLs(settings: settings)
        #expect(try debug.integrity(for: "css/app.css") == nil)
        #expect(try debug.stylesheetElement(for: "css/app.css") == #"<link rel="stylesheet" href="/static/css/app.css">"#)
        #expect(try debug.importMapElement() == "<script type=\"importmap\">\n{\n  \"imports\": {}\n}\n</script>")
        settings.debug = false
        settings.staticURL = "https://cdn.example.com/static/"
        let cdn = try StaticURLs(settings: settings)
        let element = try cdn.moduleScriptElement(for: "js/app.js")
        #expect(element.hasPrefix(#"<script type="module" src="https://cdn.example.com/static/js/app."#))
        #expect(element.hasSuffix(#"" crossorigin="anonymous"></script>"#))
        #expect(try cdn.importMapElement().contains(#""https://cdn.example.com/static/js/greet.js": "https://cdn.example.com/static/js/greet."#))
    }

    /// The map's JSON, parsed: every module (`.js` and `.mjs`) maps from its plain URL to its
    /// hashed URL, and every hashed URL has hashlib's value; folders narrow the `.js` files.
    @Test func theImportMapSendsPlainModuleURLsToHashedOnesWithIntegrity() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        var settings = try StorageFixtures.moduleSite(tree)
        let paths = try Self.manifest(settings)
        func parsed(_ urls: StaticURLs, nonce: String? = nil) throws -> (imports: [String: String], integrity: [String: String]) {
            let element = try urls.importMapElement(nonce: nonce)
            let open = nonce.map { "<script type=\"importmap\" nonce=\"\($0)\">\n" } ?? "<script type=\"importmap\">\n"
            #expect(element.hasPrefix(open) && element.hasSuffix("</script>"))
            #expect(!element.contains("{{") && !element.contains("}}"))
            let json = element.dropFirst(open.count).dropLast("</script>".count)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: String]])
            return (object["imports"] ?? [:], object["integrity"] ?? [:])
        }
        let all = try parsed(try StaticURLs(settings: settings), nonce: "abc")
        let modules = ["js/app.js", "js/greet.js", "js/legacy.js", "js/util/twice.mjs", "vendor/lib.js"]
        #expect(all.imports == Dictionary(uniqueKeysWithValues: modules.map { ("/static/" + $0, "/static/" + paths[$0]!) }))
        #expect(all.integrity == Dictionary(uniqueKeysWithValues: try modules.map { ("/static/" + paths[$0]!, try Self.hashlib(settings, $0)) }))
        settings.importMapFolders = ["js/util"]
        let narrowed = try parsed(try StaticURLs(settings: settings))
        #expect(Set(narrowed.imports.keys) == ["/static/js/util/twice.mjs"])
        settings.importMapFolders = ["vendor"]
        #expect(Set(try parsed(try StaticURLs(settings: settings)).imports.keys) == ["/static/js/util/twice.mjs", "/static/vendor/lib.js"])
    }

    @Test func nothingInANameCanEndTheScriptElement() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        let settings = try StorageFixtures.moduleSite(tree) { _ in }
        try tree.write("assets/js/</script><b>.js", "export const x = 1;\n")
        var options = CollectStaticOptions(staticRoot: settings.staticRoot!, sources: settings.staticfilesDirs)
        options.storage = settings.storage
        _ = try CollectStatic(options: options).run()
        let element = try StaticURLs(settings: settings).importMapElement()
        #expect(!element.dropLast("</script>".count).contains("</script"))
        #expect(element.contains(#"\u003c/script\u003e\u003cb\u003e"#))
    }
}

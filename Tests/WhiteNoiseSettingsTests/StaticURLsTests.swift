import Foundation
import Testing
import WhiteNoise
import WhiteNoiseSettings
import WhiteNoiseTestSupport
import WhiteNoiseDjango

/// `StaticURLs` gives the URLs Django's `{% static %}` gives, for the same settings and manifest.
@Suite(.offCooperativePool) struct StaticURLsTests {
    static let manifest = """
        {"paths": {"css/app.css": "css/app.0123456789ab.css", "img/a b.png": "img/a b.aaaaaaaaaaaa.png",
        "fonts/f.woff": "fonts/f.bbbbbbbbbbbb.woff", "js/m.js": "js/m.cccccccccccc.js"}, "version": "1.1", "hash": "x"}
        """
    static let names = ["css/app.css", "css/app.css?v=1#top", "fonts/f.woff?#iefix", "img/a b.png", "js/m.js#frag",
                        "/css/app.css", "dir/", "missing.css"]

    struct Case: Codable {
        var debug: Bool
        var staticURL: String
        var forceScriptName: String?
        var storage: String
        var strict: Bool
    }

    static let cases: [Case] = [
        Case(debug: false, staticURL: "/static/", forceScriptName: nil, storage: "ManifestStaticFilesStorage", strict: true),
        Case(debug: false, staticURL: "/static/", forceScriptName: nil, storage: "ManifestStaticFilesStorage", strict: false),
        Case(debug: true, staticURL: "/static/", forceScriptName: nil, storage: "ManifestStaticFilesStorage", strict: true),
        Case(debug: false, staticURL: "https://cdn.example.com/assets/", forceScriptName: nil, storage: "ManifestStaticFilesStorage", strict: true),
        Case(debug: false, staticURL: "static/", forceScriptName: "/sub", storage: "ManifestStaticFilesStorage", strict: true),
        Case(debug: false, staticURL: "/static/", forceScriptName: nil, storage: "StaticFilesStorage", strict: true),
    ]

    /// Django's answers, from Django itself.
    static let django = """
        import json, sys
        import django
        from django.conf import settings
        case, root, names = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
        storage = "django.contrib.staticfiles.storage." + case["storage"]
        settings.configure(DEBUG=case["debug"], STATIC_URL=case["staticURL"], STATIC_ROOT=root,
            FORCE_SCRIPT_NAME=case.get("forceScriptName"), INSTALLED_APPS=["django.contrib.staticfiles"],
            STORAGES={"staticfiles": {"BACKEND": storage}})
        django.setup()
        from django.contrib.staticfiles.storage import staticfiles_storage
        if hasattr(staticfiles_storage, "manifest_strict"):
            staticfiles_storage.manifest_strict = case["strict"]
        from django.templatetags.static import static
        out = []
        for name in names:
            try:
                out.append(static(name))
            except Exception:  # ValueError, or SuspiciousFileOperation for names outside STATIC_ROOT
                out.append("ERROR")
        print(json.dumps(out))
        """

    func ours(_ c: Case, root: String) -> [String] {
        var s = WhiteNoiseSettings()
        s.debug = c.debug
        s.staticURL = c.staticURL
        s.forceScriptName = c.forceScriptName
        s.storage = StorageKind(name: c.storage)!
        s.manifestStrict = c.strict
        s.staticRoot = root
        guard let urls = try? StaticURLs(settings: s) else { return ["no resolver"] }
        return Self.names.map { (try? urls.url(for: $0)) ?? "ERROR" }
    }

    @Test(.requires(.django52)) func sameURLsAsDjangosStaticTag() throws {
        _ = try Peer.django52.require()
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("staticfiles.json", Self.manifest)
        try tree.write("missing.css", "a") // exists on disk but not in the manifest
        for c in Self.cases {
            let caseJSON = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
            let namesJSON = String(decoding: try JSONEncoder().encode(Self.names), as: UTF8.self)
            let out = try TempTree.pipe(["python3", "-c", Self.django, caseJSON, tree.root, namesJSON], Data())
            let theirs = try JSONDecoder().decode([String].self, from: out)
            #expect(ours(c, root: tree.root) == theirs, "\(caseJSON)")
        }
    }

    @Test func strictMissNamesTheEntry() throws {
        let tree = try TempTree()
        defer { tree.remove() }
        try tree.write("staticfiles.json", Self.manifest)
        var s = WhiteNoiseSettings()
        s.staticRoot = tree.root
        s.storage = .compressedManifest
        let urls = try StaticURLs(settings: s)
        #expect(try urls.url(for: "css/app.css") == "/static/css/app.0123456789ab.css")
        #expect(throws: StaticManifest.LookupError.missingEntry("css/typo.css")) { try urls.url(for: "css/typo.css") }
        #expect("\(StaticManifest.LookupError.missingEntry("css/typo.css"))".contains("'css/typo.css'"))
        s.debug = true
        #expect(try StaticURLs(settings: s).url(for: "css/typo.css") == "/static/css/typo.css")
    }
}

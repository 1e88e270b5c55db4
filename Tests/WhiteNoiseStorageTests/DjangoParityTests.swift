import Foundation
import Testing
import WhiteNoise
import WhiteNoiseStorage
import WhiteNoiseTestSupport
import WhiteNoiseStorageTestSupport
import WhiteNoiseDjango

/// Hashed names, rewritten CSS/JS and `staticfiles.json` must be byte-identical to Django's
/// `ManifestStaticFilesStorage` on the same input: Django 6.1 with the default settings, and
/// Django 5.2 with `WHITENOISE_DJANGO_COMPATIBILITY=5.2`. Django itself runs in a child process.
@Suite(.serialized, .offCooperativePool) struct DjangoParityTests {
    static let django = """
    import sys, django
    from django.conf import settings
    root, main, vendor, js_imports = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
    from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
    class Storage(ManifestStaticFilesStorage):
        support_js_module_import_aggregation = js_imports
    sys.modules[__name__].Storage = Storage
    settings.configure(
        STATIC_URL="/static/", STATIC_ROOT=root, STATICFILES_DIRS=[main, ("vendor", vendor)],
        INSTALLED_APPS=["django.contrib.staticfiles"],
        STORAGES={"staticfiles": {"BACKEND": "__main__.Storage"}},
    )
    django.setup()
    from django.core.management import call_command
    call_command("collectstatic", interactive=False, verbosity=0)
    """

    /// A varied tree: every reference form Django rewrites or leaves alone, nesting, prefixes,
    /// shadowed and ignored files.
    func makeSources(_ base: TempTree) throws -> (String, String) {
        let main = base.root + "/main", vendor = base.root + "/vendor"
        try base.write("main/css/app.css", """
            @import "base.css";
            @import url('theme/dark.css');
            body { background: url(../img/bg.png); }
            .a { background-image: url("../img/bg.png?v=2#frag"); }
            .b { background: URL('../img/sprite.svg#icon') }
            @font-face { src: url('../fonts/f.eot?#iefix') format('embedded-opentype'), url(../fonts/f.woff2) format('woff2'); }
            .c { background: url(data:image/png;base64,iVBORw0KGgo=); }
            .d { background: url(http://example.com/x.png), url(//cdn.example.com/y.png), url(#svgfilter); }
            .e { background: url(/static/img/bg.png); }
            .f { background: url(/other/thing.png); }
            .g { background: url("/static/vendor/lib/lib.png"); }
            /*# sourceMappingURL=app.css.map */
            """)
        // References inside comments and strings: Django 6.1 leaves them, 5.2 rewrites them.
        try base.write("main/css/commented.css", """
            /* The old background: url(../img/bg.png) and @import "base.css"; */
            .h::after { content: "url(../img/sprite.svg)"; }
            .i::before { content: 'see url("../img/bg.png")'; }
            .j { background: url("../img/bg.png"); } /* kept: url(../fonts/f.eot) */
            .k { background: url('../img/sprite.svg'), url(  ../img/bg.png  ); }
            .l { font-family: "a\"b"; background: url(../img/bg.png) }
            /*
              url(../img/sprite.svg) across lines
            */
            """)
        try base.write("main/js/strings.js", """
            // Loads url(./lib.js) later; see "./lib.js"
            const s = "//# sourceMappingURL=strings.js.map";
            const t = `multi
            line url(./lib.js) template`;
            /* import { a } from './lib.js'; */
            console.log(s, t)
            //# sourceMappingURL=app.js.map
            """)
        try base.write("main/js/modern.js", """
            import { a } from './lib.js'
            import * as all from "./lib.js";
            export { b } from './lib.js'
            import './lib.js'
            const later = () => import("./lib.js");
            const other = import('lib.js');  // 6.1 rewrites only ./, ../ and / URLs here
            // import { x } from './lib.js'
            const text = "import { y } from './lib.js';";
            console.log(a, all, later, other, text)
            """)
        try base.write("main/css/app.css.map", #"{"version":3,"sources":["app.scss"]}"#)
        try base.write("main/css/base.css", "html { background: url('../img/bg.png') }\n")
        try base.write("main/css/theme/dark.css", "body { background: url(../../img/sprite.svg) }\n@import 'deeper/x.css';\n")
        try base.write("main/css/theme/deeper/x.css", ".x { background: url('../../../img/bg.png') }\n")
        try base.write("main/img/bg.png", Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }))
        try base.write("main/img/sprite.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
        try base.write("main/fonts/f.eot", "eot")
        try base.write("main/fonts/f.woff2", "woff2")
        try base.write("main/js/app.js", "import { a } from './lib.js';\nexport { b } from \"./lib.js\";\nconsole.log(a)\n//# sourceMappingURL=app.js.map\n")
        try base.write("main/js/app.js.map", "{}")
        try base.write("main/js/lib.js", "export const a = 1; export const b = 2;\n")
        try base.write("main/LICENSE", "MIT")
        try base.write("main/.hidden", "ignored")
        try base.write("main/notes.txt~", "ignored backup")
        try base.write("main/CVS/Entries", "ignored")
        try base.write("main/caf\u{e9}/menu \u{2615}.css", ".m { background: url('../img/bg.png') }")
        // Same-depth files referencing each other, so some need extra passes whatever the
        // directory order is (and their superseded hashed files must go, as Django's do).
        for (name, next) in [("p", "q"), ("q", "r"), ("r", "s"), ("s", "t")] {
            try base.write("main/chain/\(name).css", "@import url('\(next).css');\n.\(name) { color: red }\n")
        }
        try base.write("main/chain/t.css", ".t { background: url('../img/bg.png') }\n")
        try base.write("main/chain/u.css", "@import url('p.css');\n")
        try base.write("vendor/lib/lib.css", ".lib { background: url(lib.png) }")
        try base.write("vendor/lib/lib.png", "png")
        try base.write("main/vendor/lib/lib.png", "shadows the vendor copy: main comes first")
        return (main, vendor)
    }

    func tree(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: root)!
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &isDir)
            if !isDir.boolValue { out[rel] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + rel)) }
        }
        return out
    }

    @Test(.requires(.django61), arguments: [false, true])
    func identicalToDjango61(jsModuleImports: Bool) throws {
        try expectIdenticalOnTheVariedTree(python: try Peer.django61.require(), .django61, jsModuleImports: jsModuleImports)
    }

    @Test(.requires(.django52), arguments: [false, true])
    func identicalToDjango52(jsModuleImports: Bool) throws {
        try expectIdenticalOnTheVariedTree(python: try Peer.django52.require(), .django52, jsModuleImports: jsModuleImports)
    }

    /// The two Djangos really differ on the varied tree (so each parity test can catch
    /// output of the other's kind): comments and strings, and the order of `paths`.
    @Test(.requires(.django52), .requires(.django61)) func theDjangosDifferOnTheVariedTree() throws {
        let base = try TempTree()
        defer { base.remove() }
        let (main, vendor) = try makeSources(base)
        let old = try djangoCollect(python: try Peer.django52.require(), into: base.root + "/old", main: main, vendor: vendor, jsModuleImports: true)
        let new = try djangoCollect(python: try Peer.django61.require(), into: base.root + "/new", main: main, vendor: vendor, jsModuleImports: true)
        let differing = Set(old.keys).symmetricDifference(new.keys).union(old.keys.filter { new[$0] != nil && new[$0] != old[$0] })
        #expect(differing.contains(DjangoManifest.fileName))
        #expect(differing.contains { $0.hasPrefix("css/commented.") })
        #expect(differing.contains { $0.hasPrefix("js/modern.") })
    }

    /// A missing file named only inside comments and strings: Django 6.1 succeeds and so do
    /// we by default; Django 5.2 fails, and so do we with `5.2`, naming the reference.
    @Test(.requires(.django52), .requires(.django61), arguments: [false, true])
    func missingFilesInCommentsAndStrings(jsModuleImports: Bool) throws {
        let base = try TempTree()
        defer { base.remove() }
        try base.write("main/css/a.css", "/* url(gone.png) */ .a { content: \"url(gone-too.png)\" }\n")
        try base.write("main/js/a.js", jsModuleImports
            ? "// import { x } from './gone.js';\nconst s = `import './gone-too.js';`\n"
            : "const s = '//# sourceMappingURL=gone.js.map';\n")
        try base.write("vendor/.keep", "")
        let main = base.root + "/main", vendor = base.root + "/vendor"
        let (theirs, ours) = try collectWithBoth(base, python: try Peer.django61.require(), .django61, main: main, vendor: vendor,
                                                 jsModuleImports: jsModuleImports)
        expectIdentical(theirs, ours)
        #expect(throws: CommandFailed.self) {
            try djangoCollect(python: try Peer.django52.require(), into: base.root + "/old", main: main, vendor: vendor,
                              jsModuleImports: jsModuleImports)
        }
        var options = CollectStaticOptions(staticRoot: base.root + "/ours-52", sources: [.init(path: main)])
        options.storage = .manifest
        options.jsModuleImports = jsModuleImports
        options.djangoCompatibility = .django52
        #expect(throws: HashingError.self) { try CollectStatic(options: options).run() }
    }

    func expectIdenticalOnTheVariedTree(python: String, _ version: DjangoCompatibility, jsModuleImports: Bool) throws {
        let base = try TempTree()
        defer { base.remove() }
        let (main, vendor) = try makeSources(base)
        let (theirs, ours) = try collectWithBoth(base, python: python, version, main: main, vendor: vendor, jsModuleImports: jsModuleImports)
        #expect(theirs[DjangoManifest.fileName] != nil)
        #expect(theirs.keys.contains { $0.hasPrefix("css/app.") && $0.hasSuffix(".css") && $0 != "css/app.css" })
        #expect(theirs["vendor/lib/lib.png"].map { String(decoding: $0, as: UTF8.self) } == "shadows the vendor copy: main comes first")
        expectIdentical(theirs, ours)
    }

    /// Django's collectstatic (ManifestStaticFilesStorage) by `python` into `root`.
    func djangoCollect(python: String, into root: String, main: String, vendor: String, jsModuleImports: Bool) throws -> [String: Data] {
        _ = try TempTree.pipe([python, "-c", Self.django, root, main, vendor, jsModuleImports ? "1" : "0"], Data())
        return try tree(root)
    }

    /// Runs Django's collectstatic and ours (ManifestStaticFilesStorage) on the same sources;
    /// returns both STATIC_ROOTs, ours without the two metadata files only we write.
    func collectWithBoth(_ base: TempTree, python: String, _ version: DjangoCompatibility, main: String, vendor: String,
                         jsModuleImports: Bool) throws -> ([String: Data], [String: Data]) {
        let djangoRoot = base.root + "/django-root", ourRoot = base.root + "/our-root"
        let theirs = try djangoCollect(python: python, into: djangoRoot, main: main, vendor: vendor, jsModuleImports: jsModuleImports)
        var options = CollectStaticOptions(staticRoot: ourRoot, sources: [.init(path: main), .init(prefix: "vendor", path: vendor)])
        options.storage = .manifest
        options.jsModuleImports = jsModuleImports
        options.djangoCompatibility = version
        _ = try CollectStatic(options: options).run()
        var ours = try tree(ourRoot)
        for name in DigestIndex.metadataFileNames {  // ours only: the digest index and the run cache
            #expect(ours.removeValue(forKey: name) != nil)
        }
        return (theirs, ours)
    }

    /// The same file names, and every file byte for byte (the first few differences shown).
    func expectIdentical(_ theirs: [String: Data], _ ours: [String: Data]) {
        #expect(Set(ours.keys) == Set(theirs.keys), "only ours: \(Set(ours.keys).subtracting(theirs.keys)), only Django's: \(Set(theirs.keys).subtracting(ours.keys))")
        for name in theirs.keys.filter({ ours[$0] != theirs[$0] }).sorted().prefix(5) {
            Issue.record("\(name) differs:\n--- Django\n\(String(decoding: theirs[name]!, as: UTF8.self))\n--- ours\n\(String(decoding: ours[name] ?? Data(), as: UTF8.self))")
        }
    }

    @Test func missingReferenceNamesTheFileTheReferenceAndThePath() throws {
        let base = try TempTree()
        defer { base.remove() }
        try base.write("src/css/a.css", "body { background: url('../img/missing.png') }")
        let root = base.root + "/root"
        let names = try Collector.copy(Collector.find([.init(path: base.root + "/src")]), into: root)
        var hasher = ManifestHasher(root: root, staticURL: "/static/")
        #expect(throws: HashingError.missingReference(file: "css/a.css", reference: "../img/missing.png", lookedFor: "img/missing.png")) {
            try hasher.postProcess(paths: names)
        }
    }

    @Test func cyclesExceedTheMaximumPasses() throws {
        let base = try TempTree()
        defer { base.remove() }
        try base.write("src/a.css", "@import url('b.css');")
        try base.write("src/b.css", "@import url('a.css');")
        let root = base.root + "/root"
        let names = try Collector.copy(Collector.find([.init(path: base.root + "/src")]), into: root)
        var hasher = ManifestHasher(root: root, staticURL: "/static/")
        #expect(throws: HashingError.maxPassesExceeded(files: ["a.css", "b.css"])) { try hasher.postProcess(paths: names) }
    }

    /// A large generated tree: 400 files in nested folders whose CSS and JS reference images,
    /// fonts and each other in every form (relative, ../, /static/, query, fragment, quotes).
    /// Some references sit in comments and strings (naming files that exist, so that 5.2,
    /// which rewrites them, succeeds too).
    @Test(.requires(.django61)) func identicalToDjango61OnALargeGeneratedTree() throws {
        try expectIdenticalOnTheLargeTree(python: try Peer.django61.require(), .django61)
    }

    @Test(.requires(.django52)) func identicalToDjango52OnALargeGeneratedTree() throws {
        try expectIdenticalOnTheLargeTree(python: try Peer.django52.require(), .django52)
    }

    func expectIdenticalOnTheLargeTree(python: String, _ version: DjangoCompatibility) throws {
        let base = try TempTree()
        defer { base.remove() }
        var rng = SeededGenerator(seed: 42)
        var assets: [String] = []
        for i in 0..<150 {
            let dir = ["img", "img/icons", "fonts", "media/a/b"][i % 4]
            let ext = ["png", "svg", "woff2", "gif"][i % 4]
            let name = "\(dir)/asset\(i).\(ext)"
            try base.write("main/" + name, Data((0..<(50 + i)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
            assets.append(name)
        }
        // Stylesheets reference assets, and the later ones also the first 20 stylesheets (no
        // cycles, and chains short enough for Django's five extra passes).
        var sheets: [String] = []
        for i in 0..<200 {
            let dir = ["css", "css/pages", "css/pages/admin", "vendor/x/css"][i % 4]
            let name = "\(dir)/s\(i).css"
            var body = ""
            for _ in 0..<4 {
                let bases = sheets.prefix(20)
                let target = Bool.random(using: &rng) || i < 20 ? assets.randomElement(using: &rng)! : bases.randomElement(using: &rng)!
                let depth = dir.split(separator: "/").count
                let relative = String(repeating: "../", count: depth) + target
                let form = Int.random(in: 0..<10, using: &rng)
                switch form {
                case 0: body += ".a\(i) { background: url(\(relative)); }\n"
                case 1: body += ".b\(i) { background: url('\(relative)?v=\(i)'); }\n"
                case 2: body += ".c\(i) { background: url(\"\(relative)#frag\(i)\"); }\n"
                case 3: body += ".d\(i) { background: url(/static/\(target)); }\n"
                case 4: body += target.hasSuffix(".css") ? "@import '\(relative)';\n" : ".e { background: url(\(relative)) }\n"
                case 5: body += ".f\(i) { src: url('\(relative)?#iefix') }\n"
                case 7: body += "/* was: url(\(relative)) */\n"
                case 8: body += ".s\(i)::after { content: \"url('\(relative)')\"; }\n"
                case 9: body += "/*\n  @import '\(relative)';\n*/ .t\(i) { background: url(\(relative)) }\n"
                default: body += ".g\(i) { background: url(data:image/gif;base64,R0lGOD==), url(https://x.test/\(i).png) }\n"
                }
            }
            try base.write("main/" + name, body)
            sheets.append(name)
        }
        for i in 0..<50 {
            try base.write("main/js/m\(i).js", "console.log(\(i), '//# sourceMappingURL=m\(i).js.map');\n/* x */ //# sourceMappingURL=m\(i).js.map\n//# sourceMappingURL=m\(i).js.map\n")
            try base.write("main/js/m\(i).js.map", "{\"version\":3,\"file\":\"m\(i).js\"}")
        }
        let main = base.root + "/main", empty = base.root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let (theirs, ours) = try collectWithBoth(base, python: python, version, main: main, vendor: empty, jsModuleImports: false)
        #expect(theirs.count > 800)
        expectIdentical(theirs, ours)
    }
}

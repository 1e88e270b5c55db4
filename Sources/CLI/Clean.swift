import ArgumentParser
import Foundation
import WhiteNoiseStorage
import WhiteNoiseSettings

/// `whitenoise clean`: removes old hashed versions from `STATIC_ROOT` for rolling deploys.
struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove old hashed versions from STATIC_ROOT, keeping what pages of recent releases link to.",
        discussion: """
            For every original file it keeps the version staticfiles.json lists, the --keep most recent \
            earlier versions and any version younger than --age seconds, and removes the others with \
            their .gz/.br/.zst variants. Unhashed files, the files the manifest lists and the manifest \
            itself are never removed. Useful only where STATIC_ROOT persists between releases (see \
            Docs/deployment.md).
            """)

    @OptionGroup var settings: SettingsOption

    @Option(name: .customLong("static-root"), help: "The collected folder; default: STATIC_ROOT from the settings.")
    var staticRoot: String?

    @Option(help: "Earlier versions to keep per file, besides the current one.")
    var keep: Int = 2

    @Option(help: "Keep every version modified less than this many seconds ago.")
    var age: Int = 3600

    @Flag(name: .customLong("dry-run"), help: "List what would be removed; remove nothing.")
    var dryRun = false

    func run() throws {
        guard let root = try settings.resolve(overriding: staticRoot.map { ["STATIC_ROOT": $0] } ?? [:]).staticRoot else {
            throw ValidationError("STATIC_ROOT is not set: give --static-root DIR, or STATIC_ROOT in the settings file (--settings FILE)")
        }
        let summary: CleanStatic.Summary
        do {
            summary = try CleanStatic(options: .init(staticRoot: root, keep: keep, age: Double(age), dryRun: dryRun)).run()
        } catch {
            if case CleanStatic.Failure.invalidOption(let message) = error { throw ValidationError(message) }
            throw CommandFailure("\(error)")
        }
        if dryRun { for path in summary.removed { print("would remove \(path)") } }
        print("\(dryRun ? "would remove" : "removed") \(summary.removed.count) files (\(summary.bytes) bytes); "
              + "\(summary.keptVersions) hashed versions kept")
    }
}

import ArgumentParser
import Foundation
import WhiteNoiseSettings

/// `--settings FILE`: a Django-like settings file (see Docs/settings.md). Without it, the file
/// named by `WHITENOISE_SETTINGS`, if any. Environment variables override the file; the
/// command's own flags override both.
struct SettingsOption: ParsableArguments {
    @Option(name: .customLong("settings"), help: "A settings file (settings.env, .json or .yaml); default: $WHITENOISE_SETTINGS.")
    var file: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override one setting, e.g. --set WHITENOISE_MAX_AGE=3600 (repeatable; wins over the file and the environment).", valueName: "KEY=VALUE"))
    var assignments: [String] = []

    /// The settings file to read, if one was named.
    var path: String? {
        if let file { return file }
        if let named = ProcessInfo.processInfo.environment[WhiteNoiseSettings.settingsFileVariable], !named.isEmpty { return named }
        return nil
    }

    /// `--set` values by key.
    func overrides() throws -> [String: String] {
        var values: [String: String] = [:]
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
                throw ValidationError("--set takes KEY=VALUE, e.g. --set WHITENOISE_MAX_AGE=3600; got '\(assignment)'")
            }
            values[String(assignment[..<eq])] = String(assignment[assignment.index(after: eq)...])
        }
        return values
    }

    /// The settings of the file (if one was named), the environment, the command's `flags`
    /// and `--set`, which wins over them.
    func resolve(overriding flags: [String: String] = [:]) throws -> WhiteNoiseSettings {
        let overrides = flags.merging(try overrides()) { $1 }
        do {
            return try WhiteNoiseSettings.load(file: path, overrides: overrides)
        } catch {
            throw CommandFailure(error.description)  // bad settings: the message names file, key and value
        }
    }

    /// The settings, or `nil` when no file was named and nothing was `--set`. `flags` are the
    /// command's own flags as settings; `--set` wins over them.
    func load(overriding flags: [String: String] = [:]) throws -> WhiteNoiseSettings? {
        guard path != nil || !assignments.isEmpty else { return nil }
        return try resolve(overriding: flags)
    }
}

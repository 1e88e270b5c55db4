import ArgumentParser
import Foundation
import WhiteNoiseSettings

/// `--settings FILE`: a Django-like settings file (see Docs/settings.md). Without it, the file
/// named by `WHITENOISE_SETTINGS`, if any. Environment variables override the file; the
/// command's own flags override both.
struct SettingsOption: ParsableArguments {
    @Option(name: .customLong("settings"), help: "A settings file (settings.env, .json or .yaml); default: $WHITENOISE_SETTINGS.")
    var file: String?

    /// The settings file to read, if one was named.
    var path: String? {
        if let file { return file }
        if let named = ProcessInfo.processInfo.environment[WhiteNoiseSettings.settingsFileVariable], !named.isEmpty { return named }
        return nil
    }

    /// The settings, or `nil` when no file was named.
    func load() throws -> WhiteNoiseSettings? {
        guard let path else { return nil }
        do {
            return try WhiteNoiseSettings.load(file: path)
        } catch {
            throw ValidationError(error.description)
        }
    }
}

import ArgumentParser

/// `whitenoise`: static files for Swift web apps.
@main
struct WhiteNoiseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whitenoise",
        abstract: "Radically simplified static-file serving for Swift web apps.",
        subcommands: [Serve.self, CollectStaticCommand.self, Compress.self, FindStatic.self, Clean.self, Cache.self]
    )
}

/// A command that was used rightly but could not do its work: a missing reference, bad
/// settings, a port in use, a missing or unreadable file. ArgumentParser prints it alone
/// (`Error: …`, no usage text) and exits with status 1. A wrong use of the command itself (an
/// unknown flag, a value out of range, flags that exclude each other) stays a
/// `ValidationError`: usage text and status 64. Docs/collectstatic.md lists both.
struct CommandFailure: Error, CustomStringConvertible {
    /// The message, naming the file, key or address and what went wrong.
    let description: String

    /// A failure saying `description`.
    init(_ description: String) {
        self.description = description
    }
}

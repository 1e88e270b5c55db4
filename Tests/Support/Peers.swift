import Foundation
public import Testing

/// An external program that some tests compare against or drive, and that a fresh machine
/// may lack. A test that needs one declares `.requires(.chromium)`: when the peer is missing
/// it is skipped with a message that names the peer and how to get it, unless
/// `WHITENOISE_REQUIRE_PEERS=1` (set by `.ci/run`, which installs every peer), where it runs
/// and fails. The README lists which tests need which peer.
public struct Peer: Sendable, CustomStringConvertible {
    /// What it is, for messages.
    public let name: String
    /// How to get it.
    public let howToGet: String
    /// Where it was found (an executable's path, a Python's), or `nil` when missing.
    public let location: String?

    /// Whether the peer is present.
    public var isAvailable: Bool { location != nil }
    /// The message of a skip.
    public var description: String { "\(name) is missing (\(howToGet)); the test needs it" }

    /// Whether a missing peer fails its tests instead of skipping them (`WHITENOISE_REQUIRE_PEERS=1`).
    public static var required: Bool {
        ["1", "true", "yes"].contains(ProcessInfo.processInfo.environment["WHITENOISE_REQUIRE_PEERS"]?.lowercased() ?? "")
    }

    /// Django 5.2, importable by `python3`: the parity tests run its collectstatic and `{% static %}`.
    public static let django52 = Peer(
        name: "Django 5.2 (importable by python3)", howToGet: "python3 -m pip install 'django>=5.2,<5.3'",
        location: pythonWithDjango(major: 5, minor: 2))

    /// Django 6.1 (Python 3.12 or later): `$WHITENOISE_DJANGO61_PYTHON`, else `python3` when it
    /// imports 6.1, else the virtual environment `.ci/run` makes at ``django61DefaultVenv``.
    public static let django61 = Peer(
        name: "Django 6.1 (a Python 3.12+ that imports it)",
        howToGet: "PYENV_VERSION=3.12.1 python3 -m venv \(django61DefaultVenv) && \(django61DefaultVenv)/bin/pip install 'django>=6.1,<6.2' (or set WHITENOISE_DJANGO61_PYTHON to such a python)",
        location: [ProcessInfo.processInfo.environment["WHITENOISE_DJANGO61_PYTHON"], "python3", django61DefaultVenv + "/bin/python3"]
            .compactMap { $0 }.filter { !$0.isEmpty }.first { pythonImportsDjango($0, major: 6, minor: 1) })

    /// Where `.ci/run` puts Django 6.1's virtual environment.
    public static var django61DefaultVenv: String {
        (ProcessInfo.processInfo.environment["HOME"] ?? NSTemporaryDirectory()) + "/.cache/whitenoise-peers/django-6.1"
    }

    /// A headless Chromium: the sample app's browser test drives it.
    public static let chromium = Peer(
        name: "Chromium", howToGet: "apt-get install chromium (macOS: Google Chrome in /Applications)",
        location: firstExecutable(["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                                   "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
                                   "/Applications/Chromium.app/Contents/MacOS/Chromium"]))

    /// Varnish: the CDN tests put it in front of the servers.
    public static let varnish = Peer(
        name: "Varnish (varnishd)", howToGet: "apt-get install varnish (macOS: brew install varnish)",
        location: firstExecutable(["/usr/sbin/varnishd", "/opt/homebrew/sbin/varnishd", "/usr/local/sbin/varnishd"]))

    /// strace: shows the order of a run's system calls (durability before the manifest).
    public static let strace = Peer(
        name: "strace", howToGet: "apt-get install strace (Linux only)", location: firstExecutable(["/usr/bin/strace"]))

    /// Private mount namespaces (root and `unshare`, Linux): a test mounts a tiny tmpfs that
    /// fills up, without touching the machine's mounts.
    public static let privateMounts = Peer(
        name: "root with unshare -m", howToGet: "run the tests as root on Linux, with util-linux's unshare",
        location: getuid() == 0 && exitStatus(of: ["unshare", "-m", "true"]) == 0 ? "unshare" : nil)

    /// `/usr/bin/time`: measures a child's peak memory.
    public static let time = Peer(
        name: "/usr/bin/time", howToGet: "apt-get install time", location: firstExecutable(["/usr/bin/time"]))

    /// The Swift package sources of Vapor and Hummingbird (from the network, or a local
    /// mirror that git's `insteadOf` points at): the trait test resolves small dependent
    /// packages against them.
    public static let packageSources = Peer(
        name: "The Swift package sources of Vapor and Hummingbird",
        howToGet: "git ls-remote https://github.com/vapor/vapor.git must work: network access to github.com, or a local mirror set with git's url.<base>.insteadOf",
        location: ["vapor/vapor", "hummingbird-project/hummingbird"].allSatisfy {
            exitStatus(of: ["git", "ls-remote", "--exit-code", "https://github.com/\($0).git", "HEAD"]) == 0
        } ? "https://github.com/" : nil)

    /// The first executable among `paths`.
    static func firstExecutable(_ paths: [String]) -> String? {
        paths.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `python3` when it imports Django `major.minor`.
    static func pythonWithDjango(major: Int, minor: Int) -> String? {
        pythonImportsDjango("python3", major: major, minor: minor) ? "python3" : nil
    }

    /// Whether `python` (a path, or a name on `PATH`) imports Django `major.minor`.
    static func pythonImportsDjango(_ python: String, major: Int, minor: Int) -> Bool {
        let check = "import django, sys; sys.exit(0 if django.VERSION[:2] == (\(major), \(minor)) else 1)"
        return exitStatus(of: [python, "-c", check]) == 0
    }

    /// The exit status of `command` (looked up on `PATH`), its output discarded; `nil` when it
    /// cannot be started.
    static func exitStatus(of command: [String]) -> Int32? {
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"  // never wait for credentials
        return (try? ChildProcess(command, environment: environment))?.wait()
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when `peer` is present, or always under `WHITENOISE_REQUIRE_PEERS=1`
    /// (where a missing peer then fails the test); otherwise skips it, saying which peer is
    /// missing and how to get it.
    public static func requires(_ peer: Peer) -> Self {
        .enabled(if: peer.isAvailable || Peer.required, Comment(rawValue: peer.description))
    }
}

extension Peer {
    /// The peer's location, or a thrown failure naming it (for a test that runs under
    /// `WHITENOISE_REQUIRE_PEERS=1` without it).
    public func require() throws -> String {
        guard let location else { throw PeerMissing(peer: self) }
        return location
    }
}

/// A peer that a test needs is missing where peers are required.
public struct PeerMissing: Error, CustomStringConvertible {
    /// The peer.
    public let peer: Peer
    /// The message.
    public var description: String { "\(peer) (WHITENOISE_REQUIRE_PEERS=1 makes this a failure)" }
}

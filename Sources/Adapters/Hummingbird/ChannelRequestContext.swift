#if Hummingbird
public import Hummingbird
public import NIOCore

/// A request context that gives WhiteNoise the connection's channel, so that a large file is
/// written no faster than the client takes it (Docs/hummingbird.md, "Memory with slow
/// clients"). Without it, a write returns before the channel has seen it, and a slow client's
/// unsent chunks pile up in NIO's buffer (up to the whole file).
public protocol ChannelRequestContext: RequestContext {
    /// The connection's channel, from `ApplicationRequestContextSource.channel`.
    var channel: any Channel { get }
}

/// Hummingbird's basic request context plus the connection's channel: the context to use with
/// WhiteNoise when the app needs none of its own (`Router(context: WhiteNoiseRequestContext.self)`).
public struct WhiteNoiseRequestContext: ChannelRequestContext {
    /// Hummingbird's storage for every context.
    public var coreContext: CoreRequestContextStorage
    /// The connection's channel.
    public let channel: any Channel

    /// A context for a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
#endif

import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection, which a fault drops on purpose.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Thrown by a handler to end the request by closing its connection, without a reply.
struct DroppedConnection: Error {}

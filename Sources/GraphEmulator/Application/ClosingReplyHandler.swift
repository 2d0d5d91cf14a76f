import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Ends the connection after a reply that says `Connection: close`, as every 413 does: its
/// body is left unread, so the connection cannot carry another request.
///
/// Hummingbird alone ends such a connection badly. For a kept-alive request it reads and
/// drops the rest of the body, however large, and keeps the connection. When the request
/// said `Connection: close` it stops reading and waits for the client to close; a client
/// that writes its whole body before it reads is then stuck on a full socket, and both sides
/// wait for ever.
///
/// Here, once the reply is written the server shuts its side for writing (the client reads
/// the reply, then the end of the stream), goes on reading and dropping whatever the client
/// still sends, so that such a client can finish and get to the reply, and closes when the
/// client does or after `linger`, whichever comes first. Closing at once, with bytes unread,
/// would reset the connection and could take the reply with it.
final class ClosingReplyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum State {
        /// Everything passes.
        case open
        /// The reply being written says `Connection: close`.
        case closingReply
        /// Reply sent, our side shut: dropping what comes until the client closes or time is up.
        case draining(Scheduled<Void>)
    }

    private var state = State.open
    private let linger: TimeAmount

    init(linger: TimeAmount) {
        self.linger = linger
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch (state, unwrapOutboundIn(data)) {
        case (.open, .head(let head)) where Self.saysClose(head.headerFields):
            state = .closingReply
            context.write(data, promise: promise)
        case (.closingReply, .end):
            state = .draining(context.eventLoop.assumeIsolated().scheduleTask(in: linger) { context.close(promise: nil) })
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            // Once the reply is out, the client reads the end of the stream after it.
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(mode: .output, promise: nil) }
            // Nobody upstream asks for the rest of the body any more: ask for it here.
            context.read()
        default:
            context.write(data, promise: promise)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Once the reply is out, what the client sends is dropped.
        guard case .draining = state else { return context.fireChannelRead(data) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard case .draining = state else { return context.fireChannelReadComplete() }
        context.read()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .draining = state, case .inputClosed? = event as? ChannelEvent {
            // The client is done sending: nothing is left unread, and the reply has gone out.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A body cut short after the reply (a parse error at the end of the stream) changes nothing.
        guard case .draining = state else { return context.fireErrorCaught(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .draining(let deadline) = state { deadline.cancel() }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .draining(let deadline) = state { deadline.cancel() }
    }

    static func saysClose(_ fields: HTTPFields) -> Bool {
        fields[values: .connection].contains { value in
            value.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "close" }
        }
    }
}

@available(*, unavailable)
extension ClosingReplyHandler: Sendable {}

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The listener a browser sign-in comes back to: `http://127.0.0.1:PORT/` on a free port,
/// open only until the redirect arrives. It answers the browser with a short page and hands
/// the redirect's query (`code` and `state`, or `error`) to ``redirect(within:)``.
///
/// Any process on the machine can reach the port, so only a redirect that carries this
/// sign-in's `state` counts: another is told it is not the one, and the listener keeps
/// waiting for the right one.
public final class LoopbackRedirect: Sendable {
    /// `http://127.0.0.1:PORT/`, the `redirect_uri` to sign in with.
    public let redirectURI: String
    private let channel: any Channel
    private let queries: AsyncStream<[String: String]>

    private init(redirectURI: String, channel: any Channel, queries: AsyncStream<[String: String]>) {
        self.redirectURI = redirectURI
        self.channel = channel
        self.queries = queries
    }

    /// Starts listening on loopback only, for the redirect that carries `state`.
    public static func listen(state: String) async throws -> LoopbackRedirect {
        let (queries, sink) = AsyncStream<[String: String]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RedirectHandler(state: state) { query in sink.yield(query) })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        return LoopbackRedirect(redirectURI: "http://127.0.0.1:\(port)/", channel: channel, queries: queries)
    }

    /// Waits for the browser to come back with this sign-in's `state`; the query it
    /// brought, or `nil` when it did not come within `limit`.
    public func redirect(within limit: Duration) async throws -> [String: String]? {
        let queries = self.queries
        return try await Deadline.run(by: .now + limit) {
            for await query in queries { return query }
            throw CancellationError()
        }
    }

    /// Stops listening.
    public func close() async {
        try? await channel.close()
    }
}

/// Answers each request on the listener; one that carries a sign-in result (a `code` or an
/// `error`) with the expected `state` is handed on.
private final class RedirectHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: String
    private let onRedirect: @Sendable ([String: String]) -> Void
    private var uri = "/"

    init(state: String, onRedirect: @escaping @Sendable ([String: String]) -> Void) {
        self.state = state
        self.onRedirect = onRedirect
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
        case .body:
            break
        case .end:
            let query = Self.query(of: uri)
            let isResult = query["code"] != nil || query["error"] != nil
            let page: String
            if isResult, query["state"] != state {
                // Not the sign-in attache started (another process, an old tab): it neither
                // ends the wait nor is told it signed in.
                page = "This is not the sign-in attache is waiting for; attache keeps waiting for it."
                respond(context, status: .badRequest, page: page)
                return
            } else if query["code"] != nil {
                page = "Signed in to attache. You can close this tab and go back to the terminal."
            } else if let error = query["error"] {
                page = "The sign-in did not complete (\(Self.html(query["error_description"] ?? error))). You can close this tab."
            } else {
                page = "attache is waiting for a sign-in here."
            }
            respond(context, status: isResult ? .ok : .notFound, page: page)
            if isResult { onRedirect(query) }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, page: String) {
        let body = "<!doctype html><meta charset=utf-8><title>attache</title><p>\(page)</p>\n"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        headers.add(name: "Cache-Control", value: "no-store")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        // The callback runs on the channel's own loop, where the context may be used.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
    }

    static func query(of uri: String) -> [String: String] {
        guard let start = uri.firstIndex(of: "?") else { return [:] }
        var result: [String: String] = [:]
        for pair in uri[uri.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let key = decode(String(parts[0]))
            result[key] = parts.count > 1 ? decode(String(parts[1])) : ""
        }
        return result
    }

    static func decode(_ text: String) -> String {
        AttachmentLocation.percentDecode(text.replacingOccurrences(of: "+", with: " "))
    }

    static func html(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

import AsyncHTTPClient
import Foundation
import GraphEmulator
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A Graph that misbehaves on purpose: every request goes on to a real emulator, unless the
/// test's `rule` answers it instead or rewrites the emulator's reply. The emulator writes its
/// upload URLs with this proxy's origin, so upload traffic comes through here too.
final class HostileProxy: Sendable {
    /// A request as it reached the proxy.
    struct Exchange: Sendable {
        var method: String
        /// Path and query.
        var target: String
        var body: Data
        /// How many requests came before this one.
        var index: Int
        /// Its `Content-Range`, for ranged PUTs.
        var contentRange: String?
        /// When it reached the proxy.
        var receivedAt = Date()

        /// The last range of a file: `bytes n-(total-1)/total`.
        var isFinalRange: Bool {
            guard let contentRange, let match = contentRange.firstMatch(of: /bytes \d+-(\d+)\/(\d+)/) else { return false }
            return Int(match.1).map { $0 + 1 } == Int(match.2)
        }

        var isUploadURL: Bool { target.contains("AttachmentSessions(") }
        var isCreateSession: Bool { target.contains("/createUploadSession") }
    }

    /// A reply, the emulator's or the rule's own.
    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data

        init(status: Int, headers: [(String, String)] = [("Content-Type", "application/json")], body: Data = Data()) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        init(status: Int, json: String, headers: [(String, String)] = []) {
            self.init(status: status, headers: [("Content-Type", "application/json")] + headers, body: Data(json.utf8))
        }

        /// A Graph error body.
        static func graphError(_ status: Int, code: String, message: String, headers: [(String, String)] = []) -> Reply {
            let body = try! JSONSerialization.data(withJSONObject: ["error": ["code": code, "message": message]])
            let requestID = UUID().uuidString.lowercased()
            return Reply(status: status, headers: [("Content-Type", "application/json"), ("request-id", requestID)] + headers, body: body)
        }

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
    }

    /// What to do with one request.
    enum Action: Sendable {
        /// Forward it and pass the reply on.
        case forward
        /// Answer it without forwarding.
        case answer(Reply)
        /// Forward it, then change the reply.
        case rewrite(@Sendable (Reply) -> Reply)
        /// Forward it (so the emulator acts on it), then hold the reply this long.
        case forwardLate(Duration)
        /// Forward it (so the emulator acts on it), send the reply's head at once, then its
        /// body a byte every `every`, with spaces after it (JSON allows them) until the
        /// client goes or the proxy stops: a body that never ends, though bytes keep coming.
        case trickle(every: Duration)
    }

    typealias Rule = @Sendable (Exchange) -> Action

    /// A rule that forwards everything, with the upload URL that `createUploadSession`
    /// hands out changed by `change`.
    static func rewritingUploadURL(_ change: @escaping @Sendable (String) -> String) -> Rule {
        { exchange in
            guard exchange.isCreateSession else { return .forward }
            return .rewrite { reply in
                var reply = reply
                var json = reply.json
                json["uploadUrl"] = (json["uploadUrl"] as? String).map(change)
                reply.body = try! JSONSerialization.data(withJSONObject: json)
                return reply
            }
        }
    }

    let origin: String
    private let upstream = Mutex<(graph: String, upload: String)?>(nil)
    private let group: ServiceGroup
    private let task: Task<Void, Never>
    private let seen = Mutex<[Exchange]>([])
    /// Set by ``stop()``: trickling bodies end.
    fileprivate let stopped = Atomic<Bool>(false)

    var graphBaseURL: String { origin + "/v1.0" }
    /// Every request so far, in order.
    var exchanges: [Exchange] { seen.withLock { $0 } }

    private init(origin: String, group: ServiceGroup, task: Task<Void, Never>) {
        self.origin = origin
        self.group = group
        self.task = task
    }

    /// Starts the proxy; with `tls`, it speaks HTTPS with that certificate. `port` 0 takes a
    /// free one; another brings a host back where it was.
    static func start(tls: TLSConfiguration? = nil, port: Int = 0, _ rule: @escaping Rule) async throws -> HostileProxy {
        var logger = Logger(label: "test.proxy")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let box = Mutex<HostileProxy?>(nil)
        let application = Application(
            responder: Responder(rule: rule, proxy: { box.withLock { $0 } }),
            server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: "hostile-graph"),
            onServerRunning: { channel in
                portSink.yield(channel.localAddress?.port ?? 0)
                portSink.finish()
            },
            logger: logger)
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task<Void, Never> { _ = try? await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        let proxy = HostileProxy(origin: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)", group: group, task: task)
        box.withLock { $0 = proxy }
        return proxy
    }

    /// Where forwarded requests go: the emulator's Graph origin, and its upload host for the
    /// upload URLs (`/api/v2.0/…`), which the emulator is told to write with this proxy's origin.
    func forward(to origin: String, uploads: String) {
        upstream.withLock { $0 = (origin, uploads) }
    }

    /// Stops at once: replies it holds back are dropped, not waited for.
    func stop() async {
        stopped.store(true, ordering: .relaxed)
        task.cancel()
        await task.value
    }

    fileprivate func record(_ method: String, _ target: String, _ body: Data, contentRange: String?) -> Exchange {
        seen.withLock { list in
            let exchange = Exchange(method: method, target: target, body: body, index: list.count, contentRange: contentRange)
            list.append(exchange)
            return exchange
        }
    }

    fileprivate func forward(_ exchange: Exchange, headers: HTTPFields) async throws -> Reply {
        guard let upstream = upstream.withLock({ $0 }) else { return Reply(status: 502) }
        let base = exchange.target.lowercased().hasPrefix("/api/v2.0/") ? upstream.upload : upstream.graph
        var request = HTTPClientRequest(url: base + exchange.target)
        request.method = HTTPMethod(rawValue: exchange.method)
        for field in headers where field.name.canonicalName != "host" && field.name != .contentLength {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        // The emulator writes upload URLs with the Host it is asked by: this proxy's.
        request.headers.replaceOrAdd(name: "Host", value: String(origin.split(separator: "/").last ?? ""))
        if !exchange.body.isEmpty { request.body = .bytes(ByteBuffer(data: exchange.body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: Data(buffer: body))
    }

    private struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let rule: Rule
        let proxy: @Sendable () -> HostileProxy?

        func respond(to request: Request, context: Context) async throws -> Response {
            guard let proxy = proxy() else { return Response(status: .serviceUnavailable) }
            let body = try await request.body.collect(upTo: 8 << 20)
            let exchange = proxy.record(
                request.method.rawValue, request.uri.description, Data(buffer: body), contentRange: request.headers[HTTPField.Name("Content-Range")!])
            let reply: Reply
            var trickle: Duration?
            switch rule(exchange) {
            case .forward: reply = try await proxy.forward(exchange, headers: request.headers)
            case .trickle(let every):
                reply = try await proxy.forward(exchange, headers: request.headers)
                trickle = every
            case .answer(let answer): reply = answer
            case .rewrite(let change): reply = change(try await proxy.forward(exchange, headers: request.headers))
            case .forwardLate(let delay):
                reply = try await proxy.forward(exchange, headers: request.headers)
                try? await Task.sleep(for: delay)
            }
            var fields = HTTPFields()
            for (name, value) in reply.headers {
                guard let fieldName = HTTPField.Name(name), fieldName != .contentLength, fieldName != .transferEncoding, fieldName != .connection else { continue }
                fields.append(HTTPField(name: fieldName, value: value))
            }
            if let trickle {
                let body = reply.body
                return Response(
                    status: HTTPResponse.Status(code: reply.status), headers: fields,
                    body: ResponseBody { writer in
                        var sent = 0
                        while !proxy.stopped.load(ordering: .relaxed) {
                            // A write to a client that has gone fails, and ends this.
                            try await writer.write(ByteBuffer(bytes: [sent < body.count ? body[body.startIndex + sent] : UInt8(ascii: " ")]))
                            sent += 1
                            try await Task.sleep(for: trickle)
                        }
                        try await writer.finish(nil)
                    })
            }
            return Response(
                status: HTTPResponse.Status(code: reply.status), headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(data: reply.body)))
        }
    }
}

extension CLIHarness {
    /// An emulator behind a ``HostileProxy``: the binary talks to the proxy, the test can ask
    /// the emulator directly.
    static func withHostileProxy<T>(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(), tls: TLSConfiguration? = nil, rule: @escaping HostileProxy.Rule,
        _ body: (CLIHarness, HostileProxy) async throws -> T
    ) async throws -> T {
        let proxy = try await HostileProxy.start(tls: tls, rule)
        var configuration = configuration
        configuration.publicOrigin = proxy.origin
        configuration.uploadPublicOrigin = proxy.origin
        do {
            let result = try await with(configuration) { harness in
                proxy.forward(to: harness.emulator.origin, uploads: harness.emulator.uploadOrigin)
                var harness = harness
                harness.graphBase = proxy.graphBaseURL
                return try await body(harness, proxy)
            }
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }
}

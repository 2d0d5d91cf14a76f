import AsyncHTTPClient
import Crypto
import Foundation
import GraphEmulator
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing

/// An emulator on a free loopback port with a temporary store, and raw HTTP to it.
struct EmulatorHarness {
    let emulator: RunningEmulator
    var origin: String { emulator.origin }
    var graph: String { emulator.graphBaseURL }

    static let demoToken = EmulatorConfiguration.developerToken

    static func start(_ configuration: EmulatorConfiguration = EmulatorConfiguration()) async throws -> EmulatorHarness {
        var logger = Logger(label: "test.emulator")
        logger.logLevel = .critical
        return EmulatorHarness(emulator: try await GraphEmulator.start(configuration, logger: logger))
    }

    /// Runs `body` with a fresh emulator, and stops it afterwards.
    /// Emulators running at once in this test process (see ``RunningLimit``).
    static let emulators = RunningLimit(12)

    static func with<T>(_ configuration: EmulatorConfiguration = EmulatorConfiguration(), _ body: (EmulatorHarness) async throws -> T) async throws -> T {
        await emulators.acquire()
        let harness: EmulatorHarness
        do {
            harness = try await start(configuration)
        } catch {
            await emulators.release()
            throw error
        }
        do {
            let result = try await body(harness)
            await harness.emulator.stop()
            await emulators.release()
            return result
        } catch {
            await harness.emulator.stop()
            await emulators.release()
            throw error
        }
    }

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
        var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    }

    /// One request, exactly as given: no header is added but those passed.
    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url.hasPrefix("http") ? url : origin + url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 400 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: bytes))
    }

    /// A Graph request with the demo user's token.
    func graph(_ method: HTTPMethod, _ path: String, token: String = demoToken, json: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var all = [("Authorization", "Bearer \(token)")] + headers
        if json != nil { all.append(("Content-Type", "application/json")) }
        return try await send(method, graph + path, headers: all, body: json.map { Data($0.utf8) })
    }

    /// The id of the demo user's first message or event.
    func firstItem(_ collection: String = "messages") async throws -> String {
        let reply = try await graph(.GET, "/me/\(collection)?$select=id&$top=1")
        let value = try #require(reply.json["value"] as? [[String: Any]])
        return try #require(value.first?["id"] as? String)
    }

    /// A ranged PUT as the seed sends it.
    func put(_ uploadURL: String, bytes: Data, range: Range<Int>, total: Int, extraHeaders: [(String, String)] = []) async throws -> Reply {
        try await send(
            .PUT, uploadURL,
            headers: [
                ("Content-Type", "application/octet-stream"), ("Content-Length", "\(range.count)"),
                ("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(total)"),
            ] + extraHeaders,
            body: bytes.subdata(in: range))
    }

    func createSession(on item: String, kind: String = "messages", name: String = "file.bin", size: Int, token: String = demoToken) async throws -> String {
        let reply = try await graph(
            .POST, "/me/\(kind)/\(item)/attachments/createUploadSession", token: token,
            json: #"{"AttachmentItem":{"attachmentType":"file","name":"\#(name)","size":\#(size)}}"#)
        #expect(reply.status == 201, "\(reply.text)")
        return try #require(reply.json["uploadUrl"] as? String)
    }

    func openSessions() async throws -> [[String: Any]] {
        let reply = try await send(.GET, origin + "/_emulator/sessions", headers: [("Authorization", "Bearer \(Self.demoToken)")])
        return try #require(reply.json["value"] as? [[String: Any]])
    }

    func stats() async throws -> [String: Int] {
        let reply = try await send(.GET, origin + "/_emulator/stats", headers: [("Authorization", "Bearer \(Self.demoToken)")])
        return reply.json.compactMapValues { $0 as? Int }
    }

    /// Asks `condition` again and again (each ask is a request, no timer) until it holds;
    /// false when it never did within `attempts`.
    func until(attempts: Int = 20_000, _ condition: () async throws -> Bool) async rethrows -> Bool {
        for _ in 0..<attempts {
            if try await condition() { return true }
            await Task.yield()
        }
        return false
    }
}

/// Deterministic test bytes: a JPEG header, then a counter pattern.
func testBytes(count: Int, jpeg: Bool = false) -> Data {
    var data = Data(count: count)
    data.withUnsafeMutableBytes { raw in
        let bytes = raw.bindMemory(to: UInt8.self)
        var state: UInt32 = 2_463_534_242
        for index in 0..<count {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        if jpeg, count >= 4 {
            bytes[0] = 0xFF
            bytes[1] = 0xD8
            bytes[2] = 0xFF
            bytes[3] = 0xE0
        }
    }
    return data
}

func sha256(_ data: Data) -> String {
    SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
@testable import AttacheCore

/// A page of a Graph collection (messages, events, attachments) and its `@odata.nextLink`,
/// which `GraphClient.pages` follows with the bearer token.
///
/// Input: the page's JSON body.
enum PagesTarget {
    static func run(_ input: FuzzInput) {
        let reply = GraphClient.Reply(status: 200, headers: [:], body: ByteBuffer(bytes: input.bytes))
        var links: [String] = []
        if let page = try? Fixtures.graph.decode(GraphPage<WireItem>.self, from: reply, operation: "fuzz") {
            for wire in page.value {
                for kind in [ItemKind.message, .event] {
                    let item = wire.item(kind: kind)
                    _ = item.displayDate
                    _ = item.start?.date
                    _ = item.end?.date
                    for date in [item.createdDateTime, item.lastModifiedDateTime, item.receivedDateTime].compactMap({ $0 }) {
                        _ = GraphDate.parse(date)
                    }
                }
            }
            if let link = page.nextLink { links.append(link) }
        }
        if let page = try? Fixtures.graph.decode(GraphPage<AttachmentInfo>.self, from: reply, operation: "fuzz") {
            for attachment in page.value { _ = attachment.lastModifiedDateTime.flatMap(GraphDate.parse) }
            if let link = page.nextLink { links.append(link) }
        }
        for link in Set(links) { checkNextLink(link) }
    }

    enum Outcome: Sendable {
        /// Refused before a token was asked for.
        case refused
        /// Let through to the point of asking for the token.
        case wouldSend
    }

    /// The token goes to the Graph root alone: a link that `GraphClient` would send it to
    /// leads the HTTP client to the root's scheme, host and port, as the client reads them.
    static func checkNextLink(_ link: String) {
        let graph = Fixtures.graph
        let outcome = Blocking.run { () -> Outcome in
            do {
                _ = try await graph.exchange(.GET, link, authorization: .bearer, operation: "fuzz")
                fatalError("a request went out to \(link)")  // the credentials always refuse
            } catch let error as GraphError where error.message == WouldSendToken.marker {
                return .wouldSend
            } catch {
                return .refused
            }
        }
        guard outcome == .wouldSend else { return }
        let root = try! HTTPClient.Request(url: Fixtures.graphBase)
        let request = try? HTTPClient.Request(url: link)
        expect(request != nil, "\(link) gets the token, and the HTTP client cannot read it")
        if let request {
            expect(
                request.scheme == root.scheme && request.host.lowercased() == root.host && request.port == root.port,
                "\(link) gets the token, and goes to \(request.scheme)://\(request.host):\(request.port)")
        }
    }
}

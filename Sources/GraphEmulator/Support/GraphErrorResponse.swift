import Foundation
import HTTPTypes
import Hummingbird

/// An error the way Graph writes one: a status and
/// `{"error": {"code": …, "message": …, "innerError": {"date": …, "request-id": …}}}`.
struct GraphErrorResponse: Error, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var retryAfter: Int?
    /// More headers for the reply, such as a 401's `WWW-Authenticate`.
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.headers = headers
    }

    func response(requestID: String, clientRequestID: String?) -> Response {
        var inner: [(String, JSONValue)] = [
            ("date", .string(GraphTimestamp.seconds(Date()))),
            ("request-id", .string(requestID)),
        ]
        if let clientRequestID { inner.append(("client-request-id", .string(clientRequestID))) }
        let body = JSONValue.object([
            ("error", .object([("code", .string(code)), ("message", .string(message)), ("innerError", .object(inner))]))
        ])
        var headers = self.headers
        headers[.contentType] = "application/json"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized())))
    }

    static func notFound(_ what: String = "The specified object was not found in the store.") -> GraphErrorResponse {
        GraphErrorResponse(.notFound, "ErrorItemNotFound", what)
    }

    static let accessDenied = GraphErrorResponse(.forbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")

    static func badRequest(_ message: String, code: String = "ErrorInvalidRequest") -> GraphErrorResponse {
        GraphErrorResponse(.badRequest, code, message)
    }
}

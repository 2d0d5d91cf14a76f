import Synchronization

/// Where the three listeners ended up once bound (ports may be picked by the system), for the
/// replies of one that name another: Graph's `WWW-Authenticate` names the authority, the
/// identity discovery document names Graph, `createUploadSession` names the upload host.
final class ListenerOrigins: Sendable {
    private let origins = Mutex<(graph: String?, identity: String?, upload: String?)>((nil, nil, nil))

    var graph: String? { origins.withLock { $0.graph } }
    var identity: String? { origins.withLock { $0.identity } }
    var upload: String? { origins.withLock { $0.upload } }

    func setGraph(_ origin: String) { origins.withLock { $0.graph = origin } }
    func setIdentity(_ origin: String) { origins.withLock { $0.identity = origin } }
    func setUpload(_ origin: String) { origins.withLock { $0.upload = origin } }

    /// `SCHEME://HOST:PORT`, IPv6 hosts in brackets.
    static func origin(host: String, port: Int, scheme: String = "http") -> String {
        host.contains(":") ? "\(scheme)://[\(host)]:\(port)" : "\(scheme)://\(host):\(port)"
    }
}

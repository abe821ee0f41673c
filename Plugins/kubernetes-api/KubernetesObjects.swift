/// The parts of Kubernetes objects every resource shares, as the API sends them.
public struct ObjectMeta: Decodable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
    public var uid: String
    public var resourceVersion: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?

    public init(name: String, namespace: String? = nil, uid: String, resourceVersion: String? = nil,
                labels: [String: String]? = nil, annotations: [String: String]? = nil,
                ownerReferences: [OwnerReference]? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }
}

public struct OwnerReference: Decodable, Sendable, Equatable {
    public var apiVersion: String?
    public var kind: String
    public var name: String
    public var uid: String?
    public var controller: Bool?
}

/// An object a reflector can follow.
public protocol KubernetesObject: Decodable, Sendable, Equatable {
    var metadata: ObjectMeta { get }
}

/// A Status, as the API sends with failures and in watch ERROR events.
public struct KubernetesStatus: Decodable, Sendable, Equatable {
    public var code: Int?
    public var reason: String?
    public var message: String?
}

/// A list response: items, the resourceVersion to watch from, the next page's token.
struct ListEnvelope<Object: Decodable>: Decodable {
    struct Meta: Decodable {
        var resourceVersion: String?
        var `continue`: String?
    }
    var metadata: Meta
    var items: [Object]?
}

/// The type of a watch event, read before its object.
struct WatchEventHead: Decodable {
    var type: String
}

struct WatchEvent<Object: Decodable>: Decodable {
    var type: String
    var object: Object
}

/// What a BOOKMARK or ERROR event carries.
struct BookmarkObject: Decodable {
    struct Meta: Decodable { var resourceVersion: String? }
    var metadata: Meta
}

public enum KubernetesError: Error, CustomStringConvertible, Equatable {
    /// 410 Gone, as an HTTP status or an in-stream ERROR event: relist.
    case expired(String)
    /// Any other refusal, with the HTTP status (or the ERROR event's code).
    case status(Int, String)
    /// The answer could not be read.
    case malformed(String)
    /// The configuration is unusable (token file, certificates).
    case configuration(String)
    /// The connection failed or closed early.
    case transport(String)

    public var description: String {
        switch self {
        case let .expired(message): "410 Gone: \(message)"
        case let .status(code, message): "HTTP \(code): \(message)"
        case let .malformed(message): "malformed answer: \(message)"
        case let .configuration(message): message
        case let .transport(message): message
        }
    }
}

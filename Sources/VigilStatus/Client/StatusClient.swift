import Foundation
import VigilConfig
import VigilModel

/// Talks to a running agent's status API: finds its address (the bound one
/// the server recorded, else `cmd_address`), reads the token, GETs a path.
public enum StatusClient {
    /// A health probe (`/health/live`, `/health/ready`): no token, and a 503 is an answer, not an error.
    public static func probe(config: AgentConfig, path: String, timeoutSeconds: Int = 10) throws
        -> (healthy: Bool, body: JSONValue)
    {
        let response = try fetch(config: config, target: path, headers: [:], timeoutSeconds: timeoutSeconds)
        guard response.status == 200 || response.status == 503, let body = try? JSONText.parse(response.body) else {
            throw StatusClientError.badResponse("\(path): HTTP \(response.status): not a Vigil agent's health answer")
        }
        return (response.status == 200, body)
    }

    /// Where the running agent listens: the bound address it recorded, else `cmd_address`.
    public static func agentAddress(config: AgentConfig) throws -> StatusAddress {
        let configured = try StatusAddress(config: config)
        let recorded = (try? String(contentsOfFile: StatusServer.addressFile(runPath: config.runPath), encoding: .utf8))
            .flatMap { StatusAddress(parsing: $0) }
        return recorded ?? configured
    }

    /// A GET to the running agent, over TLS when `cmd_tls_cert_file` is set.
    static func fetch(config: AgentConfig, target: String, headers: [String: String], timeoutSeconds: Int) throws
        -> HTTPGet.Response
    {
        let address = try agentAddress(config: config)
        if let tls = try StatusTransport(config: config, address: try StatusAddress(config: config)).clientContext() {
            return try TLSGet.fetch(address: address, target: target, headers: headers, timeoutSeconds: timeoutSeconds, context: tls)
        }
        return try HTTPGet.fetch(address: address, target: target, headers: headers, timeoutSeconds: timeoutSeconds)
    }

    public static func get(config: AgentConfig, path: String, query: [String: String] = [:],
                           timeoutSeconds: Int = 10) throws -> JSONValue {
        let token = try AuthToken.read(runPath: config.runPath)
        var target = path
        if !query.isEmpty {
            var allowed = CharacterSet.urlQueryAllowed
            allowed.remove(charactersIn: "&=+")
            target += "?" + query.sorted { $0.key < $1.key }.map {
                ($0.key.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.key) + "="
                    + ($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.value)
            }.joined(separator: "&")
        }
        let response = try fetch(config: config, target: target, headers: ["Authorization": "Bearer \(token)"],
                                 timeoutSeconds: timeoutSeconds)
        switch response.status {
        case _ where !StatusClient.isVigilAnswer(response.body):
            throw StatusClientError.badResponse("another process answers on the agent's address (HTTP \(response.status)), not a Vigil agent: is cmd_address taken?")
        case 200:
            do { return try JSONText.parse(response.body) } catch {
                throw StatusClientError.badResponse("\(path): \(error)")
            }
        case 401 where StatusClient.isVigilRefusal(response.body):
            throw StatusClientError.badResponse("the agent refused the token in \(AuthToken.path(runPath: config.runPath)) (HTTP 401)")
        default:
            let message = (try? JSONText.parse(response.body))?["error"].flatMap { value -> String? in
                if case let .string(s) = value { return s }
                return nil
            } ?? response.body
            throw StatusClientError.badResponse("\(path): HTTP \(response.status): \(message)")
        }
    }
}

extension StatusClient {
    /// Vigil answers JSON, errors as `{"error": "…"}`; anything else at the address is another program.
    static func isVigilAnswer(_ body: String) -> Bool { (try? JSONText.parse(body)) != nil }

    static func isVigilRefusal(_ body: String) -> Bool {
        (try? JSONText.parse(body))?["error"] == .string("missing or wrong token")
    }
}

public enum StatusClientError: Error, CustomStringConvertible {
    case notRunning(String)
    case badResponse(String)

    public var description: String {
        switch self {
        case let .notRunning(why): "the agent is not running: \(why)"
        case let .badResponse(why): "unexpected answer from the agent: \(why)"
        }
    }
}

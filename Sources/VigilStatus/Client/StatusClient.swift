import Foundation
import VigilConfig
import VigilModel

/// Talks to a running agent's status API: finds its address (the bound one
/// the server recorded, else `cmd_address`), reads the token, GETs a path.
public enum StatusClient {
    /// Where the running agent listens: the bound address it recorded, else `cmd_address`.
    public static func agentAddress(config: AgentConfig) throws -> StatusAddress {
        let configured = try StatusAddress(config: config)
        let recorded = (try? String(contentsOfFile: StatusServer.addressFile(runPath: config.runPath), encoding: .utf8))
            .flatMap { StatusAddress(parsing: $0) }
        return recorded ?? configured
    }

    public static func get(config: AgentConfig, path: String, query: [String: String] = [:],
                           timeoutSeconds: Int = 10) throws -> JSONValue {
        let address = try agentAddress(config: config)
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
        let response = try HTTPGet.fetch(address: address, target: target,
                                         headers: ["Authorization": "Bearer \(token)"], timeoutSeconds: timeoutSeconds)
        switch response.status {
        case 200:
            do { return try JSONText.parse(response.body) } catch {
                throw StatusClientError.badResponse("\(path): \(error)")
            }
        case 401:
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

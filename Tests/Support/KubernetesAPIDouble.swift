import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs `Tests/KubernetesDouble/apiserver_double.py`, the Kubernetes API
/// server double, over TLS with a CA made here by openssl, and drives it
/// through its plain-HTTP control port on loopback.
public final class KubernetesAPIDouble: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible { public var description: String }

    /// One request the double received.
    public struct Request: Sendable {
        public var path: String
        public var query: [String: String]
        public var authorized: Bool
        public var token: String
        public var isWatch: Bool { query["watch"] == "1" || query["watch"] == "true" }
    }

    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("KubernetesDouble/apiserver_double.py").path

    public let folder: String
    public let caFile: String
    /// The file the double reads the accepted bearer token from, at every request.
    public let serverTokenFile: String
    /// A token file a client reads; the same token unless a test changes one of them.
    public let clientTokenFile: String
    public let kubeconfigFile: String
    public private(set) var apiPort = 0
    public private(set) var controlPort = 0
    private let process = Process()

    public var server: String { "https://127.0.0.1:\(apiPort)" }

    public init(folder: String, bookmarkInterval: Double = 0.5) throws {
        self.folder = folder
        caFile = folder + "/ca.crt"
        serverTokenFile = folder + "/server-token"
        clientTokenFile = folder + "/client-token"
        kubeconfigFile = folder + "/kubeconfig"
        try Self.makeCertificates(in: folder)
        try "token-one\n".write(toFile: serverTokenFile, atomically: true, encoding: .utf8)
        try "token-one\n".write(toFile: clientTokenFile, atomically: true, encoding: .utf8)
        let ready = folder + "/ready"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--cert", folder + "/server.crt", "--key", folder + "/server.key",
                             "--token-file", serverTokenFile, "--ready-file", ready,
                             "--bookmark-interval", String(bookmarkInterval)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 15)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: ready, encoding: .utf8) {
                let ports = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                if ports.count == 2 { (apiPort, controlPort) = (ports[0], ports[1]); break }
            }
            guard process.isRunning else { throw Failure(description: "the API server double exited at start") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard apiPort != 0 else { stop(); throw Failure(description: "the API server double did not start") }
        try writeKubeconfig()
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A kubeconfig naming the double, the CA file and the client token file.
    public func writeKubeconfig() throws {
        let text = """
        apiVersion: v1
        kind: Config
        current-context: double
        clusters:
        - name: double
          cluster:
            server: \(server)
            certificate-authority: \(caFile)
        users:
        - name: tester
          user:
            tokenFile: \(clientTokenFile)
        contexts:
        - name: double
          context:
            cluster: double
            user: tester
        """
        try text.write(toFile: kubeconfigFile, atomically: true, encoding: .utf8)
    }

    /// A CA, and a server certificate for 127.0.0.1 and localhost signed by it.
    public static func makeCertificates(in folder: String, prefix: String = "") throws {
        let ca = folder + "/\(prefix)ca"
        let server = folder + "/\(prefix)server"
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key", "-out", ca + ".crt",
                     "-subj", "/CN=vigil-test-ca", "-days", "2",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", server + ".key", "-out", server + ".csr",
                     "-subj", "/CN=127.0.0.1"])
        let ext = folder + "/\(prefix)server.ext"
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
            .write(toFile: ext, atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", server + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
                     "-CAcreateserial", "-out", server + ".crt", "-days", "2", "-extfile", ext])
    }

    private static func openssl(_ arguments: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure(description: "openssl \(arguments.joined(separator: " ")) exited with \(p.terminationStatus)")
        }
    }

    // MARK: control

    /// Creates or replaces objects ("pods" or "datadogpodautoscalers"); returns them as stored.
    @discardableResult
    public func put(_ resource: String, _ objects: [[String: Any]]) throws -> [[String: Any]] {
        let data = try control("POST", "/objects/\(resource)", body: JSONSerialization.data(withJSONObject: objects))
        return (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    public func delete(_ resource: String, namespace: String, name: String) throws {
        _ = try control("DELETE", "/objects/\(resource)/\(namespace)/\(name)")
    }

    /// The objects the server holds now.
    public func objects(_ resource: String) throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: control("GET", "/objects/\(resource)")) as? [[String: Any]]) ?? []
    }

    /// Every open watch gets an in-stream ERROR event with a Status of code 410, and the history is compacted.
    public func expireWatches() throws { _ = try control("POST", "/expire-watches") }

    /// Compacts the history: a later watch from an older resourceVersion is refused with 410,
    /// as an HTTP status (`http`) or as an in-stream ERROR event (`event`).
    public func compact(mode: String, endWatches: Bool = false) throws {
        _ = try control("POST", "/compact?mode=\(mode)" + (endWatches ? "&end_watches=1" : ""))
    }

    /// Ends every open watch normally (as the server's own timeout does).
    public func endWatches() throws { _ = try control("POST", "/end-watches") }

    public var openWatches: Int {
        get throws {
            let obj = try JSONSerialization.jsonObject(with: control("GET", "/watches")) as? [String: Any]
            return obj?["open"] as? Int ?? 0
        }
    }

    public func requests() throws -> [Request] {
        let list = (try JSONSerialization.jsonObject(with: control("GET", "/requests")) as? [[String: Any]]) ?? []
        return list.map {
            Request(path: $0["path"] as? String ?? "", query: $0["query"] as? [String: String] ?? [:],
                    authorized: $0["authorized"] as? Bool ?? false, token: $0["token"] as? String ?? "")
        }
    }

    public func clearRequests() throws { _ = try control("POST", "/requests/clear") }

    /// Replaces the token the server accepts.
    public func rotateServerToken(_ token: String) throws {
        try (token + "\n").write(toFile: serverTokenFile, atomically: true, encoding: .utf8)
    }

    private func control(_ method: String, _ path: String, body: Data? = nil) throws -> Data {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(controlPort)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        if body != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<Data, Error> = .failure(Failure(description: "no answer"))
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { result = .failure(error) }
            else if let http = response as? HTTPURLResponse, http.statusCode >= 400 {
                result = .failure(Failure(description: "\(method) \(path): HTTP \(http.statusCode)"))
            } else { result = .success(data ?? Data()) }
            done.signal()
        }.resume()
        guard done.wait(timeout: .now() + 30) == .success else { throw Failure(description: "\(method) \(path): no answer") }
        return try result.get()
    }

    // MARK: objects

    /// A pod as the API shows it: a Deployment's ReplicaSet owns it; one container per entry of
    /// `containers` (name, runtime id without the `containerd://` prefix).
    public static func pod(name: String, namespace: String = "default", node: String = "node-a",
                           deployment: String? = "web", containers: [(name: String, id: String)] = [("app", "")],
                           labels: [String: String] = [:], cpuRequest: String = "250m",
                           memoryRequest: String = "64Mi") -> [String: Any] {
        var metadata: [String: Any] = ["name": name, "namespace": namespace,
                                       "labels": labels.merging(["pod-template-hash": "5d8f7c9b6"]) { a, _ in a }]
        if let deployment {
            metadata["ownerReferences"] = [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "\(deployment)-5d8f7c9b6",
                                            "uid": UUID().uuidString.lowercased(), "controller": true]]
        }
        return [
            "metadata": metadata,
            "spec": ["nodeName": node, "containers": containers.map { c -> [String: Any] in
                ["name": c.name, "image": "docker.io/library/bb:latest",
                 "resources": ["requests": ["cpu": cpuRequest, "memory": memoryRequest],
                               "limits": ["cpu": "1", "memory": "128Mi"]]]
            }],
            "status": ["phase": "Running", "qosClass": "Burstable", "podIP": "10.0.0.7",
                       "containerStatuses": containers.map { c -> [String: Any] in
                           ["name": c.name, "containerID": c.id.isEmpty ? "" : "containerd://\(c.id)", "ready": true,
                            "restartCount": 0]
                       }],
        ]
    }

    /// A DatadogPodAutoscaler (v1alpha2) targeting a Deployment, with a CPU utilization objective.
    public static func autoscaler(name: String, namespace: String = "default", target: String = "web",
                                  utilization: Int = 75, minReplicas: Int = 1, maxReplicas: Int = 10) -> [String: Any] {
        [
            "metadata": ["name": name, "namespace": namespace],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": target],
                "owner": "Local",
                "objectives": [["type": "PodResource",
                                "podResource": ["name": "cpu", "value": ["type": "Utilization", "utilization": utilization]]]],
                "constraints": ["minReplicas": minReplicas, "maxReplicas": maxReplicas,
                                "containers": [["name": "app", "enabled": true,
                                                "requests": ["minAllowed": ["cpu": "100m", "memory": "32Mi"],
                                                             "maxAllowed": ["cpu": "2", "memory": "1Gi"]]]]],
            ],
        ]
    }
}

import Foundation
import KubernetesAPI
import Testing
import VigilTestSupport

@Suite struct KubernetesConfigTests {
    func folder() throws -> String { try TrustedScratch.folder("vigil-kubeconfig") }

    @Test func kubeconfigFilesAndDataAreRead() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "CA PEM".write(toFile: dir + "/ca.crt", atomically: true, encoding: .utf8)
        let certData = Data("CERT".utf8).base64EncodedString(), keyData = Data("KEY".utf8).base64EncodedString()
        try """
        apiVersion: v1
        kind: Config
        current-context: b
        clusters:
        - name: one
          cluster: {server: "https://10.0.0.1:6443", certificate-authority-data: \(Data("OTHER".utf8).base64EncodedString())}
        - name: two
          cluster: {server: "https://127.0.0.1:8443/", certificate-authority: ca.crt}
        users:
        - name: u
          user: {tokenFile: token, client-certificate-data: \(certData), client-key-data: \(keyData)}
        contexts:
        - name: a
          context: {cluster: one, user: u}
        - name: b
          context: {cluster: two, user: u}
        """.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let config = try KubernetesConfig.kubeconfig(path: dir + "/config")
        #expect(config.server == "https://127.0.0.1:8443")
        #expect(config.caPEM == Array("CA PEM".utf8))
        #expect(config.tokenFile == dir + "/token")
        #expect(config.clientCertificatePEM == Array("CERT".utf8))
        #expect(config.clientKeyPEM == Array("KEY".utf8))
    }

    @Test(arguments: [
        ("clusters: [{name: c, cluster: {server: 'http://x:80', certificate-authority-data: QQ==}}]", "needs an https:// server"),
        ("clusters: [{name: c, cluster: {server: 'https://x', insecure-skip-tls-verify: true}}]", "insecure-skip-tls-verify is refused"),
        ("clusters: [{name: c, cluster: {server: 'https://x'}}]", "has no certificate-authority"),
        ("clusters: [{name: other, cluster: {server: 'https://x'}}]", "no cluster named \"c\""),
    ])
    func badKubeconfigsAreRefusedClearly(clusters: String, message: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n\(clusters)\n"
            .write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let error = #expect(throws: KubernetesConfig.Invalid.self) { try KubernetesConfig.kubeconfig(path: dir + "/config") }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test func inClusterNeedsTheServiceEnvironment() throws {
        let error = #expect(throws: KubernetesConfig.Invalid.self) { try KubernetesConfig.inCluster(environment: [:]) }
        #expect(error?.description.contains("KUBERNETES_SERVICE_HOST") == true)
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "CA".write(toFile: dir + "/ca.crt", atomically: true, encoding: .utf8)
        let config = try KubernetesConfig.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], folder: dir)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.tokenFile == dir + "/token")
    }

    @Test func tokenFileIsReadAgainOnlyWhenItChanges() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/token"
        try "first\n".write(toFile: path, atomically: true, encoding: .utf8)
        let token = TokenFile(path: path)
        #expect(try token.current() == "first")
        #expect(try token.current() == "first")
        #expect(token.reads == 1)
        // Rotated the way the kubelet does it: a new file renamed over the old one.
        try "second".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try token.current() == "second")
        #expect(token.reads == 2)
        try FileManager.default.removeItem(atPath: path)
        #expect(throws: KubernetesError.self) { try token.current() }
    }

    @Test func quantities() {
        #expect(Quantity.parse("250m") == 0.25)
        #expect(Quantity.parse("2") == 2)
        #expect(Quantity.parse("1.5") == 1.5)
        #expect(Quantity.parse("64Mi") == 67_108_864)
        #expect(Quantity.parse("1G") == 1e9)
        #expect(Quantity.parse("2e3") == 2000)
        #expect(Quantity.parse("12Ki") == 12_288)
        #expect(Quantity.parse("lots") == nil)
        #expect(Quantity.parse("") == nil)
        #expect(Quantity.format(0.25) == "0.25")
        #expect(Quantity.format(67_108_864) == "67108864")
    }

    @Test func queryValuesArePercentEncoded() {
        #expect(KubernetesClient.encode([]) == "")
        #expect(KubernetesClient.encode([("fieldSelector", "spec.nodeName=node a"), ("limit", "2")])
            == "?fieldSelector=spec.nodeName%3Dnode%20a&limit=2")
    }
}

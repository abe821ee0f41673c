import Foundation
import Testing
import VigilModel
import VigilStatus
@testable import VigilConsole

/// The console's access rules, through `Console.handle` (the same call the
/// status server makes): login codes, the session cookie, CSRF on logout,
/// loopback only, and escaping of what workloads name themselves.
@Suite struct ConsoleAccessTests {
    static let hostileName = "<script>alert(1)</script>"

    func console(allowRemote: Bool = false) -> Console {
        let sources = ConsoleSources(
            hostname: "web-1",
            status: { .object([("hostname", "web-1"), ("version", "0.1.0"), ("uptime_seconds", 60),
                               ("checks", .array([.object([("instance", "cgroup:1"), ("last_error", "boom")])]))]) },
            workload: { kind in
                kind == "image" ? .array([.object([("kind", "image"), ("id", "sha256:bb"), ("name", "docker.io/library/bb"),
                                                   ("repo_tags", .array(["docker.io/library/bb:latest"])),
                                                   ("size_bytes", 2_000_000)])])
                    : .array([.object([("kind", "container"), ("id", "c1"), ("name", .string(Self.hostileName)),
                                       ("state", "running"), ("image_id", "sha256:bb")])])
            },
            tags: { .array([.object([("entity", "container_id://c1"), ("low", .array(["image_name:bb"])),
                                     ("orchestrator", .array([])), ("high", .array(["container_id:c1"]))])]) },
            store: nil)
        return Console(settings: ConsoleSettings(allowRemote: allowRemote, refreshSeconds: 15, chartLibraryDirectory: "/nonexistent"),
                       sources: sources)
    }

    func get(_ console: Console, _ path: String, query: [String: String] = [:], cookie: String? = nil, now: Double = 100,
             loopback: Bool = true, bearer: Bool = false) -> WebResponse {
        console.handle(WebRequest(method: "GET", path: path, query: query, headers: cookie.map { [("Cookie", $0)] } ?? [],
                                  fromLoopback: loopback, bearerAuthorized: bearer), now: now)
    }

    func header(_ response: WebResponse, _ name: String) -> String? {
        response.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// Logs in the way a browser does; returns the `Cookie:` header value and the page's CSRF token.
    func logIn(_ console: Console, now: Double = 100) throws -> (cookie: String, csrf: String) {
        let code = try #require(JSONTextValue.string(get(console, "/console/login-code", now: now, bearer: true), "code"))
        let login = get(console, "/console/login", query: ["code": code], now: now)
        #expect(login.status == 303)
        #expect(header(login, "Location") == "/console/")
        let setCookie = try #require(header(login, "Set-Cookie"))
        let cookie = String(setCookie.split(separator: ";")[0])
        let page = String(decoding: get(console, "/console/", cookie: cookie, now: now).body, as: UTF8.self)
        let marker = "name=\"csrf\" value=\""
        let start = try #require(page.range(of: marker)).upperBound
        let csrf = String(page[start...].prefix(while: { $0 != "\"" }))
        return (cookie, csrf)
    }

    @Test func withoutASessionEverythingIsRefused() {
        let console = console()
        for path in ["/console", "/console/", "/console/containers", "/console/metrics", "/console/images",
                     "/console/static/console.js", "/console/api/plot"] {
            #expect(get(console, path).status == 401, "\(path)")
        }
        #expect(get(console, "/console/", cookie: "vigil_console=forged").status == 401)
        #expect(get(console, "/console/login-code").status == 401, "a code needs the status API's token")
    }

    @Test func aLoginLinkWorksOnceAndGivesAStrictHttpOnlyCookie() throws {
        let console = console()
        let code = try #require(JSONTextValue.string(get(console, "/console/login-code", bearer: true), "code"))
        let first = get(console, "/console/login", query: ["code": code])
        #expect(first.status == 303)
        let cookie = try #require(header(first, "Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console"))
        #expect(header(first, "Referrer-Policy") == "same-origin")
        #expect(get(console, "/console/login", query: ["code": code]).status == 401, "second use")
        let late = try #require(JSONTextValue.string(get(console, "/console/login-code", now: 100, bearer: true), "code"))
        #expect(get(console, "/console/login", query: ["code": late], now: 100 + LoginCodes.lifetime + 1).status == 401)
        let session = String(cookie.split(separator: ";")[0])
        #expect(get(console, "/console/", cookie: session).status == 200)
    }

    @Test func pagesEscapeWhatWorkloadsCallThemselves() throws {
        let console = console()
        let (cookie, _) = try logIn(console)
        for path in ["/console/", "/console/containers", "/console/images", "/console/metrics"] {
            let response = get(console, path, cookie: cookie)
            #expect(response.status == 200, "\(path)")
            let page = String(decoding: response.body, as: UTF8.self)
            #expect(!page.contains(Self.hostileName), "\(path)")
            #expect(header(response, "Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(header(response, "Cache-Control") == "no-store")
        }
        let containers = String(decoding: get(console, "/console/containers", cookie: cookie).body, as: UTF8.self)
        #expect(containers.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(containers.contains("image_name:bb"))
        let overview = String(decoding: get(console, "/console/", cookie: cookie).body, as: UTF8.self)
        #expect(overview.contains("boom"), "a check's last error reaches the health section")
        let images = String(decoding: get(console, "/console/images", cookie: cookie).body, as: UTF8.self)
        #expect(images.contains("docker.io/library/bb:latest") && images.contains("class=\"sbom\""))
        let fragment = String(decoding: get(console, "/console/", query: ["fragment": "main"], cookie: cookie).body, as: UTF8.self)
        #expect(!fragment.contains("<html") && fragment.contains("Health"))
    }

    @Test func logoutNeedsPostAndTheSessionsCSRFToken() throws {
        let console = console()
        let (cookie, csrf) = try logIn(console)
        #expect(csrf.count == 64)
        func post(_ body: String, origin: String? = nil) -> WebResponse {
            var headers = [("Cookie", cookie), ("Host", "127.0.0.1:5001")]
            if let origin { headers.append(("Origin", origin)) }
            return console.handle(WebRequest(method: "POST", path: "/console/logout", headers: headers, body: Array(body.utf8)),
                                  now: 100)
        }
        #expect(get(console, "/console/logout", cookie: cookie).status == 405)
        #expect(post("").status == 403)
        #expect(post("csrf=wrong").status == 403)
        #expect(post("csrf=\(csrf)", origin: "http://evil.example").status == 403)
        #expect(get(console, "/console/", cookie: cookie).status == 200, "refused logouts change nothing")
        #expect(console.handle(WebRequest(method: "POST", path: "/console/", headers: [("Cookie", cookie)]), now: 100).status == 405)
        let done = post("csrf=\(csrf)", origin: "http://127.0.0.1:5001")
        #expect(done.status == 303)
        #expect(header(done, "Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(get(console, "/console/", cookie: cookie).status == 401)
    }

    @Test func otherHostsAreRefusedUnlessAllowed() throws {
        #expect(get(console(), "/console/login-code", loopback: false, bearer: true).status == 403)
        #expect(get(console(allowRemote: true), "/console/login-code", loopback: false, bearer: true).status == 200)
    }
}

/// A field of a JSON answer, read with the status client's parser.
enum JSONTextValue {
    static func string(_ response: WebResponse, _ key: String) -> String? {
        guard response.status == 200, let value = try? JSONText.parse(String(decoding: response.body, as: UTF8.self)),
              case let .string(s)? = value[key] else { return nil }
        return s
    }
}

import Foundation
import VigilModel
import VigilStatus

/// One request through the console: where it came from, who it is, then
/// which page. Three paths need no session — the login-code route (it wants
/// the status API's token instead), the login link itself and the page
/// shown after logout; everything else answers 401 without one.
struct ConsoleRouter {
    let console: Console
    let request: WebRequest
    let now: Double

    func answer() -> WebResponse {
        guard request.fromLoopback || console.settings.allowRemote else {
            return ConsoleResponse.html(403, Layout.bare(title: "Refused", message:
                "The console answers this host only. Set <code>console_allow_remote: true</code> to open it to others."),
                request: request)
        }
        let path = request.path
        switch path {
        case "/console/login-code": return loginCode()
        case "/console/login": return login()
        case "/console/logged-out":
            return ConsoleResponse.html(200, Layout.bare(title: "Logged out", message:
                "Run <code>vigil console</code> on the agent's host for a new login link."), request: request)
        default: break
        }
        guard let session = currentSession() else { return refused() }
        if path == "/console/logout" { return logout(session) }
        guard request.method == "GET" || request.method == "HEAD" else {
            return ConsoleResponse.html(405, Layout.bare(title: "Not allowed", message: "Only logout changes anything."),
                                        request: request, extraHeaders: [("Allow", "GET")])
        }
        if path == "/console" { return ConsoleResponse.redirect(to: "/console/", request: request) }
        if path.hasPrefix("/console/static/") { return StaticFiles(console: console, request: request).answer() }
        if path.hasPrefix("/console/api/") { return PlotAPI(console: console, request: request, now: now).answer() }
        return PageRenderer(console: console, request: request, session: session, now: now).answer()
    }

    /// `vigil console` asks here with the status API's token; the answer is
    /// a code, never the token, and the code works once, within a minute.
    private func loginCode() -> WebResponse {
        guard request.bearerAuthorized else {
            return ConsoleResponse.json(401, #"{"error":"missing or wrong token"}"#, request: request)
        }
        let code = console.codes.issue(now: now)
        let body = JSONValue.object([
            ("code", .string(code)), ("path", .string("/console/login?code=" + code)),
            ("expires_in_seconds", .int(Int64(LoginCodes.lifetime))),
        ])
        return ConsoleResponse.json(200, body.serialized(), request: request)
    }

    /// Trades a live code for a session and sends the browser on to a URL
    /// without the code, so the address bar and history keep nothing usable.
    private func login() -> WebResponse {
        guard request.method == "GET", let code = request.query["code"], console.codes.redeem(code, now: now) else {
            return ConsoleResponse.html(401, Layout.bare(title: "Login link used or expired", message:
                "A login link works once, within \(Int(LoginCodes.lifetime)) seconds. Run <code>vigil console</code> "
                + "on the agent's host for a new one."), request: request)
        }
        let session = console.sessions.create(now: now)
        return ConsoleResponse.redirect(to: "/console/", request: request,
                                        extraHeaders: [("Set-Cookie", SessionCookie.set(session, now: now, secure: console.settings.secureCookies))])
    }

    /// The only state-changing route: a POST with the session's CSRF token
    /// in its form, and, when the browser says where the form came from, from this origin.
    private func logout(_ session: Sessions.Session) -> WebResponse {
        guard request.method == "POST" else {
            return ConsoleResponse.html(405, Layout.bare(title: "Not allowed", message: "Log out with the button."),
                                        request: request, extraHeaders: [("Allow", "POST")])
        }
        let form = Self.formFields(request.body)
        guard let token = form["csrf"], RandomSecret.equal(token, session.csrfToken), sameOrigin() else {
            return ConsoleResponse.html(403, Layout.bare(title: "Refused", message: "The form's CSRF token is missing or wrong."),
                                        request: request)
        }
        console.sessions.end(session.id)
        return ConsoleResponse.redirect(to: "/console/logged-out", request: request,
                                        extraHeaders: [("Set-Cookie", SessionCookie.cleared)])
    }

    private func sameOrigin() -> Bool {
        guard let origin = request.header("Origin") else { return true }
        guard let host = request.header("Host") else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    private func currentSession() -> Sessions.Session? {
        SessionCookie.read(request.header("Cookie")).flatMap { console.sessions.find($0, now: now) }
    }

    private func refused() -> WebResponse {
        if request.path.hasPrefix("/console/api/") {
            return ConsoleResponse.json(401, #"{"error":"no console session: run vigil console"}"#, request: request)
        }
        return ConsoleResponse.html(401, Layout.bare(title: "Log in first", message:
            "Run <code>vigil console</code> on the agent's host and open the link it prints."), request: request)
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: [UInt8]) -> [String: String] {
        var out: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }
}

import VigilStatus

/// Answers with the headers every console response carries: no caching of
/// pages (they hold a CSRF token), no framing, no sniffing, no referrer to
/// other sites (a login URL's code must not travel on; `same-origin`, not
/// `no-referrer`, because with the latter Chromium sends `Origin: null` on the
/// logout form), and a policy that allows only the console's own scripts and
/// style sheets. Style attributes are allowed: dygraphs positions its legend
/// and axes with them; scripts stay strictly 'self'.
enum ConsoleResponse {
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ]

    static func make(status: Int, contentType: String, body: [UInt8], request: WebRequest,
                     cache: String = "no-store", extraHeaders: [(String, String)] = []) -> WebResponse {
        var headers = securityHeaders + [("Content-Type", contentType), ("Cache-Control", cache)] + extraHeaders
        var payload = body
        if body.count > 1024, Gzip.accepted(request.header("Accept-Encoding")), let compressed = Gzip.compress(body) {
            payload = compressed
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        }
        return WebResponse(status: status, headers: headers, body: payload)
    }

    static func html(_ status: Int, _ text: String, request: WebRequest, extraHeaders: [(String, String)] = []) -> WebResponse {
        make(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8), request: request,
             extraHeaders: extraHeaders)
    }

    static func json(_ status: Int, _ text: String, request: WebRequest) -> WebResponse {
        make(status: status, contentType: "application/json", body: Array(text.utf8), request: request)
    }

    static func redirect(to location: String, request: WebRequest, extraHeaders: [(String, String)] = []) -> WebResponse {
        WebResponse(status: 303, headers: securityHeaders + [("Location", location), ("Cache-Control", "no-store")]
            + extraHeaders)
    }
}

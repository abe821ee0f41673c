import VigilStatus

/// The console's script and stylesheet and the chart library. Cached by the
/// browser for an hour (private: they are behind the session like the rest).
struct StaticFiles {
    let console: Console
    let request: WebRequest

    func answer() -> WebResponse {
        let name = String(request.path.dropFirst("/console/static/".count))
        let file: (String, [UInt8]?) = switch name {
        case "console.js": ("text/javascript; charset=utf-8", Array(ConsoleScript.source.utf8))
        case "console.css": ("text/css; charset=utf-8", Array(ConsoleStyle.source.utf8))
        case "dygraph.min.js": ("text/javascript; charset=utf-8", console.library.script)
        case "dygraph.min.css": ("text/css; charset=utf-8", console.library.style)
        default: ("", nil)
        }
        guard let body = file.1 else {
            return ConsoleResponse.make(status: 404, contentType: "text/plain", body: Array("not found\n".utf8), request: request)
        }
        return ConsoleResponse.make(status: 200, contentType: file.0, body: body, request: request,
                                    cache: "private, max-age=3600")
    }
}

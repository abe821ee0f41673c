import VigilModel
import VigilStatus

/// Every container in the workload store with its tags and two plots, CPU
/// (usage, throttling, limit) and memory (usage, working set, limit). The
/// plots load when scrolled into view, so a host with hundreds of
/// containers costs the plots on screen, not all of them.
enum ContainersPage {
    static func main(containers: JSONValue, tags: JSONValue, range: PlotRange, format: HumanFormat,
                     storeAvailable: Bool) -> String {
        var out = RangePicker.html(path: "/console/containers", current: range, extraQuery: "")
        if !storeAvailable {
            out += "<p class=\"warning\">The local store is off (<code>local_store: false</code>): no plots.</p>"
        }
        guard case let .array(list) = containers, !list.isEmpty else {
            return out + "<p>No containers in the workload store.</p>"
        }
        let tagsByEntity = tagIndex(tags)
        let sorted = list.sorted { text($0["name"]) + text($0["id"]) < text($1["name"]) + text($1["id"]) }
        out += "<p class=\"count\">\(sorted.count) containers</p><div class=\"containers\">"
        for container in sorted {
            let id = text(container["id"])
            let name = text(container["name"]).isEmpty ? String(id.prefix(12)) : text(container["name"])
            out += "<article class=\"container\" data-container-id=\"" + HTML.escape(id) + "\"><h3>" + HTML.escape(name)
            out += " <small>" + HTML.escape(String(id.prefix(12))) + "</small> <span class=\"state state-"
            out += HTML.escape(text(container["state"])) + "\">" + HTML.escape(text(container["state"])) + "</span></h3>"
            out += "<p class=\"meta\">image " + HTML.escape(text(container["image_ref"]))
            if let started = container["started_at"], case let .int(t) = started, t > 0 {
                out += " · started " + HTML.value("started_at", started, format: format)
            }
            out += "</p>"
            let entityTags = tagsByEntity["container_id://" + id] ?? []
            if !entityTags.isEmpty {
                out += "<p class=\"tags\">" + entityTags.map { "<span class=\"tag\">" + HTML.escape($0) + "</span>" }
                    .joined(separator: " ") + "</p>"
            }
            if storeAvailable {
                let query = "id=" + HTML.queryValue(id) + "&range=" + range.rawValue
                out += "<div class=\"plots\">"
                out += plotDiv("/console/api/plot?plot=container-cpu&" + query, title: "CPU (cores)")
                out += plotDiv("/console/api/plot?plot=container-memory&" + query, title: "Memory (MiB)")
                out += "</div>"
            }
            out += "</article>"
        }
        return out + "</div>"
    }

    static func plotDiv(_ url: String, title: String) -> String {
        "<figure class=\"plot-frame\"><figcaption>" + HTML.escape(title) + "</figcaption><div class=\"plot\" data-plot=\""
            + HTML.escape(url) + "\"></div></figure>"
    }

    /// entity id → every tag the tagger gives it (low, orchestrator, high), each once.
    static func tagIndex(_ listing: JSONValue) -> [String: [String]] {
        guard case let .array(entries) = listing else { return [:] }
        var out: [String: [String]] = [:]
        for entry in entries {
            var all: [String] = []
            for level in ["low", "orchestrator", "high"] {
                if case let .array(tags)? = entry[level] { all += tags.compactMap { if case let .string(s) = $0 { s } else { nil } } }
            }
            // Each cardinality's list includes the lower ones': show every tag once.
            var seen = Set<String>()
            out[text(entry["entity"])] = all.filter { seen.insert($0).inserted }
        }
        return out
    }

    static func text(_ value: JSONValue?) -> String {
        if case let .string(s)? = value { return s }
        return ""
    }
}

/// Links to the same page over each range.
enum RangePicker {
    static func html(path: String, current: PlotRange, extraQuery: String) -> String {
        "<nav class=\"ranges\">Range: " + PlotRange.allCases.map { range in
            let href = path + "?" + extraQuery + (extraQuery.isEmpty ? "" : "&") + "range=" + range.rawValue
            return "<a href=\"" + HTML.escape(href) + "\"" + (range == current ? " class=\"current\"" : "") + ">"
                + range.label + "</a>"
        }.joined(separator: " ") + "</nav>"
    }
}

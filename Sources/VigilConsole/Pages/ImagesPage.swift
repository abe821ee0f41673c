import VigilModel
import VigilStatus

/// Every image in the workload store: its references, size, platform and
/// the containers running it.
enum ImagesPage {
    static func main(images: JSONValue, containers: JSONValue, format: HumanFormat) -> String {
        guard case let .array(list) = images, !list.isEmpty else { return "<p>No images in the workload store.</p>" }
        var users: [String: Int] = [:]
        if case let .array(running) = containers {
            for c in running { users[ContainersPage.text(c["image_id"]), default: 0] += 1 }
        }
        var out = "<p class=\"count\">\(list.count) images</p><table class=\"images\"><thead><tr><th>name</th>"
        out += "<th>references</th><th>size</th><th>created</th><th>platform</th><th>containers</th>"
        out += "<th>SBOM</th></tr></thead><tbody>"
        for image in list.sorted(by: { ContainersPage.text($0["name"]) < ContainersPage.text($1["name"]) }) {
            let id = ContainersPage.text(image["id"])
            var references: [String] = []
            for key in ["repo_tags", "repo_digests"] {
                if case let .array(items)? = image[key] {
                    references += items.compactMap { if case let .string(s) = $0 { s } else { nil } }
                }
            }
            let platform = ["os", "architecture", "variant"].map { ContainersPage.text(image[$0]) }.filter { !$0.isEmpty }
            out += "<tr data-image-id=\"" + HTML.escape(id) + "\"><td>" + HTML.escape(ContainersPage.text(image["name"]))
            out += "<br><small>" + HTML.escape(id) + "</small></td><td>"
            out += references.map(HTML.escape).joined(separator: "<br>") + "</td>"
            out += "<td>" + HTML.value("size_bytes", image["size_bytes"] ?? .null, format: format) + "</td>"
            out += "<td>" + HTML.value("created_at", image["created_at"] ?? .null, format: format) + "</td>"
            out += "<td>" + HTML.escape(platform.joined(separator: "/")) + "</td><td>\(users[id] ?? 0)</td>"
            out += "<td class=\"sbom\">" + sbomCell(image) + "</td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// SBOM scan status, package count and a link to the CycloneDX document
    /// go here once an sbom module publishes them on the image entity. No
    /// such module exists yet, so the cell says so rather than guessing.
    static func sbomCell(_ image: JSONValue) -> String {
        "<span class=\"muted\">not scanned (no SBOM module)</span>"
    }
}

import VigilEntities
import VigilModel

extension WorkloadStore {
    /// The `sbom` part of the status section, from the scan state the sbom module reports on
    /// each image: images queued, scanning, done, waiting to retry (with the next attempt and
    /// the last error) and failed with no retry planned (turned away by a full queue), each
    /// listed with its error. Nothing when no image carries a scan state.
    static func sbomStatus(_ images: [Image]) -> [(String, JSONValue)] {
        let scanned = images.filter { !$0.sbom.status.isEmpty }
        guard !scanned.isEmpty else { return [] }
        func count(_ status: String) -> JSONValue { .int(Int64(scanned.filter { $0.sbom.status == status }.count)) }
        let unsuccessful = scanned.filter { $0.sbom.status == "failed" }.sorted { $0.id < $1.id }
        let waiting = unsuccessful.filter { $0.sbom.retryAt > 0 }
        let failed = unsuccessful.filter { $0.sbom.retryAt == 0 }
        func listed(_ image: Image) -> JSONValue {
            .object([
                ("image", .string(image.repoTags.first ?? image.name.nonEmpty ?? image.id)),
                ("next_attempt_at", image.sbom.retryAt > 0 ? .double(Double(image.sbom.retryAt) / 1e9) : .null),
                ("last_error", .string(image.sbom.error)),
            ])
        }
        return [("sbom", .object([
            ("images_queued", count("pending")), ("images_scanning", count("scanning")),
            ("images_done", count("success")), ("images_waiting_to_retry", .int(Int64(waiting.count))),
            ("images_failed", .int(Int64(failed.count))),
            ("packages", .int(scanned.reduce(0) { $0 + $1.sbom.packageCount })),
            ("waiting_to_retry", .array(waiting.map(listed))),
            ("failed", .array(failed.map(listed))),
        ]))]
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

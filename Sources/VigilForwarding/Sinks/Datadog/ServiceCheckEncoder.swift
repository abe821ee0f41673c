import VigilModel

/// Items of the v1 service check API (`/api/v1/check_run`): a JSON array
/// of `{check, host_name, status, timestamp, message, tags}`.
enum ServiceCheckEncoder {
    static func items(_ checks: [ServiceCheck]) -> [[UInt8]] {
        checks.map { check in
            var json = JSONBytes()
            json.raw(#"{"check":"#)
            json.string(check.name)
            json.raw(#","host_name":"#)
            json.string(check.host)
            json.raw(#","status":"#)
            json.int(Int64(check.status.rawValue))
            json.raw(#","timestamp":"#)
            json.int(check.timestamp)
            if !check.message.isEmpty {
                json.raw(#","message":"#)
                json.string(check.message)
            }
            json.raw(#","tags":"#)
            json.strings(check.tags)
            json.raw("}")
            return json.bytes
        }
    }
}

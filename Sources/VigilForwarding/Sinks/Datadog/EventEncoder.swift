import VigilModel

/// Bodies of the v1 events API (`POST /api/v1/events`), one event each.
enum EventEncoder {
    static func items(_ events: [Event]) -> [[UInt8]] {
        events.map { event in
            var json = JSONBytes()
            json.raw(#"{"title":"#)
            json.string(event.title)
            json.raw(#","text":"#)
            json.string(event.text)
            json.raw(#","date_happened":"#)
            json.int(event.timestamp)
            if !event.host.isEmpty {
                json.raw(#","host":"#)
                json.string(event.host)
            }
            json.raw(#","tags":"#)
            json.strings(event.tags)
            json.raw(#","priority":"#)
            json.string(event.priority.rawValue)
            json.raw(#","alert_type":"#)
            json.string(event.alertType.rawValue)
            if let key = event.aggregationKey {
                json.raw(#","aggregation_key":"#)
                json.string(key)
            }
            if let source = event.sourceTypeName {
                json.raw(#","source_type_name":"#)
                json.string(source)
            }
            json.raw("}")
            return json.bytes
        }
    }
}

/// Why a message was skipped, or (for the `ignored…` reasons) why one of
/// its optional fields was; each reason has its own counter in status.
public enum ParseErrorReason: Int, CaseIterable, Sendable, Error {
    case emptyName
    case missingValue
    case missingType
    case unknownType
    case invalidValue
    case invalidSampleRate
    case invalidTimestamp
    case invalidEventHeader
    case eventLengthMismatch
    case invalidServiceCheck
    case invalidServiceCheckStatus
    case packetTruncated
    case frameTooLarge
    /// A histogram, timer, set or distribution with `|T`: the reference
    /// sends timestamped samples unaggregated, which only gauges and counts
    /// can be, and drops the others (its `unsupported_type` counter).
    case timestampedUnsupportedType
    /// An event's optional field that does not parse (`d:abc`, `p:urgent`):
    /// the field is ignored, the event kept.
    case ignoredEventField
    /// The same for a service check (`d:abc`).
    case ignoredServiceCheckField
    /// A control character (below 0x20, or DEL) anywhere in the message: names
    /// and tags would carry it to terminals and dashboards. The reference accepts them.
    case controlCharacter

    /// False for the reasons that drop a field but keep the message.
    public var dropsMessage: Bool {
        switch self {
        case .ignoredEventField, .ignoredServiceCheckField: false
        default: true
        }
    }

    public var name: String {
        switch self {
        case .emptyName: "empty_name"
        case .missingValue: "missing_value"
        case .missingType: "missing_type"
        case .unknownType: "unknown_type"
        case .invalidValue: "invalid_value"
        case .invalidSampleRate: "invalid_sample_rate"
        case .invalidTimestamp: "invalid_timestamp"
        case .invalidEventHeader: "invalid_event_header"
        case .eventLengthMismatch: "event_length_mismatch"
        case .invalidServiceCheck: "invalid_service_check"
        case .invalidServiceCheckStatus: "invalid_service_check_status"
        case .packetTruncated: "packet_truncated"
        case .frameTooLarge: "frame_too_large"
        case .timestampedUnsupportedType: "timestamped_unsupported_type"
        case .ignoredEventField: "ignored_event_field"
        case .ignoredServiceCheckField: "ignored_service_check_field"
        case .controlCharacter: "control_character"
        }
    }
}

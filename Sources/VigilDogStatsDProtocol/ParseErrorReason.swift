/// Why a message was skipped; each reason has its own counter in status.
enum ParseErrorReason: Int, CaseIterable, Sendable, Error {
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

    var name: String {
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
        }
    }
}

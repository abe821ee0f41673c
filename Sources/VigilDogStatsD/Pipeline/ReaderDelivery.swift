/// What a socket reader does with what it receives: copy it into the ring
/// for the workers (`dogstatsd_pipeline_count` ≥ 1), or parse it on its own
/// thread (`0`). `Parser` is a processor for a datagram socket's one
/// reader, and a way to make one for each stream connection.
enum ReaderDelivery<Parser> {
    case queue(PacketRing)
    case parse(Parser)
}

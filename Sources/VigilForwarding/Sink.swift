import VigilModel

/// One destination of flushes. Every sink has the same inner shape, each
/// part in its own file under `Sinks/<Name>/`: configuration, encoder
/// (flush → items), request builder (`PayloadBuilder`: items → bodies),
/// transport (`LaneTransport`: body → destination) and the sink that joins
/// them to durable lanes (`Outbox` + `LaneSender`). The forwarder fans each
/// flush out to every configured sink, each on its own worker.
protocol Sink: AnyObject, Sendable {
    /// The destination's name in status and logs.
    var name: String { get }
    /// Starts delivering what is stored, leftovers of a previous run first;
    /// delivery lanes report their state to `health`.
    func start(health: HealthRegistry)
    /// Encodes and stores one flush. Called on this sink's worker only, in
    /// flush order; it must not wait on the destination.
    func write(_ batch: FlushBatch)
    /// Stops delivery, then makes one last attempt until `deadline`
    /// (systemUptime seconds) to send what is pending; what waits in memory
    /// because storage failed is tried again until `storeDeadline`.
    func stop(deadline: Double, storeDeadline: Double) async
    /// True while something its storage refused waits in memory: the
    /// forwarder then hands it every flush, empty ones too, to try again.
    var holdsUnstored: Bool { get }
    /// Counters for `vigil status`.
    func statusSnapshot() -> JSONValue
}

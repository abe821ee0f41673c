/// How the collector reaches containerd and what it watches.
struct CollectorSettings: Sendable {
    var socketPath = "/run/containerd/containerd.sock"
    /// nil: every namespace, as listed by containerd at each synchronisation.
    var namespaces: [String]? = nil
    /// Environment variables copied into container entities (others may hold secrets).
    var environmentAllowList: Set<String> = ["DD_ENV", "DD_SERVICE", "DD_VERSION"]
    /// Full resynchronisation period, a safety net for anything the event stream missed.
    var resyncInterval: Duration = .seconds(300)
    /// How often running containers' addresses and listening ports are read again.
    var networkRefreshInterval: Duration = .seconds(10)
    /// Where the host's /proc is mounted (a containerised agent mounts it elsewhere).
    var procRoot = "/proc"
    /// The image facts cache (`<run_path>/containerd-images.db`); nil: none, every start reads every blob.
    var imageCachePath: String? = nil
    /// Images whose manifest and config are read at the same time, and the connections they share.
    var readWidth = 8
    var blobConnections = 2
    /// Largest page planned from the last listing's size (with a tenth added for growth);
    /// containerd refuses responses over 16 MiB. 90,000 references (~27 MB) make two pages,
    /// fetched at once, one scan inside containerd each: a third page would cost another
    /// scan of every record. A page refused anyway is divided and fetched again.
    var listingPageBytes = 15 << 20
    var requestTimeout: Duration = .seconds(15)
    var initialBackoff: Duration = .milliseconds(250)
    var maxBackoff: Duration = .seconds(30)
}

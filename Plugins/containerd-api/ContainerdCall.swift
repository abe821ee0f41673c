import GRPCCore

/// What every namespaced call to containerd carries: the `containerd-namespace` header it
/// requires, and a deadline, so a stuck daemon cannot stall a caller forever.
public enum ContainerdCall {
    public static func metadata(namespace: String) -> Metadata {
        var metadata = Metadata()
        metadata.addString(namespace, forKey: "containerd-namespace")
        return metadata
    }

    public static func options(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        return options
    }
}

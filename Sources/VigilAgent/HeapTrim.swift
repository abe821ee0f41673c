import CVigilSystem
import VigilModel

/// glibc keeps what the agent frees in its arenas: after a burst (a flood of
/// DogStatsD contexts that then expire, a large flush), RSS would stay at the
/// peak. The flush loop asks for a trim at most once per `period`:
/// malloc_trim(0) walks the arenas and hands whole free pages back.
public final class HeapTrim: @unchecked Sendable {
    let period: Double
    /// The first flush trims: what starting took (module loading, a first
    /// scan) is handed back when the agent settles, not a period later.
    private var last = -Double.infinity

    /// Also fixes the thresholds (see vigil_tune_heap): 1 MiB buffers and
    /// larger are mapped on their own, an arena keeps at most 1 MiB of free
    /// top, and every thread allocates from one arena (docs/health.md has the
    /// measurements: no slower intake, and a lower containerd sync peak).
    init(period: Double = 30) {
        self.period = period
        Self.tuneThresholds()
    }

    /// The agent's heap thresholds, for a benchmark that runs modules outside the agent
    /// and should see the heap they would see inside it.
    public static func tuneThresholds() {
        vigil_tune_heap(1 << 20, 1 << 20, 1)
    }

    /// Called under the flush lock, after a flush.
    func afterFlush() {
        let now = MonotonicClock.seconds()
        guard now - last >= period else { return }
        last = now
        _ = vigil_trim_heap()
    }
}

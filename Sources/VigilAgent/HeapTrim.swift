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

    /// The thresholds and the arena cap that make trimming worth it are set
    /// before main (vigil_system.h).
    init(period: Double = 30) {
        self.period = period
    }

    /// Called under the flush lock, after a flush.
    func afterFlush() {
        let now = MonotonicClock.seconds()
        guard now - last >= period else { return }
        last = now
        _ = vigil_trim_heap()
    }
}

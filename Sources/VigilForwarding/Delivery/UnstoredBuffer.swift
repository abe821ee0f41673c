/// What a destination could not store (a full disk, a failing one), kept in
/// memory within `maxBytes` and stored again, before anything newer, at
/// the next flush and at stop. Beyond the bound the oldest go first, and
/// are counted: a failing disk never loses a whole flush, and never grows
/// the agent without limit.
struct UnstoredBuffer<Element: Sendable>: Sendable {
    let maxBytes: Int
    private var held: [(element: Element, bytes: Int)] = []
    private(set) var bytes = 0
    /// Elements dropped to stay within `maxBytes`.
    private(set) var dropped = 0
    /// Elements stored after waiting here.
    private(set) var recovered = 0

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    var count: Int { held.count }
    var isEmpty: Bool { held.isEmpty }

    /// Takes everything held, oldest first, to be stored again.
    mutating func take() -> [Element] {
        defer {
            held.removeAll()
            bytes = 0
        }
        return held.map(\.element)
    }

    /// Keeps `elements` (oldest first; what `take()` returned goes first
    /// again), dropping the oldest held beyond the bound; returns how many
    /// were dropped.
    @discardableResult
    mutating func hold(_ elements: [Element], size: (Element) -> Int) -> Int {
        for element in elements {
            let n = size(element)
            held.append((element, n))
            bytes += n
        }
        var droppedNow = 0
        var first = 0
        while bytes > maxBytes, first < held.count {
            bytes -= held[first].bytes
            first += 1
            droppedNow += 1
        }
        if first > 0 { held.removeFirst(first) }
        dropped += droppedNow
        return droppedNow
    }

    mutating func noteRecovered(_ n: Int) { recovered += n }

    struct Summary: Sendable {
        var count: Int, bytes: Int, maxBytes: Int, recovered: Int, dropped: Int
    }

    /// The counters for status, without the held elements.
    var summary: Summary { Summary(count: count, bytes: bytes, maxBytes: maxBytes, recovered: recovered, dropped: dropped) }
}

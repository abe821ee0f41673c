/// Packs one lane's encoded items into compressed bodies that respect the
/// lane's limits, and splits a body back into smaller ones when a
/// destination answers 413. Every sink builds its requests here.
struct PayloadBuilder: Sendable {
    let lane: String
    let framing: PayloadFraming
    let limits: PayloadLimits

    struct Result {
        var payloads: [Payload] = []
        /// Items that alone exceed a limit: they can never be accepted.
        var oversizedItems = 0
    }

    func build(_ items: [[UInt8]], encoding: ContentEncoding) throws -> Result {
        var result = Result()
        // Aim each chunk at what the last compression ratio says will fit,
        // so that a chunk rarely has to be compressed twice.
        var rawTarget = limits.maxUncompressed
        var chunkStart = 0
        var chunkBytes = 0
        var index = 0
        func flushChunk(upTo end: Int) throws {
            guard end > chunkStart else { return }
            try emit(items[chunkStart..<end], encoding: encoding, into: &result, rawTarget: &rawTarget)
            chunkStart = end
            chunkBytes = 0
        }
        while index < items.count {
            let item = items[index]
            if framing.size(ofItemBytes: item.count, count: 1) > limits.maxUncompressed {
                try flushChunk(upTo: index)
                result.oversizedItems += 1
                index += 1
                chunkStart = index
                continue
            }
            let count = index - chunkStart + 1
            if count > 1, count > framing.maxItems || framing.size(ofItemBytes: chunkBytes + item.count, count: count) > rawTarget {
                try flushChunk(upTo: index)
            }
            chunkBytes += item.count
            index += 1
        }
        try flushChunk(upTo: items.count)
        return result
    }

    private func emit(_ items: ArraySlice<[UInt8]>, encoding: ContentEncoding,
                      into result: inout Result, rawTarget: inout Int) throws {
        let raw = framing.join(items)
        let compressed = try encoding.compress(raw)
        if compressed.count > 0 {
            let ratio = Double(raw.count) / Double(compressed.count)
            rawTarget = min(limits.maxUncompressed, max(4096, Int(Double(limits.maxCompressed) * ratio * 0.9)))
        }
        if compressed.count <= limits.maxCompressed {
            result.payloads.append(Payload(lane: lane, encoding: encoding, body: compressed, itemCount: items.count))
        } else if items.count == 1 {
            result.oversizedItems += 1
        } else {
            let middle = items.startIndex + items.count / 2
            try emit(items[items.startIndex..<middle], encoding: encoding, into: &result, rawTarget: &rawTarget)
            try emit(items[middle..<items.endIndex], encoding: encoding, into: &result, rawTarget: &rawTarget)
        }
    }

    /// The payload cut in two halves by item, or nil when it holds a
    /// single item (or is not one of ours) and cannot be split.
    func split(_ payload: Payload) throws -> [Payload]? {
        let raw = try payload.encoding.decompress(payload.body)
        guard let items = framing.items(of: raw), items.count > 1 else { return nil }
        let middle = items.count / 2
        return try [items[..<middle], items[middle...]].map { half in
            Payload(lane: payload.lane, encoding: payload.encoding,
                    body: try payload.encoding.compress(framing.join(half)), itemCount: half.count)
        }
    }

    /// The same items compressed another way (an intake that refuses zstd).
    func recode(_ payload: Payload, to encoding: ContentEncoding) throws -> Payload {
        guard payload.encoding != encoding else { return payload }
        let raw = try payload.encoding.decompress(payload.body)
        return Payload(lane: payload.lane, encoding: encoding, body: try encoding.compress(raw), itemCount: payload.itemCount)
    }
}

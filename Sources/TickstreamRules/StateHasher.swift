/// A 64-bit hash of state, word at a time, identical on every platform and in every process.
///
/// Swift's `Hasher` is seeded per process, so it cannot name a state across machines; this one can.
public struct StateHasher: Sendable {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init() {}

    @inlinable
    static func rotate(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    public mutating func combine(_ word: UInt64) {
        var mixed = word &* 0x87C3_7B91_1142_53D5
        mixed = Self.rotate(mixed, 31) &* 0x4CF5_AD43_2745_937F
        state ^= mixed
        state = Self.rotate(state, 27) &* 5 &+ 0x52DC_E729
    }

    public mutating func combine(_ value: Int64) {
        combine(UInt64(bitPattern: value))
    }

    public mutating func combine(_ string: String) {
        var utf8 = string.utf8.makeIterator()
        var count: UInt64 = 0
        var word: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = utf8.next() {
            word |= UInt64(byte) << shift
            shift += 8
            count += 1
            if shift == 64 {
                combine(word)
                word = 0
                shift = 0
            }
        }
        combine(word)
        combine(count)
    }

    /// The final avalanche (MurmurHash3's fmix64), so that nearby states give distant hashes.
    public func finalize() -> UInt64 {
        var hash = state
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}

extension EntityTable {
    /// Feeds every entity into `hasher`, in id order.
    public func hash(into hasher: inout StateHasher) {
        hasher.combine(UInt64(rows.count))
        for row in rows {
            hasher.combine(UInt64(row.id) << 8 | UInt64(row.kind))
            for field in values[row.firstField..<row.firstField + Int(row.fieldCount)] {
                hasher.combine(field)
            }
        }
    }

    /// The hash of the entities alone: what a client can check after decoding a snapshot.
    public var entityHash: UInt64 {
        var hasher = StateHasher()
        hash(into: &hasher)
        return hasher.finalize()
    }
}

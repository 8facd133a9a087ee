import NIOWebSocket

/// Masking keys for one connection's frames, from a seeded xorshift64* generator.
///
/// RFC 6455 (section 5.3) masks client frames so that a hostile page cannot make a browser send bytes an
/// intermediary proxy would misread; it asks that keys be unpredictable to that page, not that they be
/// cryptographically strong. A load generator has no such page, so a cheap generator seeded once per connection
/// replaces a `getrandom()` call per frame.
struct MaskingKeyGenerator: RandomNumberGenerator {
    private var state: UInt64

    /// - Parameter seed: Any value; 0 is replaced, as xorshift never leaves the all-zero state.
    init(seed: UInt64) {
        state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed
    }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// The key for the next frame.
    mutating func nextKey() -> WebSocketMaskingKey {
        .random(using: &self)
    }
}

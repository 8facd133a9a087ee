extension [UInt8] {
    /// Appends `value` as an unsigned LEB128 varint: 7 bits a byte, least significant first.
    @inline(__always)
    mutating func appendVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        append(UInt8(truncatingIfNeeded: remaining))
    }

    /// Appends `value` zig-zag encoded, so that small negative numbers stay short too.
    @inline(__always)
    mutating func appendZigZag(_ value: Int64) {
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}

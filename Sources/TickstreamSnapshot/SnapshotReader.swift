/// A cursor over a snapshot payload that reads varints and throws, with the byte offset, when the input is bad.
struct SnapshotReader {
    private let bytes: [UInt8]
    /// The position of the next byte to read.
    private(set) var offset: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
    }

    var isAtEnd: Bool { offset == bytes.count }

    var remainingCount: Int { bytes.count - offset }

    mutating func readByte() throws(SnapshotDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated.at(offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads an unsigned LEB128 varint of at most 10 bytes.
    mutating func readVarint() throws(SnapshotDecodingError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            // The tenth byte holds bit 63 alone.
            if shift == 63, byte > 1 { throw .malformedVarint.at(start) }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw .truncated.at(start)
    }

    mutating func readZigZag() throws(SnapshotDecodingError) -> Int64 {
        let encoded = try readVarint()
        return Int64(bitPattern: encoded >> 1) ^ -Int64(bitPattern: encoded & 1)
    }
}

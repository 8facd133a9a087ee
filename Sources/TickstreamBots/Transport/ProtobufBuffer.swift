import NIOCore
import SwiftProtobuf

/// A `ByteBuffer` that SwiftProtobuf serializes into and decodes from, so that a frame's payload needs no
/// intermediate `[UInt8]`, `Data` or `String`.
///
/// A serialized message starts ``headroom`` bytes into its storage, so that `WebSocketFrameEncoder` writes the frame
/// header in front of it, in the same buffer, rather than in a second write.
struct ProtobufBuffer: SwiftProtobufContiguousBytes {
    /// The longest client frame header: 2 bytes, a 64-bit length and a 4-byte masking key.
    static let headroom = 14

    var buffer: ByteBuffer

    /// Wraps `buffer` as it is, to decode from it.
    init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    init(repeating byte: UInt8, count: Int) {
        buffer = Self.allocate(count)
        buffer.writeRepeatingByte(byte, count: count)
    }

    init<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer = Self.allocate(bytes.underestimatedCount)
        buffer.writeBytes(bytes)
    }

    var count: Int { buffer.readableBytes }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeReadableBytes(body)
    }

    mutating func withUnsafeMutableBytes<Result>(_ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeMutableReadableBytes(body)
    }

    private static func allocate(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: headroom + count)
        buffer.moveWriterIndex(forwardBy: headroom)
        buffer.moveReaderIndex(forwardBy: headroom)
        return buffer
    }
}

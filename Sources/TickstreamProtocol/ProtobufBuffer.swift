package import NIOCore
import SwiftProtobuf

/// A `ByteBuffer` that SwiftProtobuf serializes into and decodes from, so that a frame's payload needs no
/// intermediate `[UInt8]`, `Data` or `String`.
///
/// A serialized message starts ``headroom`` bytes into its storage, so that NIO's `WebSocketFrameEncoder` can write
/// the frame header in front of it, in the same buffer, rather than in a second write. It can only when it holds the
/// buffer's one reference: it does for a bot's frame, whose masking copies the payload, never for the gateway's
/// unmasked frames, which the pipeline holds too. (Framing those in their headroom by hand made no difference that
/// `tools/bench-compare` could see at arena-100 or arena-500.)
package struct ProtobufBuffer: SwiftProtobufContiguousBytes {
    /// The longest frame header: a client's, 2 bytes, a 64-bit length and a 4-byte masking key (a server's has no key).
    package static let headroom = 14

    package var buffer: ByteBuffer

    /// Wraps `buffer` as it is, to decode from it.
    package init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// An empty buffer, to write into, with room for `capacity` bytes.
    package init(capacity: Int) {
        buffer = Self.allocate(capacity)
    }

    package init(repeating byte: UInt8, count: Int) {
        buffer = Self.allocate(count)
        buffer.writeRepeatingByte(byte, count: count)
    }

    package init<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        buffer = Self.allocate(bytes.underestimatedCount)
        buffer.writeBytes(bytes)
    }

    package var count: Int { buffer.readableBytes }

    package func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeReadableBytes(body)
    }

    package mutating func withUnsafeMutableBytes<Result>(_ body: (UnsafeMutableRawBufferPointer) throws -> Result) rethrows -> Result {
        try buffer.withUnsafeMutableReadableBytes(body)
    }

    private static func allocate(_ count: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: headroom + count)
        buffer.moveWriterIndex(forwardBy: headroom)
        buffer.moveReaderIndex(forwardBy: headroom)
        return buffer
    }
}

public import NIOCore
import CompressNIO

/// Inflates the messages one side of a WebSocket connection sent with permessage-deflate (RFC 7692): the gateway's
/// reader for a client's, a bot for the gateway's. Not thread-safe: one per connection, on its event loop.
public final class MessageInflater {
    private let decompressor: ZlibDecompressor
    /// The largest message it inflates.
    private let maxSize: Int
    private let resetsAfterEachMessage: Bool

    /// - Parameters:
    ///   - windowBits: The largest window the sender agreed to compress with, 9–15; the default, the largest, reads a
    ///     stream compressed with any window.
    ///   - resetsAfterEachMessage: The sender agreed to compress each message afresh (`*_no_context_takeover`).
    public init(maxSize: Int, windowBits: Int = 15, resetsAfterEachMessage: Bool) throws {
        precondition((9...15).contains(windowBits), "zlib inflates with a window of 9 to 15 bits")
        decompressor = try ZlibDecompressor(algorithm: .deflate, windowSize: Int32(windowBits))
        self.maxSize = maxSize
        self.resetsAfterEachMessage = resetsAfterEachMessage
    }

    /// The payload of the compressed message `data` (all its frames).
    ///
    /// - Throws: ``MessageInflaterError/tooLarge`` past ``maxSize``, ``MessageInflaterError/corrupt`` for data that does
    ///   not inflate.
    public func inflate(_ data: consuming ByteBuffer) throws(MessageInflaterError) -> ByteBuffer {
        // Consumed, so that the caller's last use of the buffer lets the tail below be written in place. The sender drops the empty stored block that ends each message (RFC 7692 7.2.1); inflating needs it.
        data.writeBytes([0x00, 0x00, 0xFF, 0xFF])
        let payload: ByteBuffer
        do {
            payload = try data.decompressStream(with: decompressor, maxSize: maxSize)
            if resetsAfterEachMessage {
                try decompressor.reset()
            }
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw .tooLarge
        } catch {
            throw .corrupt
        }
        // CompressNIO's bound is loose (its buffers round up to powers of two): it bounds the memory, this the size.
        guard payload.readableBytes <= maxSize else { throw .tooLarge }
        return payload
    }
}

/// Why a compressed message was refused.
public enum MessageInflaterError: Error, Equatable {
    /// It inflates past the size allowed.
    case tooLarge
    /// It does not inflate.
    case corrupt
}

public import NIOCore
import CompressNIO

/// Compresses the messages one side of a WebSocket connection sends with permessage-deflate (RFC 7692): the
/// gateway's writer for a client's batches, a bot for its own messages. Not thread-safe: one per connection, on its
/// event loop.
public final class MessageDeflater {
    /// zlib's fastest level. JSON clients at 100 players (`tickstream bots --json-protocol --deflate`, a fresh `serve
    /// --brokers` per run, 18 s): 52.3–52.8 KB/s per client and 6.5–7.6 s of server CPU uncompressed, 6.7–6.8 KB/s and
    /// 11.2–13.5 s at zlib's default level 6, 9.2 KB/s and 8.4–9.0 s at 1.
    private static let compressionLevel: Int32 = 1
    /// zlib's hash table and pending output take 2^(level + 9) bytes: 16 KiB, where the default (8) takes 128 KiB of
    /// every connection for no smaller messages (see ``PerMessageDeflate``'s window for the figures).
    private static let memoryLevel: Int32 = 5

    private let compressor: ZlibCompressor
    private let resetsAfterEachMessage: Bool

    /// - Parameters:
    ///   - windowBits: The window to compress with, 9–15: the receiver inflates with at least this window.
    ///   - resetsAfterEachMessage: Each message is compressed afresh (`*_no_context_takeover`).
    public init(windowBits: Int, resetsAfterEachMessage: Bool) throws {
        precondition((9...15).contains(windowBits), "zlib compresses with a window of 9 to 15 bits")
        compressor = try ZlibCompressor(
            algorithm: .deflate,
            configuration: ZlibConfiguration(
                windowSize: Int32(windowBits),
                compressionLevel: Self.compressionLevel,
                memoryLevel: Self.memoryLevel
            )
        )
        self.resetsAfterEachMessage = resetsAfterEachMessage
    }

    /// The compressed payload of one whole message, to be sent with RSV1 set.
    public func deflate(_ payload: ByteBuffer) throws -> ByteBuffer {
        var payload = payload
        var compressed = try payload.compressStream(with: compressor, flush: .sync)
        // A sync flush ends with an empty stored block, which the receiver adds back (RFC 7692 7.2.1).
        compressed.moveWriterIndex(to: compressed.writerIndex - 4)
        if resetsAfterEachMessage {
            try compressor.reset()
        }
        return compressed
    }
}

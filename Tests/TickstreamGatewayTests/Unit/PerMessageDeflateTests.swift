import Hummingbird
import NIOCore
import NIOWebSocket
import Testing
import TickstreamProtocol
@testable import TickstreamGateway

@Suite struct PerMessageDeflateTests {
    private static func offer(_ value: String) -> HTTPFields {
        [.secWebSocketExtensions: value]
    }

    @Test func aPlainOfferIsAcceptedAsItIs() {
        let deflate = PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits"))
        #expect(deflate == PerMessageDeflate())
        #expect(deflate?.responseHeader == "permessage-deflate")
    }

    @Test func theClientsTermsAreKeptAndEchoed() {
        let deflate = PerMessageDeflate.negotiate(
            Self.offer("permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")
        )
        #expect(deflate == PerMessageDeflate(clientNoContextTakeover: true, serverNoContextTakeover: true, serverMaxWindowBits: 10))
        #expect(
            deflate?.responseHeader
                == "permessage-deflate; client_no_context_takeover; server_no_context_takeover; server_max_window_bits=10"
        )
    }

    /// RFC 7692: an offer the server cannot honour is declined, and the next one considered.
    @Test func anOfferItCannotHonourIsDeclined() {
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; server_max_window_bits=8")) == nil)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; server_max_window_bits=16")) == nil)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; unknown_parameter")) == nil)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; server_no_context_takeover; server_no_context_takeover")) == nil)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_no_context_takeover=1")) == nil)
        // Malformed parameters are declined, not trusted (nor do they trap).
        for malformed in ["permessage-deflate; =", "permessage-deflate; ;  ; =15", "permessage-deflate; server_max_window_bits="] {
            #expect(PerMessageDeflate.negotiate(Self.offer(malformed)) == nil, "\(malformed)")
        }
        #expect(PerMessageDeflate.negotiate(Self.offer("x-webkit-deflate-frame")) == nil)
        #expect(PerMessageDeflate.negotiate([:]) == nil)
        let second = PerMessageDeflate.negotiate(
            Self.offer("permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover")
        )
        #expect(second == PerMessageDeflate(serverNoContextTakeover: true))
    }

    /// What the deflater writes, the inflater reads, message after message (the contexts carry over unless a side
    /// asked for fresh ones); small messages go uncompressed.
    @Test(arguments: [PerMessageDeflate(), PerMessageDeflate(clientNoContextTakeover: true, serverNoContextTakeover: true)])
    func messagesRoundTrip(deflate: PerMessageDeflate) throws {
        let deflater = try MessageDeflater(deflate)
        // An inflater that starts afresh after each message exactly when the deflater does.
        let inflater = try MessageInflater(maxSize: 1 << 14, resetsAfterEachMessage: deflate.serverNoContextTakeover)
        for round in 0..<3 {
            let text = String(repeating: "snapshot \(round) ", count: 60)
            let frame = try deflater.deflate(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)))
            #expect(frame.rsv1)
            #expect(frame.data.readableBytes < text.utf8.count / 4)
            #expect(String(buffer: try inflater.inflate(frame.data)) == text)
        }
        let small = try deflater.deflate(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3])))
        #expect(!small.rsv1 && small.data == ByteBuffer(bytes: [1, 2, 3]))
    }
}

extension PerMessageDeflateTests {
    @Test func aMessageInflatingPastTheLimitIsRefused() throws {
        let deflater = try MessageDeflater(PerMessageDeflate())
        let frame = try deflater.deflate(WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: String(repeating: " ", count: 20_000))))
        let inflater = try MessageInflater(maxSize: 1 << 14, resetsAfterEachMessage: false)
        #expect(throws: MessageInflaterError.tooLarge) { try inflater.inflate(frame.data) }
        #expect(throws: MessageInflaterError.corrupt) { try inflater.inflate(ByteBuffer(bytes: [1, 2, 3])) }
    }
}

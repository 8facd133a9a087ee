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
        let deflate = PerMessageDeflate.negotiate(Self.offer("permessage-deflate"))
        #expect(deflate == PerMessageDeflate())
        #expect(deflate?.responseHeader == "permessage-deflate")
    }

    /// Browsers offer `client_max_window_bits`: the gateway then chooses the client's window, or takes a smaller hint.
    @Test func aClientThatLetsTheGatewayChooseItsWindowIsGivenASmallOne() {
        let preferred = PerMessageDeflate.preferredClientWindowBits
        let chosen = PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits"))
        #expect(chosen == PerMessageDeflate(clientMaxWindowBits: preferred))
        #expect(chosen?.responseHeader == "permessage-deflate; client_max_window_bits=\(preferred)")
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits=15"))?.clientMaxWindowBits == preferred)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits=9"))?.clientMaxWindowBits == 9)
        #expect(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits=8"))?.clientMaxWindowBits == 8)
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
        let deflater = try deflate.makeDeflater()
        // An inflater that starts afresh after each message exactly when the deflater does.
        let inflater = try MessageInflater(maxSize: 1 << 14, resetsAfterEachMessage: deflate.serverNoContextTakeover)
        for round in 0..<3 {
            let text = String(repeating: "snapshot \(round) ", count: 60)
            let frame = try WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: text)).deflated(by: deflater)
            #expect(frame.rsv1)
            #expect(frame.data.readableBytes < text.utf8.count / 4)
            #expect(String(buffer: try inflater.inflate(frame.data)) == text)
        }
        let small = try WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [1, 2, 3])).deflated(by: deflater)
        #expect(!small.rsv1 && small.data == ByteBuffer(bytes: [1, 2, 3]))
    }
}

extension PerMessageDeflateTests {
    @Test func aMessageInflatingPastTheLimitIsRefused() throws {
        let deflater = try MessageDeflater(windowBits: 15, resetsAfterEachMessage: false)
        let compressed = try deflater.deflate(ByteBuffer(string: String(repeating: " ", count: 20_000)))
        let inflater = try MessageInflater(maxSize: 1 << 14, resetsAfterEachMessage: false)
        #expect(throws: MessageInflaterError.tooLarge) { try inflater.inflate(compressed) }
        #expect(throws: MessageInflaterError.corrupt) { try inflater.inflate(ByteBuffer(bytes: [1, 2, 3])) }
    }

    /// A client held to a small window is read with it; one that breaks the agreement and reaches further back does
    /// not inflate (the reader then closes with 1007).
    @Test func theClientsMessagesInflateWithTheWindowItAgreedTo() throws {
        let deflate = try #require(PerMessageDeflate.negotiate(Self.offer("permessage-deflate; client_max_window_bits")))
        // Random text then itself again: the second copy refers 2,000 bytes back, past a 1 KiB window.
        var random = SystemRandomNumberGenerator()
        let block = String((0..<2_000).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) })
        let keeping = try MessageDeflater(windowBits: deflate.clientMaxWindowBits, resetsAfterEachMessage: false)
        let inflater = try deflate.makeInflater(maxSize: 1 << 14)
        #expect(String(buffer: try inflater.inflate(keeping.deflate(ByteBuffer(string: block + block)))) == block + block)
        let breaking = try MessageDeflater(windowBits: 15, resetsAfterEachMessage: false)
        let tooFarBack = try breaking.deflate(ByteBuffer(string: block + block))
        #expect(throws: MessageInflaterError.corrupt) { try deflate.makeInflater(maxSize: 1 << 14).inflate(tooFarBack) }
    }
}

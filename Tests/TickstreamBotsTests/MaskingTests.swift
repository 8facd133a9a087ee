import NIOCore
import NIOWebSocket
import Testing

@testable import TickstreamBots

@Suite struct MaskingTests {
    @Test func keysFollowTheSeedAndVary() {
        var first = MaskingKeyGenerator(seed: 42)
        var second = MaskingKeyGenerator(seed: 42)
        let keys = (0..<64).map { _ in first.nextKey() }
        #expect(keys.map(\.bytes) == (0..<64).map { _ in second.nextKey().bytes })
        #expect(Set(keys.map(\.bytes)).count == 64)
        var other = MaskingKeyGenerator(seed: 43)
        #expect(other.nextKey().bytes != keys[0].bytes)
    }

    @Test func aZeroSeedStillProducesKeys() {
        var generator = MaskingKeyGenerator(seed: 0)
        #expect(generator.next() != 0)
        #expect(generator.next() != generator.next())
    }

    @Test func maskingWithAKeyAndUnmaskingRestoresThePayload() {
        var generator = MaskingKeyGenerator(seed: 7)
        let key = generator.nextKey()
        let payload = ByteBuffer(bytes: Array(0..<200))
        var masked = payload
        masked.webSocketMask(key)
        #expect(masked != payload)
        masked.webSocketUnmask(key)
        #expect(masked == payload)
    }
}

extension WebSocketMaskingKey {
    fileprivate var bytes: [UInt8] { Array(self) }
}

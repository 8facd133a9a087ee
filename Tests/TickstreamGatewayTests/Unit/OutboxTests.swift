import NIOWebSocket
import SwiftProtobuf
import Synchronization
import Testing
import TickstreamProtocol
@testable import TickstreamGateway

@Suite struct OutboxTests {
    func snapshot(_ tick: UInt64) throws -> ClientSnapshot {
        ClientSnapshot(shared: try SharedSnapshot(.with { $0.tick = tick }, format: .protobuf), lastAppliedSequence: tick)
    }

    @Test func everythingDueGoesInOneFlushWithTheNewestSnapshot() async throws {
        let outbox = Outbox(capacity: 8)
        outbox.send(.error(.notJoined, "a"))
        #expect(!outbox.sendSnapshot(try snapshot(1)))
        #expect(outbox.sendSnapshot(try snapshot(2)), "an undelivered snapshot is replaced")
        outbox.send(.error(.notJoined, "b"))
        let flush = await outbox.next()
        #expect(flush?.messages == [.error(.notJoined, "a"), .error(.notJoined, "b")])
        #expect(flush?.snapshot == (try snapshot(2)))
        #expect(flush?.close == nil)
    }

    @Test func aWaitingWriterWakesUp() async throws {
        let outbox = Outbox(capacity: 8)
        async let flush = outbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        outbox.sendSnapshot(try snapshot(3))
        #expect(await flush?.snapshot == (try snapshot(3)))
    }

    @Test func overflowClosesWith1008AndNothingMoreIsQueued() async {
        let outbox = Outbox(capacity: 2)
        #expect(outbox.send(.error(.notJoined, "1")))
        #expect(outbox.send(.error(.notJoined, "2")))
        #expect(!outbox.send(.error(.notJoined, "3")))
        #expect(outbox.send(.error(.notJoined, "4")), "ignored quietly once closing")
        let flush = await outbox.next()
        #expect(flush?.messages.count == 2)
        #expect(flush?.close?.code == .policyViolation)
        #expect(await outbox.next() == nil)
    }

    @Test func closeComesAfterWhatIsQueuedAndTheFirstCloseWins() async {
        let outbox = Outbox(capacity: 8)
        outbox.send(.error(.malformedMessage, "x"))
        outbox.close(.dataInconsistentWithMessage, reason: "bad")
        outbox.close(.goingAway, reason: "later")
        let flush = await outbox.next()
        #expect(flush?.messages == [.error(.malformedMessage, "x")])
        #expect(flush?.close == Outbox.Close(code: .dataInconsistentWithMessage, reason: "bad"))
        #expect(await outbox.next() == nil)
    }

    @Test func finishEndsAWaitingWriter() async {
        let outbox = Outbox(capacity: 8)
        async let flush = outbox.next()
        try? await Task.sleep(for: .milliseconds(20))
        outbox.finish()
        #expect(await flush == nil)
    }

    @Test func aHandlerIsWokenOnceForWhatArrivesAndTakesItItself() throws {
        let outbox = Outbox(capacity: 8)
        let wakeUps = Mutex(0)
        let wakeUp: @Sendable () -> Void = { wakeUps.withLock { $0 += 1 } }
        #expect(outbox.takeOrArm(wakeUp) == .armed)
        outbox.send(.error(.notJoined, "a"))
        outbox.sendSnapshot(try snapshot(1))
        #expect(wakeUps.withLock { $0 } == 1, "woken once, not once a message")
        #expect(outbox.takeOrArm(wakeUp) == .flush(Outbox.Flush(messages: [.error(.notJoined, "a")], snapshot: try snapshot(1))))
        #expect(outbox.takeOrArm(wakeUp) == .armed)
        outbox.finish()
        #expect(wakeUps.withLock { $0 } == 2, "finishing wakes it, to end")
        #expect(outbox.takeOrArm(wakeUp) == .finished)
    }
}

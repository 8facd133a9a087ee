import Foundation
import NIOWebSocket
import SwiftProtobuf
import Testing
import TickstreamArena
import TickstreamProtocol
@testable import TickstreamGateway

@Suite struct SessionStateMachineTests {
    let start = ContinuousClock.now

    func machine(_ limits: GatewayLimits = GatewayLimits()) -> SessionStateMachine {
        SessionStateMachine(identity: SessionIdentity(player: "p-1"), rules: ArenaRules(), limits: limits, now: start)
    }

    func join(_ room: String, resume: UInt64 = 0) -> ClientMessage {
        .with { $0.join = .with { $0.room = room; $0.lastAcknowledgedTick = resume } }
    }

    func input(_ sequence: UInt64, _ payload: [UInt8] = [1, 0]) -> ClientMessage {
        .with { $0.input = .with { $0.sequence = sequence; $0.payload = Data(payload) } }
    }

    func errorCode(_ action: SessionStateMachine.Action) -> ErrorCode? {
        switch action {
        case .reply(let message), .close(_, _, let message?):
            if case .error(let error) = message.message { return error.code }
            return nil
        default:
            return nil
        }
    }

    @Test func joinOfAValidRoomJoinsAndResumes() {
        var session = machine()
        #expect(session.received(join("room-1.a_B", resume: 42), at: start) == .join(room: "room-1.a_B", lastAcknowledgedTick: 42))
        #expect(session.room == "room-1.a_B")
    }

    @Test(arguments: ["", String(repeating: "x", count: 65), "has space", "slash/room", "émoji"])
    func invalidRoomNamesAreRefused(_ room: String) {
        var session = machine()
        #expect(errorCode(session.received(join(room), at: start)) == .invalidRoom)
        #expect(session.state == .connected)
    }

    @Test func aSecondJoinIsRefused() {
        var session = machine()
        _ = session.received(join("a"), at: start)
        #expect(errorCode(session.received(join("b"), at: start)) == .alreadyJoined)
        #expect(session.room == "a")
    }

    @Test func messagesThatNeedARoomAreRefusedBeforeJoining() {
        var session = machine()
        #expect(errorCode(session.received(input(1), at: start)) == .notJoined)
        #expect(errorCode(session.received(.with { $0.ack = .with { $0.tick = 3 } }, at: start)) == .notJoined)
        #expect(errorCode(session.received(.with { $0.relay = .with { $0.toPlayer = "x" } }, at: start)) == .notJoined)
        #expect(errorCode(session.received(.with { $0.leave = .init() }, at: start)) == .notJoined)
    }

    @Test func inputsNeedIncreasingSequencesAndValidPayloads() {
        var session = machine()
        _ = session.received(join("a"), at: start)
        guard case .produce(let room, .input(let produced)) = session.received(input(5), at: start) else {
            Issue.record("input not produced")
            return
        }
        #expect(room == "a")
        #expect(produced.sequence == 5)
        #expect(errorCode(session.received(input(5), at: start)) == .invalidInput)
        #expect(errorCode(session.received(input(4), at: start)) == .invalidInput)
        #expect(errorCode(session.received(input(6, [9, 9]), at: start)) == .invalidInput)
        guard case .produce = session.received(input(7), at: start) else {
            Issue.record("a later input is refused")
            return
        }
    }

    @Test func theInputRateIsLimitedAndSustainedFloodingCloses() {
        var session = machine(GatewayLimits(inputsPerSecond: 10, inputBurst: 5, throttleTolerance: 4))
        _ = session.received(join("a"), at: start)
        var sequence: UInt64 = 0
        for _ in 0..<5 {
            sequence += 1
            guard case .produce = session.received(input(sequence), at: start) else {
                Issue.record("burst input refused")
                return
            }
        }
        sequence += 1
        #expect(errorCode(session.received(input(sequence), at: start)) == .throttled)
        // A tenth of a second later one more token is there.
        sequence += 1
        guard case .produce = session.received(input(sequence), at: start + .milliseconds(100)) else {
            Issue.record("refilled input refused")
            return
        }
        var closed: SessionStateMachine.Action?
        for _ in 0..<10 {
            sequence += 1
            let action = session.received(input(sequence), at: start + .milliseconds(100))
            if case .close = action {
                closed = action
                break
            }
        }
        guard case .close(let code, _, let message) = closed else {
            Issue.record("flooding never closed")
            return
        }
        #expect(code == .policyViolation)
        #expect(message.map { errorCode(.reply($0)) } == .throttled)
        #expect(session.state == .closing(.init(room: "a")))
        #expect(session.received(input(sequence + 1), at: start) == .none)
        #expect(session.connectionEnded() == .init(room: "a"), "a closed connection still leaves its room")
    }

    @Test func malformedMessagesAreAnsweredThenClose() {
        var session = machine()
        #expect(errorCode(session.receivedMalformed("bad")) == .malformedMessage)
        #expect(errorCode(session.received(ClientMessage(), at: start)) == .malformedMessage)
        guard case .close(let code, _, let message?) = session.receivedMalformed("bad") else {
            Issue.record("third malformed message did not close")
            return
        }
        #expect(code == .dataInconsistentWithMessage)
        #expect(errorCode(.reply(message)) == .malformedMessage)
    }

    @Test func relaysAreLimited() {
        var session = machine(GatewayLimits(maxRelayPayload: 4, maxRelayKindLength: 3))
        _ = session.received(join("a"), at: start)
        func relay(to: String = "p-2", kind: String = "hi", payload: Int = 4) -> ClientMessage {
            .with { $0.relay = .with { $0.toPlayer = to; $0.kind = kind; $0.payload = Data(count: payload) } }
        }
        guard case .produce(_, .relay(let produced)) = session.received(relay(), at: start) else {
            Issue.record("relay not produced")
            return
        }
        #expect(produced.toPlayer == "p-2")
        #expect(errorCode(session.received(relay(payload: 5), at: start)) == .invalidRelay)
        #expect(errorCode(session.received(relay(kind: "long"), at: start)) == .invalidRelay)
        #expect(errorCode(session.received(relay(to: ""), at: start)) == .invalidRelay)
    }

    @Test func pingAckAndLeave() {
        var session = machine()
        #expect(session.received(.with { $0.ping = .with { $0.nonce = 7 } }, at: start) == .pong(nonce: 7))
        _ = session.received(join("a"), at: start)
        #expect(session.received(.with { $0.ack = .with { $0.tick = 9 } }, at: start) == .acknowledge(tick: 9))
        #expect(session.received(.with { $0.leave = .init() }, at: start) == .leave(room: "a"))
        #expect(session.state == .connected)
        #expect(session.received(join("b"), at: start) == .join(room: "b", lastAcknowledgedTick: 0))
    }

    @Test func aFailedJoinAllowsAnotherAndAClosedConnectionLeavesItsRoom() {
        var session = machine()
        _ = session.received(join("a"), at: start)
        session.joinFailed(room: "other")
        #expect(session.room == "a")
        session.joinFailed(room: "a")
        #expect(session.state == .connected)
        _ = session.received(join("b"), at: start)
        session.close()
        #expect(session.received(.with { $0.ping = .init() }, at: start) == .none)
        #expect(session.connectionEnded() == .init(room: "b"))
        #expect(session.state == .closed)
        #expect(session.connectionEnded() == nil)
    }
}

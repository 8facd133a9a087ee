import Foundation
import SwiftProtobuf
import Testing
import TickstreamAccess
import TickstreamArena
import TickstreamProtocol
@testable import TickstreamGateway

/// What a token lets a session do: its rooms, and spectating.
@Suite struct SessionAuthorizationTests {
    let start = ContinuousClock.now

    func machine(rooms: [RoomPattern] = ["arena-*"], role: AccessToken.Role = .player) -> SessionStateMachine {
        SessionStateMachine(identity: SessionIdentity(player: "ann", rooms: rooms, role: role), rules: ArenaRules(), limits: GatewayLimits(), now: start)
    }

    func join(_ room: String, spectate: Bool = false) -> ClientMessage {
        .with { $0.join = .with { $0.room = room; $0.spectate = spectate } }
    }

    func errorCode(_ action: SessionStateMachine.Action) -> ErrorCode? {
        if case .reply(let message) = action, case .error(let error) = message.message { error.code } else { nil }
    }

    @Test func aRoomTheTokenDoesNotAllowIsForbidden() {
        var session = machine()
        #expect(errorCode(session.received(join("lobby"), at: start)) == .forbidden)
        #expect(session.state == .connected, "the player may join another room")
        #expect(session.received(join("arena-1"), at: start) == .join(room: "arena-1", lastAcknowledgedTick: 0))
    }

    @Test func aSpectatorTokenMakesEveryJoinASpectate() {
        var session = machine(role: .spectator)
        #expect(session.received(join("arena-1"), at: start) == .watch(room: "arena-1", lastAcknowledgedTick: 0))
        #expect(session.state == .watching(room: "arena-1"))
    }

    @Test func aSpectatorSendsNoInputsOrRelays() {
        var session = machine()
        #expect(session.received(join("arena-1", spectate: true), at: start) == .watch(room: "arena-1", lastAcknowledgedTick: 0))
        let input = ClientMessage.with { $0.input = .with { $0.sequence = 1; $0.payload = Data([1, 0]) } }
        #expect(errorCode(session.received(input, at: start)) == .forbidden)
        let relay = ClientMessage.with { $0.relay = .with { $0.toPlayer = "bob"; $0.kind = "chat" } }
        #expect(errorCode(session.received(relay, at: start)) == .forbidden)
        #expect(session.received(.with { $0.ack = .with { $0.tick = 5 } }, at: start) == .acknowledge(tick: 5))
    }

    @Test func aSpectatorLeavesWithoutALeaveRecord() {
        var session = machine()
        _ = session.received(join("arena-1", spectate: true), at: start)
        #expect(session.received(.with { $0.leave = .init() }, at: start) == .unwatch(room: "arena-1"))
        _ = session.received(join("arena-2", spectate: true), at: start)
        session.close()
        #expect(session.connectionEnded() == .init(room: "arena-2", spectating: true))
    }
}

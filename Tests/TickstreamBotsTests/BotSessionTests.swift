import Foundation
import Testing
import TickstreamArena
import TickstreamBots
import TickstreamProtocol
import TickstreamRules
import TickstreamSnapshot

@Suite struct BotSessionTests {
    let origin = ContinuousClock.now
    let schema = ArenaSchema.schema

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { origin + .milliseconds(milliseconds) }

    func session(json: Bool = false, sendsInputs: Bool = true, windowStart: Int = 0) -> BotSession {
        BotSession(
            configuration: .init(
                room: "r",
                isJSON: json,
                sendsInputs: sendsInputs,
                window: MeasurementWindow(start: at(windowStart), end: at(100_000))
            )
        )
    }

    func table(x: Int64) -> EntityTable {
        EntityTable([
            Entity(id: 1, kind: ArenaSchema.Player.kind, fields: [x, 500, 0, 0, 0, 0, 0]),
            Entity(id: 2, kind: ArenaSchema.Pickup.kind, fields: [100, 100, 5]),
        ])
    }

    func batch(_ messages: ServerMessage.OneOf_Message...) -> ServerBatch {
        var batch = ServerBatch()
        batch.messages = messages.map { message in
            var server = ServerMessage()
            server.message = message
            return server
        }
        return batch
    }

    func snapshot(tick: UInt64, _ target: EntityTable, baseline: (tick: UInt64, table: EntityTable)? = nil, applied: UInt64 = 0)
        -> ServerMessage.OneOf_Message
    {
        var snapshot = ServerMessage.Snapshot()
        snapshot.tick = tick
        snapshot.lastAppliedSequence = applied
        snapshot.entityHash = target.entityHash
        if let baseline {
            snapshot.baselineTick = baseline.tick
            snapshot.payload = Data(
                SnapshotCodec.encodeDelta(from: baseline.table, baselineTick: baseline.tick, to: target, tick: tick, schema: schema)
            )
        } else {
            snapshot.payload = Data(SnapshotCodec.encodeKeyframe(target, schema: schema))
        }
        return .snapshot(snapshot)
    }

    func ackTick(_ message: ClientMessage?) -> UInt64? {
        if case .ack(let ack) = message?.message { ack.tick } else { nil }
    }

    @Test func joinsThenPlaysOnceWelcomed() {
        var bot = session()
        let join = bot.connected(at: at(0))
        guard case .join(let body) = join.message else { Issue.record("not a join"); return }
        #expect(body.room == "r")
        #expect(body.lastAcknowledgedTick == 0)
        #expect(bot.nextInput(at: at(1)) == nil, "no input before the welcome")
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(40))
        #expect(bot.phase == .playing)
        guard case .input(let input) = bot.nextInput(at: at(41))?.message else { Issue.record("no input"); return }
        #expect(input.sequence == 1)
        #expect(ArenaInput(payload: [UInt8](input.payload)) != nil)
    }

    @Test func aJoinLeftUnansweredIsAnErrorOnceForItsConnection() {
        var bot = session()
        _ = bot.connected(at: at(0))
        bot.joinDeadlinePassed(forConnectionOpenedAt: at(0))
        bot.joinDeadlinePassed(forConnectionOpenedAt: at(0))
        var counters = bot.takeMeasurements().counters
        #expect(counters.joinTimeouts == 1)
        #expect(counters.errorTotal == 1)

        // A welcomed connection, and the deadline of a connection that has since been replaced, count nothing.
        bot.disconnected(serverCloseCode: 1001)
        _ = bot.connected(at: at(20_000))
        bot.joinDeadlinePassed(forConnectionOpenedAt: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(20_040))
        bot.joinDeadlinePassed(forConnectionOpenedAt: at(20_000))
        counters = bot.takeMeasurements().counters
        #expect(counters.joinTimeouts == 0)
    }

    @Test func measuresInputToOwnStateAndAcknowledges() {
        var bot = session()
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        _ = bot.nextInput(at: at(100))  // 1
        _ = bot.nextInput(at: at(133))  // 2
        _ = bot.nextInput(at: at(166))  // 3
        let first = table(x: 100)
        let ack1 = bot.received(batch(snapshot(tick: 5, first, applied: 0)), size: 50, at: at(120))
        #expect(ackTick(ack1) == 5)
        let second = table(x: 110)
        let ack2 = bot.received(batch(snapshot(tick: 6, second, baseline: (5, first), applied: 2)), size: 20, at: at(150))
        #expect(ackTick(ack2) == nil, "a playing bot's acknowledgement rides on its next input")
        guard case .input(let input) = bot.nextInput(at: at(160))?.message else { Issue.record("no input"); return }
        #expect(input.ackTick == 6)
        guard case .input(let later) = bot.nextInput(at: at(190))?.message else { Issue.record("no input"); return }
        #expect(later.ackTick == 0, "each tick is acknowledged once")
        // With no input to carry them, acknowledgements go on their own once the server's baseline is 3 ticks old.
        #expect(ackTick(bot.received(batch(snapshot(tick: 7, second, baseline: (6, second), applied: 2)), size: 20, at: at(200))) == nil)
        #expect(ackTick(bot.received(batch(snapshot(tick: 8, second, baseline: (7, second), applied: 2)), size: 20, at: at(233))) == nil)
        #expect(ackTick(bot.received(batch(snapshot(tick: 9, second, baseline: (8, second), applied: 2)), size: 20, at: at(266))) == 9)
        let measured = bot.takeMeasurements()
        #expect(measured.latencies == [50_000, 17_000])
        #expect(measured.firstSnapshots == [120_000])
        #expect(measured.counters.keyframes == 1)
        #expect(measured.counters.deltas == 4)
        #expect(measured.counters.windowBytes == 140)
        #expect(measured.counters.errorTotal == 0)
        #expect(bot.takeMeasurements().latencies.isEmpty, "handed over once")
    }

    @Test func inputsSentBeforeTheWindowAreNotMeasured() {
        var bot = session(windowStart: 200)
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        _ = bot.nextInput(at: at(150))
        _ = bot.nextInput(at: at(210))
        _ = bot.received(batch(snapshot(tick: 5, table(x: 1), applied: 2)), size: 50, at: at(230))
        let measured = bot.takeMeasurements()
        #expect(measured.latencies == [20_000])
        #expect(measured.latenciesOutsideWindow == [80_000])
    }

    @Test func aWrongHashAndAMissingBaselineAreErrors() {
        var bot = session()
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        guard case .snapshot(var wrong) = snapshot(tick: 5, table(x: 1)) else { return }
        wrong.entityHash ^= 1
        #expect(bot.received(batch(.snapshot(wrong)), size: 50, at: at(20)) == nil, "no ack for a state that did not check out")
        let orphan = snapshot(tick: 9, table(x: 2), baseline: (8, table(x: 1)))
        #expect(bot.received(batch(orphan), size: 20, at: at(30)) == nil)
        let counters = bot.takeMeasurements().counters
        #expect(counters.hashMismatches == 1)
        #expect(counters.missingBaselines == 1)
        #expect(counters.errorTotal == 2)
    }

    /// A delta against tick 6 tells that the server has the ack of 6: the states before it are dropped, and a delta
    /// against one of them would find no baseline.
    @Test func theStatesBeforeTheLatestDeltasBaselineAreDropped() {
        var bot = session()
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        _ = bot.received(batch(snapshot(tick: 5, table(x: 1))), size: 50, at: at(20))
        _ = bot.received(batch(snapshot(tick: 6, table(x: 2), baseline: (5, table(x: 1)))), size: 20, at: at(30))
        _ = bot.received(batch(snapshot(tick: 7, table(x: 3), baseline: (6, table(x: 2)))), size: 20, at: at(40))
        _ = bot.received(batch(snapshot(tick: 8, table(x: 4), baseline: (6, table(x: 2)))), size: 20, at: at(50))
        #expect(bot.takeMeasurements().counters.errorTotal == 0, "6 is kept while it is the latest delta's baseline")
        _ = bot.received(batch(snapshot(tick: 9, table(x: 5), baseline: (5, table(x: 1)))), size: 20, at: at(60))
        #expect(bot.takeMeasurements().counters.missingBaselines == 1)
    }

    @Test func errorsAreCountedByCode() {
        var bot = session()
        _ = bot.connected(at: at(0))
        var error = ServerMessage.Error()
        error.code = .throttled
        _ = bot.received(batch(.error(error), .error(error)), size: 10, at: at(10))
        #expect(bot.takeMeasurements().counters.errors == [ErrorCode.throttled.rawValue: 2])
    }

    @Test func aDroppedConnectionResumesFromTheLastAcknowledgedTick() {
        var bot = session()
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        let state = table(x: 100)
        _ = bot.received(batch(snapshot(tick: 40, state)), size: 50, at: at(20))
        _ = bot.nextInput(at: at(30))
        bot.disconnected(serverCloseCode: 1011)
        #expect(bot.phase == .disconnected)
        guard case .join(let join) = bot.connected(at: at(1_000)).message else { Issue.record("not a join"); return }
        #expect(join.lastAcknowledgedTick == 40)
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(1_030))
        #expect(ackTick(bot.received(batch(snapshot(tick: 70, table(x: 130), baseline: (40, state))), size: 20, at: at(1_040))) == 70)
        guard case .input(let input) = bot.nextInput(at: at(1_050))?.message else { Issue.record("no input"); return }
        #expect(input.sequence == 1, "a new connection is a new player: its sequence starts again")
        let counters = bot.takeMeasurements().counters
        #expect(counters.resumes == 1)
        #expect(counters.resumedWithDelta == 1)
        #expect(counters.inputsLost == 1)
        #expect(counters.serverCloses == [1011: 1])
        #expect(counters.errorTotal == 0)
    }

    @Test func aPlayerWhoLeftJoinsAfresh() {
        var bot = session()
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init()), snapshot(tick: 40, table(x: 1))), size: 60, at: at(10))
        bot.disconnected(serverCloseCode: nil)
        bot.forget()
        guard case .join(let join) = bot.connected(at: at(100)).message else { Issue.record("not a join"); return }
        #expect(join.lastAcknowledgedTick == 0)
        #expect(bot.takeMeasurements().counters.inputsLost == 0)
    }

    @Test func aSpectatorNeverSendsInputs() {
        var bot = session(sendsInputs: false)
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        #expect(bot.nextInput(at: at(20)) == nil)
        #expect(ackTick(bot.received(batch(snapshot(tick: 3, table(x: 1))), size: 50, at: at(30))) == 3)
    }

    /// An input due while the loop ran a whole interval late counts as skipped: for a player in the room only.
    @Test func anInputTheLoopRanTooLateForCountsAsSkipped() {
        var player = session()
        _ = player.connected(at: at(0))
        player.skipInput()  // not in the room yet: no input was due
        _ = player.received(batch(.welcome(.init())), size: 10, at: at(10))
        player.skipInput()
        #expect(player.takeMeasurements().counters.inputsSkipped == 1)

        var spectator = session(sendsInputs: false)
        _ = spectator.connected(at: at(0))
        _ = spectator.received(batch(.welcome(.init())), size: 10, at: at(10))
        spectator.skipInput()
        #expect(spectator.takeMeasurements().counters.inputsSkipped == 0)
    }

    @Test func jsonEntitiesApplyOnTheirBaseline() {
        var bot = session(json: true)
        _ = bot.connected(at: at(0))
        _ = bot.received(batch(.welcome(.init())), size: 10, at: at(10))
        let first = table(x: 100)
        var keyframe = ServerMessage.Snapshot()
        keyframe.tick = 5
        keyframe.entityHash = first.entityHash
        keyframe.entities = first.map(entityState)
        #expect(ackTick(bot.received(batch(.snapshot(keyframe)), size: 300, at: at(20))) == 5)

        var second = first
        _ = second.update(1) { $0.fields[ArenaSchema.Player.x] = 120 }
        _ = second.remove(2)
        var delta = ServerMessage.Snapshot()
        delta.tick = 6
        delta.baselineTick = 5
        delta.entityHash = second.entityHash
        var changed = ServerMessage.EntityState()
        changed.id = 1
        changed.kind = "player"
        changed.fields = ["x": 120]
        delta.entities = [changed]
        delta.removed = [2]
        _ = bot.received(batch(.snapshot(delta)), size: 80, at: at(50))
        #expect(bot.acknowledgedTick == 6, "the delta applied on its baseline")
        #expect(bot.takeMeasurements().counters.errorTotal == 0)
    }

    private func entityState(_ entity: Entity) -> ServerMessage.EntityState {
        var state = ServerMessage.EntityState()
        state.id = entity.id
        let kind = schema.kinds[Int(entity.kind)]
        state.kind = kind.name
        for (field, value) in zip(kind.fields, entity.fields) {
            state.fields[field.name] = value
        }
        return state
    }
}

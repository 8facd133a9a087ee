import Testing
import TickstreamBots

@Suite struct ScenarioScheduleTests {
    func schedule(_ scenario: BotScenario, players: Int = 500, rooms: Int = 20) -> ScenarioSchedule {
        ScenarioSchedule(
            scenario: scenario,
            players: players,
            rooms: rooms,
            roomPrefix: "t",
            warmup: .seconds(5),
            duration: .seconds(30)
        )
    }

    @Test func steadyFillsEveryRoomEquallyAndConnectsWithinTheRamp() {
        let plans = schedule(.steady).plans()
        #expect(plans.count == 500)
        let perRoom = Dictionary(grouping: plans, by: \.room).mapValues(\.count)
        #expect(perRoom.count == 20)
        #expect(perRoom.values.allSatisfy { $0 == 25 })
        #expect(plans.allSatisfy { $0.role == .player && $0.interruptions.isEmpty })
        #expect(zip(plans, plans.dropFirst()).allSatisfy { $0.connectAt <= $1.connectAt })
        #expect(plans.last!.connectAt < .seconds(2))
    }

    @Test func unevenRoomsDifferByOneAtMost() {
        let counts = Dictionary(grouping: schedule(.steady, players: 10, rooms: 3).plans(), by: \.room).values.map(\.count)
        #expect(counts.max()! - counts.min()! <= 1)
        #expect(counts.reduce(0, +) == 10)
    }

    @Test func spectatorsAreSpreadOverEveryRoom() {
        let plans = schedule(.spectators(fraction: 0.2)).plans()
        let spectators = plans.filter { $0.role == .spectator }
        #expect(spectators.count == 100)
        let perRoom = Dictionary(grouping: spectators, by: \.room).mapValues(\.count)
        #expect(perRoom.count == 20)
        #expect(perRoom.values.allSatisfy { $0 == 5 })
        #expect(spectators.allSatisfy { !$0.sendsInputs })
    }

    @Test func slowReaders() {
        let slow = schedule(.slow(fraction: 0.1)).plans().filter { $0.role == .slowReader }
        #expect(slow.count == 50)
        // 2.5 of each 25: the rooms take 2 and 3 in turn.
        #expect(Dictionary(grouping: slow, by: \.room).values.map(\.count).sorted() == Array(repeating: 2, count: 10) + Array(repeating: 3, count: 10))
    }

    /// The fraction is of all players, not of each room rounded down: a quarter of 12 in 2 rooms is 3, spread over
    /// both rooms; and a fraction of 1 takes every bot, even in uneven rooms.
    @Test func theFractionIsOfAllPlayers() {
        let spectators = schedule(.spectators(fraction: 0.25), players: 12, rooms: 2).plans().filter { $0.role == .spectator }
        #expect(spectators.map(\.index) == [3, 7, 11])
        #expect(Set(spectators.map(\.room)) == ["t-0", "t-1"])
        #expect(schedule(.spectators(fraction: 1.0 / 3), players: 12, rooms: 2).plans().count { $0.role == .spectator } == 4)
        #expect(schedule(.slow(fraction: 1), players: 10, rooms: 3).plans().allSatisfy { $0.role == .slowReader })
    }

    @Test func abusiveKindsTakeTurns() {
        let abusive = schedule(.abusive(fraction: 0.12)).plans().compactMap { plan -> AbuseKind? in
            if case .abusive(let kind) = plan.role { kind } else { nil }
        }
        #expect(abusive.count == 60)
        let counts = Dictionary(grouping: abusive, by: \.self).mapValues(\.count)
        #expect(Set(counts.keys) == Set(AbuseKind.allCases))
        #expect(counts.values.allSatisfy { $0 == 20 })
        // Even two abusive bots try two different kinds.
        let few = schedule(.abusive(fraction: 0.05), players: 40, rooms: 2).plans().compactMap { plan -> AbuseKind? in
            if case .abusive(let kind) = plan.role { kind } else { nil }
        }
        #expect(few == [.malformed, .oversized])
    }

    @Test func aReconnectStormDropsTheFractionAtOnceInTheMiddle() {
        let plans = schedule(.reconnect(fraction: 0.2)).plans()
        let dropped = plans.filter { !$0.interruptions.isEmpty }
        #expect(dropped.count == 100)
        for plan in dropped {
            #expect(plan.interruptions.count == 1)
            let drop = plan.interruptions[0]
            #expect(drop.kind == .drop)
            #expect(drop.at >= .seconds(20) && drop.at < .milliseconds(20_100))
        }
    }

    @Test func churnSpreadsLeavesEvenlyOverTheMeasurement() {
        let plans = schedule(.churn(fraction: 0.02)).plans()
        let leaves = plans.flatMap(\.interruptions)
        #expect(leaves.count == 300)  // 2 % of 500 per second, for 30 s
        #expect(leaves.allSatisfy { $0.kind == .leave && $0.at >= .seconds(5) && $0.at < .seconds(35) })
        // Every player takes its turn before any takes a second one, and rooms take turns.
        #expect(plans.allSatisfy { $0.interruptions.count <= 1 })
        let firstTen = plans.filter { plan in plan.interruptions.contains { $0.at < .seconds(6) } }
        #expect(Set(firstTen.map(\.room)).count == 10)
    }

    @Test func fastChurnStillLeavesTimeToComeBack() {
        let plans = schedule(.churn(fraction: 0.5), players: 20, rooms: 2).plans()
        for plan in plans {
            for (earlier, later) in zip(plan.interruptions, plan.interruptions.dropFirst()) {
                #expect(earlier.at + earlier.pause < later.at)
            }
        }
    }

    @Test func scenariosByName() {
        #expect(BotScenario.named("steady") == .steady)
        #expect(BotScenario.named("churn", fraction: 0.1) == .churn(fraction: 0.1))
        #expect(BotScenario.named("reconnect") == .reconnect())
        #expect(BotScenario.named("nope") == nil)
    }
}

import SwiftProtobuf
import Testing
import TickstreamAccess
import TickstreamBots
import TickstreamGateway
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting

/// `tickstream bots` against the real pipeline (embedded Kafka, worker, gateway), one scenario each: what its report
/// says must be what the scenario did, and the well-behaved players must see no error.
///
/// One after another, and in `tools/test` after the rest of the suite: six pipelines with their bots at once left a
/// 2-core machine so busy that players waited seconds for their first state, and even one at a time beside the rest
/// made its timing-sensitive tests fail.
@Suite(.serialized) struct BotsEndToEndTests {
    static let players = 12

    /// The secret of the gateways that require tokens here.
    static let authority = try! TokenAuthority(secret: Array("the bots' test secret, thirty-two bytes or more".utf8))

    /// What a run did: the bots' plans and report, and the players of the join records it left in the inputs topic.
    struct Outcome {
        var plans: [BotPlan]
        var report: BotReport
        var joins: [String]
        var roomPrefix: String
    }

    /// Runs `scenario` for a short while against a fresh pipeline.
    ///
    /// - Parameter secured: the gateway lets no one in without a token signed with ``authority``.
    private func run(
        _ scenario: BotScenario,
        duration: Duration = .seconds(3),
        secured: Bool = false,
        credentials: BotCredentials = .none
    ) async throws -> Outcome {
        var outcome: Outcome?
        let configure: (inout GatewayConfiguration) -> Void = { configuration in
            guard secured else { return }
            configuration.allowAnonymous = false
            configuration.tokens = Self.authority
        }
        try await GatewayHarness.run(configure: configure) { harness in
            let roomPrefix = "bots-\(harness.cluster.topics.prefix)"
            let configuration = BotConfiguration(
                url: harness.url,
                players: Self.players,
                rooms: 2,
                duration: duration,
                // Long enough for the worker to join its group on the embedded cluster (about 3 s) before the window.
                warmup: .seconds(4),
                scenario: scenario,
                roomPrefix: roomPrefix,
                credentials: credentials
            )
            let runner = BotRunner(configuration: configuration, logger: GatewayHarness.logger)
            let report = try await runner.run(progress: false)
            var joins: [String] = []
            for record in try await harness.cluster.records(of: harness.cluster.topics.inputs) {
                let input = try InputRecord(serializedBytes: record.value)
                if case .join = input.action { joins.append(input.player) }
            }
            outcome = Outcome(plans: runner.plans, report: report, joins: joins, roomPrefix: roomPrefix)
        }
        return try #require(outcome)
    }

    /// What every scenario's report shows: inputs measured end to end, the bots' own loop lag measured, and no
    /// error for a well-behaved player.
    private func expectPlayed(_ report: BotReport) {
        #expect(report.errors.total == 0, "\(report.errors)")
        #expect(report.latencyMs.count > 0)
        #expect(report.totals.snapshots > 0)
        #expect(report.loopLagMs.count > 0, "the loops' input ticks inside the window are timed")
        #expect(report.clientSecondsPlayed > 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func steadyPlayersAllPlayTheWholeWindow() async throws {
        let report = try await run(.steady).report
        expectPlayed(report)
        #expect(report.totals.connects == Self.players)
        #expect(report.totals.welcomes == Self.players)
        // Out of 12 players × 3 s: most of it, even when a machine busy with the rest of the suite lets them in late.
        #expect(report.clientSecondsPlayed > Double(Self.players) * 3 * 0.5)
        #expect(report.totals.inputsLost == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func churningPlayersLeaveAndNewOnesJoin() async throws {
        let report = try await run(.churn(fraction: 0.2)).report
        expectPlayed(report)
        #expect(report.totals.connects > Self.players, "replacements connected")
        #expect(report.totals.welcomes > Self.players, "and were let in")
    }

    @Test(.timeLimit(.minutes(2)))
    func droppedPlayersResumeFromTheirLastAcknowledgedTick() async throws {
        // The storm comes halfway through; the players it drops then have 3 s to resume, on a machine busy with
        // the rest of the suite.
        let outcome = try await run(.reconnect(fraction: 1.0 / 3), duration: .seconds(6))
        let (plans, report) = (outcome.plans, outcome.report)
        expectPlayed(report)
        let dropping = plans.count { !$0.interruptions.isEmpty }
        #expect(dropping == 4, "a third of 12")
        #expect(report.totals.resumes == dropping)
        #expect(report.totals.resumedWithDelta + report.totals.resumedWithKeyframe == report.totals.resumes)
    }

    @Test(.timeLimit(.minutes(2)))
    func slowReadersDoNotKeepTheOthersWaiting() async throws {
        let report = try await run(.slow(fraction: 1.0 / 3)).report
        // The slow readers' own latencies are left out: those measured are the other players', still served.
        expectPlayed(report)
    }

    /// That a spectator sends no input is `BotSessionTests.aSpectatorNeverSendsInputs`; here, that the gateway lets
    /// idle players in and serves them beside the others.
    @Test(.timeLimit(.minutes(2)))
    func spectatorsAreLetInBesideThePlayers() async throws {
        let report = try await run(.spectators(fraction: 1.0 / 3)).report
        expectPlayed(report)
        #expect(report.totals.welcomes == Self.players)
    }

    @Test(.timeLimit(.minutes(2)))
    func abusiveConnectionsAreAnsweredWithTheirCloseCodesAndTheOthersPlayOn() async throws {
        let outcome = try await run(.abusive(fraction: 1.0 / 3))
        let (plans, report) = (outcome.plans, outcome.report)
        expectPlayed(report)
        let abuse = try #require(report.abuse)
        let kinds = plans.compactMap { if case .abusive(let kind) = $0.role { kind } else { nil } }
        #expect(Set(kinds) == Set(AbuseKind.allCases), "four abusive bots, the kinds in turn")
        for kind in AbuseKind.allCases {
            let attempts = abuse.attempts[kind.rawValue] ?? 0
            let answered = abuse.answered[kind.rawValue] ?? 0
            #expect(attempts > 0, "\(kind) tried")
            // The run may end during an attempt; every other one was answered with the code the protocol promises.
            #expect(answered >= attempts - 1 && answered > 0, "\(kind): \(answered) of \(attempts) answered")
        }
    }

    /// Against a gateway that requires tokens, each bot presents one of its own: every join is a player's first, and
    /// each player who takes a leaver's place is a new one. (Sharing one token, the bots were all one player.)
    @Test(.timeLimit(.minutes(2)))
    func withTheGatewaysSecretEachBotPlaysAsAPlayerOfItsOwn() async throws {
        let outcome = try await run(.churn(fraction: 0.2), secured: true, credentials: .minted(Self.authority))
        expectPlayed(outcome.report)
        #expect(outcome.report.totals.connectFailures == 0)
        #expect(Set(outcome.joins).count == outcome.joins.count, "no player joined twice: \(outcome.joins.sorted())")
        #expect(outcome.joins.count > Self.players, "the replacements joined")
        for index in 0..<Self.players {
            #expect(outcome.joins.contains(BotCredentials.player(roomPrefix: outcome.roomPrefix, bot: index)))
        }
        #expect(outcome.joins.contains(BotCredentials.player(roomPrefix: outcome.roomPrefix, bot: 0, generation: 1)), "the first to leave was replaced")
    }

    /// Without a token such a gateway refuses the bots before the upgrade, and the report says so.
    @Test(.timeLimit(.minutes(2)))
    func withoutTokensASecuredGatewayRefusesEveryConnection() async throws {
        let outcome = try await run(.steady, secured: true)
        #expect(outcome.report.totals.connectFailures > 0)
        #expect(outcome.report.totals.welcomes == 0)
        #expect(outcome.joins.isEmpty)
    }
}

import Foundation
import NIOWebSocket
import TickstreamKafka
import TickstreamRules
import WSCore
import Logging
import ServiceLifecycle
import SwiftProtobuf
import Testing
import TickstreamAccess
import TickstreamArena
import TickstreamGateway
import TickstreamProtocol
import TickstreamSimulation
import TickstreamTesting

/// Faults the pipeline survives, each printing what became of the players' inputs. A worker stopped mid-match is
/// covered by `FailoverTests` (TickstreamSimulationTests).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FaultTests {
    /// Whether `deadline` has passed.
    static func past(_ deadline: ContinuousClock.Instant) -> @Sendable () -> Bool {
        { ContinuousClock.now >= deadline }
    }

    @Test
    func aBrokerDownForFiveSecondsLosesNoAcknowledgedInput() async throws {
        // Inputs the broker cannot take within 2 s are refused with UNAVAILABLE: that is how clients learn of the outage.
        try await GatewayHarness.run(configure: { $0.deliveryTimeout = .seconds(2) }) { harness in
            let drivers = Locked<[String: InputDriver]>([:])
            let stop = Locked(false)
            var recovery: [String: UInt64] = [:]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        _ = try await TestClient.connect(harness.url) { client in
                            client.send(.join("outage"))
                            let welcome = try await client.next { $0.welcomeMessage }
                            let driver = InputDriver(client)
                            drivers.withLock { $0[welcome.playerID] = driver }
                            await driver.run(until: { stop.withLock { $0 } })
                        }
                    }
                }
                // The outage starts once both players play: their inputs are being applied.
                try await withTimeout(.seconds(60)) {
                    while drivers.withLock({ $0.count < 2 || $0.values.contains { $0.current.lastApplied == 0 } }) {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                try harness.cluster.cluster.setBrokerDown(1)
                print("broker 1 down")
                try await Task.sleep(for: .seconds(5))
                try harness.cluster.cluster.setBrokerUp(1)
                let sentBeforeRecovery = drivers.withLock { $0.mapValues(\.current.sent) }
                print("broker 1 up")
                try await Task.sleep(for: .seconds(6))
                stop.withLock { $0 = true }
                try await group.waitForAll()
                recovery = sentBeforeRecovery
            }
            let final = drivers.withLock { $0 }
            let sent = final.values.reduce(0) { $0 + Int($1.current.sent) }
            let unavailable = final.values.reduce(0) { $0 + ($1.current.errors[.unavailable] ?? 0) }
            let audit = try await InputAudit.audit(players: Array(final.keys), sent: sent, cluster: harness.cluster)
            print("broker down 5 s: \(audit); UNAVAILABLE answers \(unavailable); errors \(final.values.map(\.current.errors))")
            #expect(unavailable > 0, "the clients were told of the outage")
            #expect(audit.lost == 0)
            // Inputs sent while Kafka was away may be refused (UNAVAILABLE, or THROTTLED when the backlog arrives at
            // once); what recovery means is that inputs sent after it are logged again and reach their senders.
            for (player, driver) in final {
                let newest = audit.newestAcknowledged[player] ?? 0
                #expect(newest > recovery[player] ?? .max, "\(player): inputs sent after the broker returned were acknowledged")
                #expect(driver.current.lastApplied >= newest, "\(player): its newest acknowledged input came back applied")
            }
        }
    }

    @Test func aClientThatNeverReadsIsCutOffWhileTheRoomPlaysOn() async throws {
        try await GatewayHarness.run(configure: { $0.limits.writeTimeout = .seconds(2) }) { harness in
            _ = try await TestClient.connect(harness.url) { ann in
                ann.send(.join("stall"))
                let welcome = try await ann.next { $0.welcomeMessage }
                let cutOff = Locked(false)
                let driver = InputDriver(ann)
                async let plays: Void = driver.run(until: { cutOff.withLock { $0 } })
                let stalled = try await NeverReadingClient.connect(port: harness.port, joining: "stall")
                let connected = ContinuousClock.now
                let snapshotsBefore = driver.current.snapshots
                // Its keyframes (it acknowledges none) fill the socket buffers, at the pace of a small room's snapshots;
                // then one write waits past the 2 s write timeout and the gateway resets the connection, which closes
                // it on the client's side too, though the client never reads.
                try await withTimeout(.seconds(60)) { try await stalled.closed() }
                let stalledFor = connected.duration(to: .now)
                let snapshotsWhileStalled = driver.current.snapshots - snapshotsBefore
                // The other player goes on for a second, to show that the room still applies its inputs.
                try await Task.sleep(for: .seconds(1))
                cutOff.withLock { $0 = true }
                await plays
                let audit = try await InputAudit.audit(players: [welcome.playerID], sent: Int(driver.current.sent), cluster: harness.cluster)
                let drops = try await harness.cluster.records(of: harness.cluster.topics.inputs).count { record in
                    guard let input = try? InputRecord(serializedBytes: record.value), input.player != welcome.playerID,
                        case .leave(let leave) = input.action
                    else { return false }
                    return leave.dropped
                }
                print(
                    "never-reading client: reset after \(stalledFor); "
                        + "the other player: \(audit), \(snapshotsWhileStalled) snapshots meanwhile"
                )
                #expect(drops == 1, "its player left the room when it was cut off")
                #expect(audit.lost == 0)
                #expect(driver.current.lastApplied == driver.current.sent)
                let stalledTicks = Int(stalledFor / .milliseconds(33))
                #expect(snapshotsWhileStalled >= stalledTicks / 2, "the room went on ticking for the other player")
            }
        }
    }

    @Test func aStoppedGatewaysClientsResumeOnAnother() async throws {
        try await TwoGateways.run { pipeline in
            let secret = pipeline.authority
            let now = Int64(Date().timeIntervalSince1970)
            let token = { @Sendable (player: String) in
                secret.sign(AccessToken(player: player, rooms: ["*"], expiresAt: now + 600, issuedAt: now))
            }
            // Bob stays on gateway B, so that B follows the room and keeps its recent ticks.
            _ = try await TestClient.connect(pipeline.urlB + "?token=" + token("bob")) { bob in
                bob.send(.join("handover"))
                _ = try await bob.next { $0.welcomeMessage }
                let bobDriver = InputDriver(bob)
                async let bobPlays: Void = bobDriver.run(until: Self.past(.now + .seconds(8)))

                let (first, close) = try await TestClient.connect(pipeline.urlA + "?token=" + token("ann")) { ann in
                    ann.send(.join("handover"))
                    _ = try await ann.next { $0.welcomeMessage }
                    let driver = InputDriver(ann)
                    await driver.run(until: Self.past(.now + .seconds(2)), finally: { await pipeline.stopA() })
                    return driver.current
                }
                #expect(close?.closeCode == .goingAway)
                let (second, resumedFrom) = try await TestClient.connect(pipeline.urlB + "?token=" + token("ann")) { ann in
                    // The last tick ann acknowledged: the newest she applied (each snapshot was acknowledged).
                    ann.send(.join("handover", resume: first.lastAcknowledgedTick))
                    let welcome = try await ann.next { $0.welcomeMessage }
                    #expect(welcome.playerID == "ann")
                    let snapshot = try await ann.next { $0.snapshotMessage }
                    let driver = InputDriver(ann, firstSequence: first.sent + 1)
                    await driver.run(until: Self.past(.now + .seconds(2)))
                    return (driver.current, snapshot.baselineTick)
                }.0
                #expect(resumedFrom == first.lastAcknowledgedTick, "the first snapshot on B is a delta from ann's last tick")
                await bobPlays
                let sent = Int(second.sent) + Int(bobDriver.current.sent)
                let audit = try await InputAudit.audit(players: ["ann", "bob"], sent: sent, cluster: pipeline.cluster)
                print("gateway stopped: \(audit); ann resumed on B from tick \(first.lastAcknowledgedTick) with input \(first.sent + 1)")
                #expect(audit.lost == 0)
                #expect(second.lastApplied == second.sent)
            }
        }
    }
}

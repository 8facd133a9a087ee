import Foundation
import NIOWebSocket
import TickstreamKafka
import TickstreamRules
import WSCore
import NIOCore
import NIOSSL
import SwiftProtobuf
import Testing
import TickstreamAccess
import TickstreamArena
import TickstreamGateway
import TickstreamProtocol
import TickstreamTesting
import WSClient

/// Tokens, spectators, origins and TLS against the real pipeline.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct SecurityEndToEndTests {
    static let secret = Array("a test secret of at least thirty-two bytes".utf8)
    static let authority = try! TokenAuthority(secret: secret)
    static let east = ArenaInput(heading: .east).payload

    static func token(
        _ player: String,
        rooms: [RoomPattern] = ["arena-*"],
        role: AccessToken.Role = .player,
        ttl: Int64 = 600,
        authority: TokenAuthority = authority
    ) -> String {
        let now = Int64(Date().timeIntervalSince1970)
        return authority.sign(AccessToken(player: player, rooms: rooms, role: role, expiresAt: now + ttl, issuedAt: now))
    }

    static func secured(_ configuration: inout GatewayConfiguration) {
        configuration.allowAnonymous = false
        configuration.tokens = authority
    }

    @Test func missingForgedExpiredAndUnsignedTokensAreRefusedBeforeTheUpgrade() async throws {
        try await GatewayHarness.run(configure: Self.secured) { harness in
            let forger = try TokenAuthority(secret: Array("another secret, also thirty-two bytes long".utf8))
            let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            let good = Self.token("ann")
            let unsigned = header + "." + good.split(separator: ".")[1] + "."
            let cases: [(String, [(String, String)], Int)] = [
                ("missing", [], 401),
                ("forged", [("Authorization", "Bearer " + Self.token("ann", authority: forger))], 401),
                ("expired", [("Authorization", "Bearer " + Self.token("ann", ttl: -1))], 401),
                ("alg none", [("Authorization", "Bearer " + unsigned)], 401),
                ("garbage", [("Authorization", "Bearer not.a.token")], 401),
                ("good", [("Authorization", "Bearer " + good)], 101),
            ]
            for (name, headers, expected) in cases {
                // The upgrade is refused (hummingbird-websocket answers every refused upgrade with 400); the same
                // request without the upgrade says why.
                let upgrade = try await UpgradeProbe.status(port: harness.port, headers: headers)
                #expect(upgrade == (expected == 101 ? 101 : 400), "\(name) token, upgrade")
                if expected != 101 {
                    let plain = try await UpgradeProbe.status(port: harness.port, headers: headers, upgrade: false)
                    #expect(plain == expected, "\(name) token, plain GET")
                }
            }
            let byQuery = try await UpgradeProbe.status(port: harness.port, path: "/v1/ws?token=\(good)")
            #expect(byQuery == 101)
        }
    }

    @Test func theTokenNamesThePlayerAndItsRooms() async throws {
        try await GatewayHarness.run(configure: Self.secured) { harness in
            _ = try await TestClient.connect(harness.url + "?token=" + Self.token("ann-1")) { client in
                client.send(.join("lobby"))
                let refused = try await client.next { $0.errorMessage }
                #expect(refused.code == .forbidden, "lobby does not match arena-*")
                client.send(.join("arena-7"))
                let welcome = try await client.next { $0.welcomeMessage }
                #expect(welcome.playerID == "ann-1")
            }
        }
    }

    @Test func aSpectatorWatchesButCannotPlayOrRelay() async throws {
        try await GatewayHarness.run(rules: ArenaRules(maxPlayers: 1), configure: Self.secured) { harness in
            _ = try await TestClient.connect(harness.url + "?token=" + Self.token("ann")) { ann in
                ann.send(.join("arena-watch"))
                let annWelcome = try await ann.next { $0.welcomeMessage }
                ann.send(.input(1, Self.east))
                let watcherToken = Self.token("watcher", rooms: ["*"], role: .spectator)
                _ = try await TestClient.connect(harness.url + "?token=" + watcherToken) { watcher in
                    // The room is full of players (one), but a spectator does not count.
                    watcher.send(.join("arena-watch"))
                    let welcome = try await watcher.next { $0.welcomeMessage }
                    #expect(welcome.entityID == 0)
                    _ = try await watcher.play { table, _ in
                        table?[id: annWelcome.entityID]?.fields[ArenaSchema.Player.heading] == ArenaHeading.east.rawValue
                    }
                    watcher.send(.input(1, Self.east))
                    let inputError = try await watcher.next { $0.errorMessage }
                    #expect(inputError.code == .forbidden)
                    #expect(inputError.sequence == 1)
                    watcher.send(.relay(to: "ann", kind: "chat", payload: [1]))
                    let relayError = try await watcher.next { $0.errorMessage }
                    #expect(relayError.code == .forbidden)
                }
            }
            let players = try await harness.cluster.records(of: harness.cluster.topics.inputs)
                .map { try InputRecord(serializedBytes: $0.value).player }
            #expect(!players.contains("watcher"), "a spectator leaves no record in the log")
            #expect(players.contains("ann"))
        }
    }

    @Test func aPlayerTokenMaySpectateOnRequest() async throws {
        try await GatewayHarness.run(configure: Self.secured) { harness in
            _ = try await TestClient.connect(harness.url + "?token=" + Self.token("ann")) { ann in
                ann.send(.join("arena-2"))
                _ = try await ann.next { $0.welcomeMessage }
                _ = try await TestClient.connect(harness.url + "?token=" + Self.token("bob")) { bob in
                    bob.send(.with { $0.join = .with { $0.room = "arena-2"; $0.spectate = true } })
                    let welcome = try await bob.next { $0.welcomeMessage }
                    #expect(welcome.entityID == 0)
                    bob.send(.input(1, Self.east))
                    #expect(try await bob.next { $0.errorMessage }.code == .forbidden)
                }
            }
        }
    }

    @Test func aRelayToAPlayerOfAnotherRoomIsRefused() async throws {
        try await GatewayHarness.run(configure: Self.secured) { harness in
            _ = try await TestClient.connect(harness.url + "?token=" + Self.token("bob")) { bob in
                bob.send(.join("arena-b"))
                _ = try await bob.next { $0.welcomeMessage }
                _ = try await TestClient.connect(harness.url + "?token=" + Self.token("ann")) { ann in
                    ann.send(.join("arena-a"))
                    _ = try await ann.next { $0.welcomeMessage }
                    _ = try await ann.next { $0.snapshotMessage }
                    ann.send(.relay(to: "bob", kind: "chat", payload: Array("psst".utf8)))
                    let error = try await ann.next { $0.errorMessage }
                    #expect(error.code == .invalidRelay)
                }
                // Nothing reached bob.
                let relayed = try? await bob.next(timeout: .milliseconds(500)) { message -> Bool? in
                    if case .relay = message.message { true } else { nil }
                }
                #expect(relayed == nil)
            }
        }
    }

    @Test func browsersOfOtherOriginsAreRefused() async throws {
        try await GatewayHarness.run(configure: { $0.allowedOrigins = ["https://game.example.com"] }) { harness in
            let other = try await UpgradeProbe.status(port: harness.port, headers: [("Origin", "https://evil.example.net")])
            let otherPlain = try await UpgradeProbe.status(port: harness.port, headers: [("Origin", "https://evil.example.net")], upgrade: false)
            let allowed = try await UpgradeProbe.status(port: harness.port, headers: [("Origin", "https://game.example.com")])
            let none = try await UpgradeProbe.status(port: harness.port)
            #expect(other == 400, "the upgrade is refused")
            #expect(otherPlain == 403, "and a plain GET says why")
            #expect(allowed == 101)
            #expect(none == 101, "not a browser: no Origin")
        }
    }

    @Test func tlsServesWebSocketsWithTheGivenCertificate() async throws {
        guard let (certificate, key) = try SelfSignedCertificate.make() else {
            print("skipped: openssl is not installed, so no certificate for the TLS test")
            return
        }
        let server = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(certificate)],
            privateKey: .privateKey(key)
        )
        try await GatewayHarness.run(configure: { $0.tls = server }) { harness in
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .certificates([certificate])
            let client = trusting
            let room = "tls-room"
            let welcome = try await withTimeout(.seconds(20)) {
                let received = Welcomed()
                _ = try await WebSocketClient.connect(
                    url: "wss://localhost:\(harness.port)/v1/ws",
                    tlsConfiguration: client,
                    logger: TestClient.logger
                ) { inbound, outbound, _ in
                    let join: [UInt8] = try ClientMessage.join(room).serializedBytes()
                    try await outbound.write(.binary(ByteBuffer(bytes: join)))
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .binary(let buffer) = message else { continue }
                        let batch = try ServerBatch(serializedBytes: Array(buffer.readableBytesView))
                        if let welcome = batch.messages.lazy.compactMap(\.welcomeMessage).first {
                            received.welcome = welcome
                            return
                        }
                    }
                }
                return received.welcome
            }
            #expect(welcome?.room == room)
            // Plain WebSocket is not served on a TLS port.
            #expect(await (try? UpgradeProbe.status(port: harness.port)) == nil)
        }
    }
}

/// Carries the welcome out of the client's closure.
private final class Welcomed: @unchecked Sendable {
    var welcome: ServerMessage.Welcome?
}

extension ClientMessage {
    static func relay(to player: String, kind: String, payload: [UInt8]) -> Self {
        .with { $0.relay = .with { $0.toPlayer = player; $0.kind = kind; $0.payload = Data(payload) } }
    }
}

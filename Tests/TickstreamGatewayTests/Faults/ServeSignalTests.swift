import Foundation
import NIOWebSocket
import TickstreamKafka
import TickstreamRules
import WSCore
import SwiftProtobuf
import Testing
import TickstreamProtocol
import TickstreamTesting

/// SIGTERM on the built `tickstream serve` binary, run as a child process against this test's Kafka cluster (so that
/// the log outlives the process): clients get 1001, the process exits 0, every acknowledged input is in the log and
/// the last checkpoint covers the last tick.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServeSignalTests {
    /// `.build/debug/tickstream`, next to this test bundle; nil when it was not built.
    static var binary: URL? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent(".build/debug/tickstream")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    @Test func sigtermClosesClientsWith1001AndKeepsEveryAcknowledgedInput() async throws {
        guard let binary = Self.binary else {
            print("skipped: .build/debug/tickstream is not built (swift build --build-tests builds it)")
            return
        }
        let cluster = try TestCluster()
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "serve", "--brokers", cluster.bootstrapServers, "--topic-prefix", cluster.topics.prefix,
            "--host", "127.0.0.1", "--port", "0", "--log-level", "warning",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let url = try await Self.announcedURL(output.fileHandleForReading)
        let room = "sigterm-room"
        let (counts, close) = try await TestClient.connect(url) { client in
            client.send(.join(room))
            let welcome = try await client.next { $0.welcomeMessage }
            let driver = InputDriver(client)
            await driver.run(until: FaultTests.past(.now + .seconds(3)), finally: { kill(process.processIdentifier, SIGTERM) })
            return (welcome.playerID, driver.current)
        }
        process.waitUntilExit()
        let (player, sent) = counts
        #expect(close?.closeCode == .goingAway)
        #expect(process.terminationStatus == 0)

        let audit = try await InputAudit.audit(players: [player], sent: Int(sent.sent), cluster: cluster, timeout: .seconds(5))
        let lastTick = try await cluster.records(of: cluster.topics.state)
            .map { try StateRecord(serializedBytes: $0.value) }.filter { $0.room == room }.map(\.tick).max() ?? 0
        let checkpoint = try await cluster.records(of: cluster.topics.checkpoints)
            .map { try Checkpoint(serializedBytes: $0.value) }.filter { $0.room == room }.map(\.tick).max() ?? 0
        print("SIGTERM on serve: \(audit); last tick \(lastTick), last checkpoint at tick \(checkpoint); exit \(process.terminationStatus)")
        #expect(audit.acknowledged == audit.sent)
        #expect(audit.lost == 0)
        #expect(lastTick > 0 && checkpoint >= lastTick, "the last checkpoint covers the last tick")
    }

    /// The WebSocket URL `serve` announces on its standard output, read on a thread of its own (reads block).
    static func announcedURL(_ handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var text = ""
                while true {
                    let data = handle.availableData
                    guard !data.isEmpty else {
                        continuation.resume(throwing: ServeFailed(output: text))
                        return
                    }
                    text += String(decoding: data, as: UTF8.self)
                    if let start = text.range(of: "ws://")?.lowerBound, let end = text[start...].firstIndex(of: "\n") {
                        continuation.resume(returning: String(text[start..<end]).trimmingCharacters(in: .whitespaces))
                        return
                    }
                }
            }
        }
    }

    struct ServeFailed: Error {
        let output: String
    }
}

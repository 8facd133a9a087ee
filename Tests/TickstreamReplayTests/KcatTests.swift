import Foundation
import Testing
import TickstreamKafka
import TickstreamProtocol
import TickstreamTesting

/// Other Kafka tools read Tickstream's topics: kcat, with the command line the README gives.
@Suite struct KcatTests {
    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: kcat != nil, "kcat is not installed"), .timeLimit(.minutes(2)))
    func kcatReadsEveryInputRecordWithItsRoomKey() async throws {
        let match = try await RecordedMatch.record(room: "kcat-room", playerCount: 2, duration: .seconds(1))
        let inputs = try await match.cluster.records(of: match.cluster.topics.inputs)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.kcat!)
        process.arguments = ["-b", match.cluster.bootstrapServers, "-C", "-t", match.cluster.topics.inputs, "-o", "beginning", "-e", "-q", "-f", "%k %p %o\n"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == inputs.count)
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("kcat-room ") })
        let positions = Set(lines.map { $0.split(separator: " ").dropFirst().joined(separator: " ") })
        #expect(positions == Set(inputs.map { "\($0.partition) \($0.offset)" }))
    }
}

import Foundation
import Synchronization
import Testing
import TickstreamKafka

/// Tickstream scaled out on this machine: `tickstream kafka`, workers and gateways as separate processes of the
/// built binary, with topics under a prefix of their own.
final class Deployment: Sendable {
    let binary: URL
    let directory: URL
    let brokers: String
    let prefix: String
    let partitions: Int32
    /// Every process started, so that ``run(partitions:_:)`` can stop those still running.
    private let processes = Mutex<[TickstreamProcess]>([])

    /// The binary the tests run: `TICKSTREAM_BINARY`, else the package's debug build. The tests build nothing.
    static let binaryURL: URL = {
        if let path = ProcessInfo.processInfo.environment["TICKSTREAM_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        // …/Tests/TickstreamScaleOutTests/Support/Deployment.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/tickstream")
    }()

    static var binaryExists: Bool { FileManager.default.isExecutableFile(atPath: binaryURL.path) }

    /// Why the tests are skipped when there is no binary.
    static let missingBinary: Comment = "needs the built binary: run `swift build --product tickstream` (tools/test does), or set TICKSTREAM_BINARY"

    private init(binary: URL, directory: URL, kafka: TickstreamProcess, brokers: String, prefix: String, partitions: Int32) {
        self.binary = binary
        self.directory = directory
        self.brokers = brokers
        self.prefix = prefix
        self.partitions = partitions
        processes.withLock { $0.append(kafka) }
    }

    /// Starts the cluster process, runs `body`, then stops every process still running (SIGTERM; SIGKILL after a
    /// bound). Logs are removed when `body` succeeds, kept (and named in the failure) when it fails.
    static func run(partitions: Int32 = 4, _ body: (Deployment) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tickstream-scaleout-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let prefix = "scaleout-\(UInt32.random(in: .min ... .max))"
        let kafka = try TickstreamProcess(
            name: "kafka", binary: binaryURL,
            arguments: ["kafka", "--brokers-count", "1", "--partitions", "\(partitions)", "--topic-prefix", prefix],
            directory: directory
        )
        let deployment: Deployment
        do {
            let line = try await kafka.line(containing: "Kafka: ", timeout: .seconds(30))
            let brokers = String(line.split(separator: " ").last ?? "")
            deployment = Deployment(binary: binaryURL, directory: directory, kafka: kafka, brokers: brokers, prefix: prefix, partitions: partitions)
        } catch {
            _ = try? await kafka.stop(signal: SIGKILL)
            throw error
        }
        do {
            try await body(deployment)
        } catch {
            await deployment.stopAll()
            throw ProcessFailure("\(error)\n(logs of every process in \(directory.path))")
        }
        await deployment.stopAll()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts `tickstream worker`; it logs at info, so that tests can see the partitions it restores.
    func startWorker(_ id: String, kafkaProperties: [String] = []) throws -> TickstreamProcess {
        try start(id, ["worker", "--worker-id", id, "--log-level", "info"] + kafkaProperties.flatMap { ["--kafka-property", $0] })
    }

    /// Starts `tickstream gateway` on a free port and returns it with its WebSocket URL once it listens.
    func startGateway(_ id: String) async throws -> (process: TickstreamProcess, url: String) {
        let gateway = try start(id, ["gateway", "--gateway-id", id, "--allow-anonymous", "--port", "0", "--log-level", "warning"])
        let line = try await gateway.line(containing: "WebSocket: ", timeout: .seconds(30))
        return (gateway, String(line.split(separator: " ").last ?? ""))
    }

    /// The partitions `worker` has restored (been assigned) so far, from its log.
    func restoredPartitions(of worker: TickstreamProcess) -> Set<Int32> {
        Set(worker.log.split(separator: "\n").filter { $0.contains("partition restored") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("partition=") }.flatMap { Int32($0.dropFirst("partition=".count)) }
        })
    }

    /// Rooms named `<prefix>-room-<n>`, `perPartition` on each partition.
    func rooms(perPartition: Int) -> [String] {
        var rooms: [Int32: [String]] = [:]
        var index = 0
        while rooms.count < partitions || rooms.values.contains(where: { $0.count < perPartition }) {
            let room = "\(prefix)-room-\(index)"
            let partition = RoomPartitioner.partition(forKey: Array(room.utf8), partitionCount: partitions)
            if rooms[partition, default: []].count < perPartition {
                rooms[partition, default: []].append(room)
            }
            index += 1
        }
        return rooms.keys.sorted().flatMap { rooms[$0]! }
    }

    private func start(_ name: String, _ arguments: [String]) throws -> TickstreamProcess {
        let process = try TickstreamProcess(
            name: name, binary: binary,
            arguments: arguments + ["--brokers", brokers, "--topic-prefix", prefix],
            directory: directory
        )
        processes.withLock { $0.append(process) }
        return process
    }

    /// Newest first, as an operator would: gateways and workers before the cluster they use.
    private func stopAll() async {
        for process in processes.withLock({ $0 }).reversed() where process.isRunning {
            if (try? await process.stop(timeout: .seconds(20))) == nil {
                _ = try? await process.stop(signal: SIGKILL, timeout: .seconds(5))
            }
        }
    }
}

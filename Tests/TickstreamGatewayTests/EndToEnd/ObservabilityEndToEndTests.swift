import Foundation
import Metrics
import Prometheus
import Testing
import TickstreamArena
import TickstreamGateway
import TickstreamProtocol
import TickstreamSimulation
import TickstreamTesting

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `/metrics`, `/v1/rooms`, the spectator page and the Grafana dashboard, against the real pipeline in-process.
///
/// Suites run in parallel in one process and share the registry: unlabelled gateway series count every harness
/// gateway, so they are checked with lower bounds; the worker's series are told apart by a worker id of its own.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ObservabilityEndToEndTests {
    /// swift-metrics is bootstrapped once per process, into the registry a harness gateway renders (the default one).
    /// Metrics created before (by suites that ran earlier) stay no-ops; those of the pipelines below are all recorded.
    static let metricsBootstrapped: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory.tickstream(registry: PrometheusMetricsFactory.defaultRegistry))
    }()

    static let east = ArenaInput(heading: .east).payload

    @Test func metricsShowTheKeySeriesOfARunningPipeline() async throws {
        Self.metricsBootstrapped
        let worker = "metrics-worker-\(UInt32.random(in: 0...UInt32.max))"
        try await GatewayHarness.run(configureWorker: {
            $0.workerID = worker
            $0.lagSampleInterval = .milliseconds(200)
        }) { harness in
            _ = try await TestClient.connect(harness.url) { client in
                client.send(.input(1, Self.east))  // before joining: rejected
                client.send(.join("observed"))
                _ = try await client.next { $0.welcomeMessage }
                for sequence in 1...10 {
                    client.send(.input(UInt64(sequence), Self.east))
                }
                _ = try await client.play { _, snapshot in snapshot.lastAppliedSequence == 10 }
            }
            let metrics = try await Self.eventually(harness) { metrics in
                metrics.value("tickstream_gateway_leaves_total", ["reason": "dropped"]) >= 1
                    && metrics.series("tickstream_worker_input_lag_records", ["worker": worker]).count == Int(harness.cluster.partitions)
            }
            #expect(metrics.value("tickstream_gateway_joins_total") >= 1)
            #expect(metrics.value("tickstream_gateway_inputs_received_total") >= 11)
            #expect(metrics.value("tickstream_gateway_inputs_produced_total") >= 10)
            #expect(metrics.value("tickstream_gateway_inputs_rejected_total", ["reason": "notJoined"]) >= 1)
            let produced = metrics.value("tickstream_gateway_produce_latency_seconds_count", ["action": "input"])
            let producing = metrics.value("tickstream_gateway_produce_latency_seconds_sum", ["action": "input"])
            #expect(produced >= 10)
            #expect(producing > 0 && producing / produced < 0.5, "mean produce latency \(producing / produced) s")
            #expect(metrics.value("tickstream_gateway_snapshots_sent_total") >= 1)
            #expect(metrics.value("tickstream_gateway_frames_sent_total") >= 1)
            #expect(metrics.value("tickstream_gateway_bytes_sent_total") > 100)
            #expect(metrics.value("tickstream_gateway_state_record_age_seconds_count") >= 1)

            let ticks = metrics.value("tickstream_worker_ticks_total", ["worker": worker])
            let tickTime = metrics.value("tickstream_worker_tick_duration_seconds_sum", ["worker": worker])
            #expect(ticks >= 1, "the room ticked (ten inputs may all land in one tick)")
            #expect(abs(metrics.value("tickstream_worker_tick_duration_seconds_count", ["worker": worker]) - ticks) <= 1)
            #expect(tickTime / ticks < 0.033, "mean tick \(tickTime / ticks) s")
            #expect(metrics.value("tickstream_worker_rooms", ["worker": worker]) == 1)
            #expect(metrics.series("tickstream_worker_tick_overruns_total", ["worker": worker]).count == 1)
            #expect(metrics.value("tickstream_worker_deadletters_total", ["worker": worker]) == 0)
            #expect(metrics.value("tickstream_worker_restore_failures_total", ["worker": worker]) == 0)
            for (_, lag) in metrics.series("tickstream_worker_input_lag_records", ["worker": worker]) {
                #expect((0..<50).contains(lag), "an idle worker is not behind")
            }
            #expect(!metrics.series("tickstream_worker_committed_lag_records", ["worker": worker]).isEmpty)
            #expect(metrics.series("tickstream_kafka_errors_total", ["client": harness.gatewayID]).count == 2, "producer and consumer")
            #expect(metrics.series("tickstream_kafka_delivery_failures_total", ["client": harness.gatewayID]).count == 1)

            // Every series the Grafana dashboard queries is exported (histograms through `_bucket`).
            for name in try Self.dashboardMetricNames() {
                #expect(!metrics.series(name, [:]).isEmpty, "the dashboard queries \(name), which the pipeline does not export")
            }
        }
    }

    @Test func roomsListsLiveRoomsAndForgetsClosedOnes() async throws {
        try await GatewayHarness.run(configure: {
            $0.roomList.cacheDuration = .milliseconds(100)
        }, configureWorker: {
            $0.checkpointInterval = 15
            $0.idleTimeout = .milliseconds(500)
        }, Self.roomIsListedThenForgotten)
    }

    /// The body of the test above. (A function of its own: as a closure it crashed the 6.3.1 compiler's
    /// SendNonSendable pass.)
    static func roomIsListedThenForgotten(_ harness: GatewayHarness) async throws {
        let empty = try await rooms(harness)
        #expect(empty.isEmpty)
        _ = try await TestClient.connect(harness.url) { client in
            client.send(.join("listed"))
            _ = try await client.next { $0.welcomeMessage }
            try await expectListedWithOnePlayer("listed", harness)
        }
        // The player dropped, the room idled out and closed: its checkpoint was tombstoned.
        _ = try await eventuallyRooms(harness) { !$0.contains { $0.room == "listed" } }
    }

    @Test func theSpectatorPageIsServedAtTheRoot() async throws {
        try await GatewayHarness.run { harness in
            let (body, response) = try await Self.get(harness, "/")
            #expect(response.statusCode == 200)
            #expect(response.value(forHTTPHeaderField: "Content-Type") == "text/html; charset=utf-8")
            let page = String(decoding: body, as: UTF8.self)
            #expect(page.contains("tickstream.v1.json"))
            #expect(page.contains("/v1/rooms"))
            #expect(page.contains("spectate: true"))
        }
    }

    @Test func theDashboardIsAGrafanaDashboardOverTickstreamMetrics() throws {
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Self.dashboardData()) as? [String: Any])
        #expect(dashboard["uid"] as? String == "tickstream")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 12)
        for panel in panels {
            #expect(panel["gridPos"] is [String: Any])
            #expect(!(panel["targets"] as? [[String: Any]] ?? []).isEmpty, "panel \(panel["title"] ?? "?") queries nothing")
        }
        #expect(try Self.dashboardMetricNames().count >= 20)
    }

    // MARK: Helpers

    /// Waits for `room` in `/v1/rooms` and checks its entry.
    static func expectListedWithOnePlayer(_ name: String, _ harness: GatewayHarness) async throws {
        let listed = try await eventuallyRooms(harness) { $0.contains { $0.room == name } }
        let room = try #require(listed.first { $0.room == name })
        #expect(room.players == 1)
        #expect(room.tick >= 15)
        #expect(abs(Date().timeIntervalSince1970 * 1000 - Double(room.updated)) < 5_000)
    }

    static func dashboardData() throws -> Data {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return try Data(contentsOf: root.appendingPathComponent("dashboards/tickstream.json"))
    }

    /// The `tickstream_*` names in the dashboard's queries, histograms without their `_bucket` suffix.
    static func dashboardMetricNames() throws -> Set<String> {
        let dashboard = try #require(try JSONSerialization.jsonObject(with: dashboardData()) as? [String: Any])
        let panels = dashboard["panels"] as? [[String: Any]] ?? []
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        return Set(expressions.flatMap { expression in
            expression.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") })
                .filter { $0.hasPrefix("tickstream_") }
                .map { name in name.hasSuffix("_bucket") ? String(name.dropLast("_bucket".count)) : String(name) }
        })
    }

    static func get(_ harness: GatewayHarness, _ path: String) async throws -> (Data, HTTPURLResponse) {
        let url = try #require(URL(string: "http://127.0.0.1:\(harness.port)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        return (data, try #require(response as? HTTPURLResponse))
    }

    static func rooms(_ harness: GatewayHarness) async throws -> [RoomEntry] {
        let (data, response) = try await get(harness, "/v1/rooms")
        #expect(response.statusCode == 200)
        return try JSONDecoder().decode(Listing.self, from: data).rooms
    }

    /// Polls `/v1/rooms` until `done` holds; fails after 15 seconds.
    static func eventuallyRooms(_ harness: GatewayHarness, until done: ([RoomEntry]) -> Bool) async throws -> [RoomEntry] {
        let deadline = ContinuousClock.now + .seconds(15)
        var rooms = try await Self.rooms(harness)
        while !done(rooms) {
            guard ContinuousClock.now < deadline else { throw TimeoutError(limit: .seconds(15)) }
            try await Task.sleep(for: .milliseconds(100))
            rooms = try await Self.rooms(harness)
        }
        return rooms
    }

    /// Scrapes `/metrics` until `done` holds; fails after 15 seconds.
    static func eventually(_ harness: GatewayHarness, until done: (Scrape) -> Bool) async throws -> Scrape {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let (data, response) = try await get(harness, "/metrics")
            #expect(response.statusCode == 200)
            let scrape = Scrape(String(decoding: data, as: UTF8.self))
            if done(scrape) { return scrape }
            guard ContinuousClock.now < deadline else { throw TimeoutError(limit: .seconds(15)) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    struct Listing: Decodable {
        var rooms: [RoomEntry]
    }

    struct RoomEntry: Decodable {
        var room: String
        var tick: UInt64
        var players: Int
        var updated: Int64
    }

    /// A Prometheus text exposition, parsed into samples.
    struct Scrape {
        struct Sample {
            var name: String
            var labels: [String: String]
            var value: Double
        }

        let samples: [Sample]

        init(_ text: String) {
            samples = text.split(separator: "\n").compactMap { line -> Sample? in
                guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                    return nil
                }
                let series = line[..<space]
                guard let brace = series.firstIndex(of: "{") else {
                    return Sample(name: String(series), labels: [:], value: value)
                }
                var labels: [String: String] = [:]
                for pair in series[series.index(after: brace)..<series.index(before: series.endIndex)].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 {
                        labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
                    }
                }
                return Sample(name: String(series[..<brace]), labels: labels, value: value)
            }
        }

        /// The samples of `name` whose labels include `labels`, with all their labels.
        func series(_ name: String, _ labels: [String: String]) -> [([String: String], Double)] {
            let histogram = name + "_bucket"
            return samples.filter { sample in
                (sample.name == name || sample.name == histogram) && labels.allSatisfy { key, value in sample.labels[key] == value }
            }.map { ($0.labels, $0.value) }
        }

        /// The sum of the samples of `name` whose labels include `labels`; 0 if there are none.
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
            samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
                .map(\.value).reduce(0, +)
        }
    }
}

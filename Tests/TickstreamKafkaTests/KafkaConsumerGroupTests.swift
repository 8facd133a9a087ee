import Synchronization
import Testing
import TickstreamKafka

struct KafkaConsumerGroupTests {
    /// What the members of the group processed, by position.
    final class Ledger: Sendable {
        private let state = Mutex<(seen: [TopicPartitionOffset: Int], members: [String: MemberLog])>(([:], [:]))

        struct MemberLog: Sendable {
            var assigned = 0
            var revoked = 0
            var processed = 0
        }

        func process(_ record: ConsumerRecord, by member: String) {
            state.withLock {
                $0.seen[TopicPartitionOffset(topic: record.topic, partition: record.partition, offset: record.offset), default: 0] += 1
                $0.members[member, default: MemberLog()].processed += 1
            }
        }

        func note(_ member: String, assigned: Bool) {
            state.withLock {
                if assigned { $0.members[member, default: MemberLog()].assigned += 1 } else {
                    $0.members[member, default: MemberLog()].revoked += 1
                }
            }
        }

        var distinct: Int { state.withLock { $0.seen.count } }
        var duplicates: Int { state.withLock { $0.seen.values.filter { $0 > 1 }.count } }
        func log(_ member: String) -> MemberLog { state.withLock { $0.members[member] ?? MemberLog() } }
    }

    /// Processes records in batches whose effects count only once their offsets are committed, as a worker's
    /// checkpoint does; commits every 20 records and when partitions are revoked, before acknowledging.
    ///
    /// A batch whose commit fails is discarded: its records are redelivered from the committed offset. (The
    /// embedded cluster refuses commits once a rebalance has begun, so commits during revocation fail there.)
    static func run(_ consumer: KafkaConsumer, as member: String, ledger: Ledger) async throws {
        var batch: [ConsumerRecord] = []
        func commitBatch() async {
            var positions: [TopicPartition: TopicPartitionOffset] = [:]
            for record in batch { positions[record.nextPosition.topicPartition] = record.nextPosition }
            do {
                try await consumer.commit(Array(positions.values))
                for record in batch where record.value != endMarker { ledger.process(record, by: member) }
            } catch {
                // Redelivered to whoever owns the partition next.
            }
            batch = []
        }
        for await event in consumer.events {
            switch event {
            case .message(let record):
                batch.append(record)
                if batch.count >= 20 || record.value == endMarker { await commitBatch() }
            case .assigned:
                ledger.note(member, assigned: true)
            case .revoked(_, let acknowledgement):
                ledger.note(member, assigned: false)
                if acknowledgement != nil { await commitBatch() } else { batch = [] }
                acknowledgement?.acknowledge()
            case .error:
                continue
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func twoMembersRebalanceAndConsumeEveryRecordOnce() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 4)
        let producer = try KafkaProducer.forTests(cluster)
        let configuration = KafkaConsumerConfiguration(
            bootstrapServers: cluster.bootstrapServers,
            groupID: uniqueTopic("group"),
            sessionTimeout: .seconds(6)
        )
        let first = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let second = try KafkaConsumer(configuration: configuration, logger: testLogger)
        let ledger = Ledger()
        let produced = Counter()

        try await withThrowingTaskGroup(of: Void.self) { group in
            let stopProducing = StopFlag()
            group.addTask {
                var i = 0
                while !stopProducing.isSet {
                    try producer.sendAndForget(
                        ProducerRecord(topic: topic, key: Array("room-\(i % 16)".utf8), value: Array("\(i)".utf8))
                    )
                    i += 1
                    if i % 10 == 0 { try await Task.sleep(for: .milliseconds(5)) }
                }
                try await producer.flush(timeout: .seconds(10))
                produced.set(i)
            }
            group.addTask { try await Self.run(first, as: "first", ledger: ledger) }
            // Joins and rebalances on the mock take seconds, and many more beside the parallel suite on 2 cores (a
            // 15-s wait expired once in CI): the waits allow for that, and still fail if the group never settles.
            try await first.subscribe(topics: [topic])
            try await waitUntil(.seconds(45)) { ledger.log("first").processed >= 100 }

            group.addTask { try await Self.run(second, as: "second", ledger: ledger) }
            try await second.subscribe(topics: [topic])
            try await waitUntil(.seconds(45)) { ledger.log("second").processed >= 100 }

            stopProducing.set()
            try await waitUntil { produced.value > 0 }
            let total = produced.value
            // A marker per partition makes its owner commit the last partial batch.
            for partition in Int32(0)..<4 {
                try producer.sendAndForget(ProducerRecord(topic: topic, partition: partition, value: endMarker))
            }
            try await waitUntil(.seconds(45)) { ledger.distinct >= total }
            await first.close()
            await second.close()
            try await group.waitForAll()
        }
        await producer.shutdown()

        #expect(producer.deliveryFailureCount == 0)
        #expect(ledger.distinct == produced.value)
        #expect(ledger.duplicates == 0)
        #expect(ledger.log("first").assigned >= 2)
        #expect(ledger.log("first").revoked >= 1)
        #expect(ledger.log("second").assigned >= 1)
    }

    /// librdkafka before 2.3.0 aborts the process when it destroys a cooperative consumer between its group's
    /// JoinGroup answer and its first assignment (librdkafka#4312). Holding the SyncGroup answer for 6 s keeps the
    /// consumer in that window; the test closes it once the broker holds the SyncGroup request (the embedded
    /// cluster answers the first JoinGroup after about 3 s, later on a busy machine).
    @Test(.timeLimit(.minutes(1)))
    func aCooperativeConsumerClosedBeforeItsFirstAssignmentWaitsForItInsteadOfAborting() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1)
        let topic = uniqueTopic()
        try cluster.createTopic(name: topic, partitions: 2)
        try cluster.delayNextResponse(to: .syncGroup, fromBroker: 1, by: .seconds(6))
        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: cluster.bootstrapServers,
                groupID: uniqueTopic("group"),
                closeTimeout: .seconds(20),
                properties: ["partition.assignment.strategy": "cooperative-sticky"]
            ),
            logger: testLogger
        )
        try await consumer.subscribe(topics: [topic])
        while try cluster.pendingResponseFaults(to: .syncGroup, onBroker: 1) > 0 {
            try await Task.sleep(for: .milliseconds(50))
        }

        let closing = ContinuousClock.now
        await consumer.close()
        let closed = closing.duration(to: .now)

        // Still running: the close waited for the assignment, due up to 6 s after it began, then destroyed the client.
        #expect(closed < .seconds(15))
        if KafkaLibrary.versionNumber < KafkaLibrary.cooperativeCloseFixed {
            #expect(closed > .seconds(1), "the close awaited the first assignment (took \(closed))")
        }
    }
}

private let endMarker = Array("end".utf8)

final class Counter: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func set(_ value: Int) { count.store(value, ordering: .relaxed) }
}

final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}

/// Polls `condition` every 10 ms; fails with ``KafkaError/timedOut`` after `limit`.
func waitUntil(
    _ limit: Duration = .seconds(15),
    _ condition: @Sendable () -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else { throw KafkaError.timedOut }
        try await Task.sleep(for: .milliseconds(10))
    }
}

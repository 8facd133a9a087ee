import Logging
import TickstreamKafka

/// A fresh topic name per test, so tests sharing a cluster never see each other's records.
func uniqueTopic(_ prefix: String = "test") -> String {
    "\(prefix)-\(UInt64.random(in: 0...UInt64.max))"
}

let testLogger: Logger = {
    var logger = Logger(label: "tickstream.kafka.tests")
    logger.logLevel = .critical
    return logger
}()

extension KafkaProducer {
    /// A producer of `cluster` with the default settings.
    static func forTests(_ cluster: EmbeddedKafkaCluster) throws -> KafkaProducer {
        try KafkaProducer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
    }
}

extension KafkaConsumer {
    /// A consumer of `cluster` with the default settings and no group.
    static func forTests(_ cluster: EmbeddedKafkaCluster) throws -> KafkaConsumer {
        try KafkaConsumer(configuration: .init(bootstrapServers: cluster.bootstrapServers), logger: testLogger)
    }

    /// Waits for the next `count` records.
    func receive(_ count: Int) async {
        var received = 0
        for await _ in messages {
            received += 1
            if received == count { return }
        }
    }
}

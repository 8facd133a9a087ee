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

import CRdKafka

/// The librdkafka this process runs with; some of its flaws are worked around up to a version.
public enum KafkaLibrary {
    /// `0xMMmmrrpp`: major, minor, revision, pre-release (`0xff` for a release), as librdkafka encodes it.
    public static var versionNumber: Int32 { rd_kafka_version() }

    /// The first version that can destroy a cooperative consumer before its first assignment (librdkafka#4312).
    public static let cooperativeCloseFixed: Int32 = 0x0203_0000
}

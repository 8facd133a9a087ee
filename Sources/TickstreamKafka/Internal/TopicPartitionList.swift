import CRdKafka

/// An owned `rd_kafka_topic_partition_list_t`, destroyed with its scope.
struct TopicPartitionList: ~Copyable {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: capacity))
    }

    init(_ positions: [TopicPartitionOffset]) {
        self.init(capacity: positions.count)
        for position in positions {
            rd_kafka_topic_partition_list_add(pointer, position.topic, position.partition).pointee.offset =
                position.offset
        }
    }

    init(_ partitions: [TopicPartition]) {
        self.init(capacity: partitions.count)
        for partition in partitions {
            rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)
        }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    var positions: [TopicPartitionOffset] { Self.positions(of: pointer) }

    /// The first per-partition error in the list, if any.
    var firstError: KafkaError? { Self.firstError(of: pointer) }

    /// The first per-partition error in `list`, if any.
    static func firstError(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> KafkaError? {
        let list = list.pointee
        for element in UnsafeBufferPointer(start: list.elems, count: Int(list.cnt))
        where element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let name = "\(String(cString: element.topic))[\(element.partition)]"
            return KafkaError(element.err, message: "\(name): \(String(cString: rd_kafka_err2str(element.err)))")
        }
        return nil
    }

    static func positions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [TopicPartitionOffset] {
        UnsafeBufferPointer(start: list.pointee.elems, count: Int(list.pointee.cnt)).map {
            TopicPartitionOffset(topic: String(cString: $0.topic), partition: $0.partition, offset: $0.offset)
        }
    }
}

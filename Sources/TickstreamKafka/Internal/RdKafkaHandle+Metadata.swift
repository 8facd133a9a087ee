import CRdKafka

// Blocking metadata and offset queries: call them off the cooperative pool.
extension RdKafkaHandle {
    /// Every topic of the cluster, internal ones excluded, sorted by name.
    func topics(timeout: Duration) throws(KafkaError) -> [TopicDescription] {
        try withLease { rk throws(KafkaError) in try Self.metadata(rk, allTopics: true, timeout: timeout) }
    }

    /// The topics this client knows (it has produced to, consumed from or been told of), as the cluster describes them;
    /// every topic of the cluster while it knows none (librdkafka then asks for all).
    func knownTopics(timeout: Duration) throws(KafkaError) -> [TopicDescription] {
        try withLease { rk throws(KafkaError) in try Self.metadata(rk, allTopics: false, timeout: timeout) }
    }

    /// Makes `topic` one this client knows for the rest of its life, as its first record to it would: librdkafka
    /// takes the topic's metadata from its cache now and keeps it fresh with its other topics' from then on.
    ///
    /// The application's reference is released at once; librdkafka keeps its topic object until it is destroyed.
    func keepKnowing(topic: String) throws(KafkaError) {
        try withLease { rk throws(KafkaError) in
            guard let topicHandle = rd_kafka_topic_new(rk, topic, nil) else {
                throw KafkaError(rd_kafka_last_error(), message: "cannot make a handle for topic \(topic)")
            }
            rd_kafka_topic_destroy(topicHandle)
        }
    }

    /// The cluster's id, from the metadata librdkafka has or fetches within `timeout`.
    func clusterID(timeout: Duration) throws(KafkaError) -> String {
        try withLease { rk throws(KafkaError) in
            guard let id = rd_kafka_clusterid(rk, timeout.milliseconds) else {
                throw KafkaError.timedOut.with(message: "no broker answered with the cluster's id")
            }
            defer { rd_kafka_mem_free(rk, id) }
            return String(cString: id)
        }
    }

    /// One topic; throws ``KafkaError/unknownTopicOrPartition`` if it does not exist.
    ///
    /// Asks for every topic: asking for one by name makes brokers that auto-create topics create it.
    func describe(topic: String, timeout: Duration) throws(KafkaError) -> TopicDescription {
        guard let description = try topics(timeout: timeout).first(where: { $0.name == topic }) else {
            throw KafkaError.unknownTopicOrPartition.with(message: "no topic \(topic)")
        }
        return description
    }

    /// The low and high watermarks: the first offset still stored and the offset the next record will get.
    ///
    /// Each is asked for in a ListOffsets request of its own. `rd_kafka_query_watermark_offsets` sends both at
    /// once, and librdkafka 2.0.2 loses the error of one when the other's answer is served in the same poll: it
    /// reported low = high = 1 for a partition holding offset 0 after one refused request, and a worker restored
    /// that partition as empty, losing its room.
    func watermarks(_ partition: TopicPartition, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        func listed(_ timestamp: Int64) throws(KafkaError) -> Int64 {
            guard let offset = try listOffsets([TopicPartitionOffset(partition, offset: timestamp)], timeout: timeout).first?.offset,
                offset >= 0
            else {
                throw KafkaError(RD_KAFKA_RESP_ERR__BAD_MSG, message: "\(partition): no offset in the answer")
            }
            return offset
        }
        return (try listed(Int64(RD_KAFKA_OFFSET_BEGINNING)), try listed(Int64(RD_KAFKA_OFFSET_END)))
    }

    /// One ListOffsets request: for each position, the offset of its timestamp (ms since the epoch; -1 for the end of
    /// the partition, -2 for its beginning), or -1 where no record is that late.
    func listOffsets(_ positions: [TopicPartitionOffset], timeout: Duration) throws(KafkaError) -> [TopicPartitionOffset] {
        try withLease { rk throws(KafkaError) in
            let list = TopicPartitionList(positions)
            let err = rd_kafka_offsets_for_times(rk, list.pointer, timeout.milliseconds)
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(err, message: "offsets for times: \(String(cString: rd_kafka_err2str(err)))")
            }
            if let error = list.firstError { throw error }
            return list.positions
        }
    }

    /// The watermarks as the latest fetch from the partition reported them, without a request; nil where not known
    /// (the partition is not fetched yet, or the broker did not report its log start).
    func fetchedWatermarks(_ partition: TopicPartition) throws(KafkaError) -> (low: Int64?, high: Int64?) {
        try withLease { rk throws(KafkaError) in
            var low: Int64 = 0
            var high: Int64 = 0
            let err = rd_kafka_get_watermark_offsets(rk, partition.topic, partition.partition, &low, &high)
            // A partition this client never assigned: nothing fetched from it, so nothing known.
            if err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION { return (nil, nil) }
            guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(err, message: "\(partition): \(String(cString: rd_kafka_err2str(err)))")
            }
            return (low >= 0 ? low : nil, high >= 0 ? high : nil)
        }
    }

    private static func metadata(_ rk: OpaquePointer, allTopics: Bool, timeout: Duration) throws(KafkaError) -> [TopicDescription] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, allTopics ? 1 : 0, nil, &metadata, timeout.milliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err) }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [TopicDescription] = []
        for topic in UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt)) {
            let name = String(cString: topic.topic)
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError(topic.err, message: "\(name): \(String(cString: rd_kafka_err2str(topic.err)))")
            }
            if name.hasPrefix("__") { continue }
            let partitions = UnsafeBufferPointer(start: topic.partitions, count: Int(topic.partition_cnt)).map {
                PartitionDescription(
                    id: $0.id,
                    leader: $0.leader,
                    replicas: Array(UnsafeBufferPointer(start: $0.replicas, count: Int($0.replica_cnt))),
                    isr: Array(UnsafeBufferPointer(start: $0.isrs, count: Int($0.isr_cnt)))
                )
            }
            result.append(TopicDescription(name: name, partitions: partitions.sorted { $0.id < $1.id }))
        }
        return result.sorted { $0.name < $1.name }
    }
}

/// How `GET /v1/rooms` finds the live rooms: from the recent records of `<prefix>.checkpoints`, read on demand.
///
/// Every live room checkpoints every few seconds (the workers' checkpoint interval, 5 s by default), so its latest
/// checkpoint is among the last records of its partition; a tombstone means it closed. Reading only the tail keeps
/// the gateway from following state partitions it does not serve, and bounds the work per read.
public struct RoomListConfiguration: Sendable, Hashable {
    /// How long a list is served before the checkpoints are read again. Default: 2 seconds.
    public var cacheDuration: Duration
    /// A room whose latest checkpoint is older than this is not listed: no worker runs it. Keep it above the
    /// workers' checkpoint interval. Default: 20 seconds.
    public var staleAfter: Duration
    /// The most records read from the end of each checkpoints partition: enough for
    /// `staleAfter / checkpoint interval` checkpoints of every room of the partition. Default: 2,000.
    public var recordsPerPartition: Int
    /// The most rooms listed (those with the most players first). Default: 500.
    public var maxRooms: Int
    /// How long one read of the checkpoints may take before `/v1/rooms` answers 503. Default: 3 seconds.
    public var readTimeout: Duration

    public init(
        cacheDuration: Duration = .seconds(2),
        staleAfter: Duration = .seconds(20),
        recordsPerPartition: Int = 2_000,
        maxRooms: Int = 500,
        readTimeout: Duration = .seconds(3)
    ) {
        precondition(recordsPerPartition > 0 && maxRooms > 0, "the room list reads and lists at least one room")
        self.cacheDuration = cacheDuration
        self.staleAfter = staleAfter
        self.recordsPerPartition = recordsPerPartition
        self.maxRooms = maxRooms
        self.readTimeout = readTimeout
    }
}

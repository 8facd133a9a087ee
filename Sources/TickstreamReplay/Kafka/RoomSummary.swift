/// What the log holds of one room in a range: for `tickstream replay rooms`.
public struct RoomSummary: Sendable, Hashable {
    public var room: String
    public var partition: Int32
    public var inputRecords = 0
    public var stateRecords = 0
    /// The lowest and highest tick of its state records.
    public var firstTick: UInt64?
    public var lastTick: UInt64?
    /// Every player seen in its inputs or its states, sorted.
    public var players: [String] = []
    /// State records that closed the room (a later join starts a new life at tick 1).
    public var closes = 0

    public init(room: String, partition: Int32) {
        self.room = room
        self.partition = partition
    }
}

/// A room name, or a pattern of them where `*` stands for any run of characters (`arena-*`, `*`).
public struct RoomPattern: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let description: String

    public init(_ pattern: String) {
        self.description = pattern
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// Every room.
    public static var any: Self { "*" }

    /// Whether `room` matches: the classic greedy wildcard walk, linear in practice and never recursive, so that a
    /// hostile pattern cannot make a join slow.
    public func matches(_ room: String) -> Bool {
        let pattern = Array(description.utf8)
        let name = Array(room.utf8)
        var p = 0
        var n = 0
        var star: Int?
        var resume = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = n
            } else if p < pattern.count, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") {
            p += 1
        }
        return p == pattern.count
    }
}

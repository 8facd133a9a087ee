/// The rule for player ids taken from tokens: 1 to 64 characters of `[A-Za-z0-9_.:@-]`, so that an id is safe in
/// records, logs and metrics labels.
enum PlayerName {
    static let maxLength = 64

    static func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...maxLength).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                UInt8(ascii: "@"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}

/// A rule for the names clients give or tokens carry: 1 to `maxLength` ASCII letters, digits and a few
/// punctuation characters, so that a name is safe in records, logs and metrics labels.
package struct NameRule: Sendable {
    package let maxLength: Int
    /// The punctuation allowed besides letters and digits.
    package let punctuation: Set<UInt8>

    /// Room names: `[A-Za-z0-9_.-]`, 1 to 64.
    package static let room = NameRule(maxLength: 64, punctuation: Set("_.-".utf8))
    /// Player ids from tokens: `[A-Za-z0-9_.:@-]`, 1 to 64.
    package static let player = NameRule(maxLength: 64, punctuation: Set("_.:@-".utf8))

    package func isValid(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard (1...maxLength).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                true
            default:
                punctuation.contains(byte)
            }
        }
    }
}

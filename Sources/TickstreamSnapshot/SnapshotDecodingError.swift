/// Why a snapshot payload or a structured delta could not be applied.
///
/// Errors compare equal by their code alone, so `catch` clauses and tests can match `.truncated`
/// whatever byte offset the error carries.
public struct SnapshotDecodingError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case unsupportedFormat
        case missingBaseline
        case invalidBaseline
        case truncated
        case malformedVarint
        case trailingBytes
        case entityCountOverLimit
        case idOutOfRange
        case idOrderViolated
        case invalidEntryType
        case unknownKind
        case unknownBaselineEntity
        case duplicateEntity
        case fieldMaskOutOfRange
        case fieldCountMismatch
    }

    private let code: Code
    /// The byte of the payload where decoding failed; nil for errors of a structured delta.
    public let offset: Int?

    private init(_ code: Code, offset: Int? = nil) {
        self.code = code
        self.offset = offset
    }

    /// The header names a format version or payload type this decoder does not know.
    public static var unsupportedFormat: Self { .init(.unsupportedFormat) }
    /// The payload is a delta but no baseline (or no baseline tick) was given.
    public static var missingBaseline: Self { .init(.missingBaseline) }
    /// The baseline holds an entity that does not match the schema.
    public static var invalidBaseline: Self { .init(.invalidBaseline) }
    /// The payload ends in the middle of a value, or claims more than it holds.
    public static var truncated: Self { .init(.truncated) }
    /// A varint is longer than 10 bytes or exceeds 64 bits.
    public static var malformedVarint: Self { .init(.malformedVarint) }
    /// A keyframe has bytes after its last entity.
    public static var trailingBytes: Self { .init(.trailingBytes) }
    /// The state would hold more than `SnapshotCodec.maximumEntityCount` entities.
    public static var entityCountOverLimit: Self { .init(.entityCountOverLimit) }
    /// An entity id exceeds `UInt32.max`.
    public static var idOutOfRange: Self { .init(.idOutOfRange) }
    /// The entities of a structured delta are not sorted by strictly increasing id.
    public static var idOrderViolated: Self { .init(.idOrderViolated) }
    /// A delta entry has an undefined type.
    public static var invalidEntryType: Self { .init(.invalidEntryType) }
    /// An entity's kind is not declared by the schema.
    public static var unknownKind: Self { .init(.unknownKind) }
    /// A delta changes or removes an entity that the baseline does not hold.
    public static var unknownBaselineEntity: Self { .init(.unknownBaselineEntity) }
    /// A structured delta adds an entity that the baseline already holds.
    public static var duplicateEntity: Self { .init(.duplicateEntity) }
    /// A field mask names fields beyond the entity kind's last.
    public static var fieldMaskOutOfRange: Self { .init(.fieldMaskOutOfRange) }
    /// An entity carries a different number of values than its kind or mask calls for.
    public static var fieldCountMismatch: Self { .init(.fieldCountMismatch) }

    /// This error, located at byte `offset` of the payload.
    func at(_ offset: Int) -> Self {
        .init(code, offset: offset)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    public var description: String {
        let message =
            switch code {
            case .unsupportedFormat: "unsupported snapshot format"
            case .missingBaseline: "delta snapshot without a baseline"
            case .invalidBaseline: "baseline does not match the schema"
            case .truncated: "snapshot truncated"
            case .malformedVarint: "malformed varint"
            case .trailingBytes: "trailing bytes after the last entity"
            case .entityCountOverLimit: "more than \(SnapshotCodec.maximumEntityCount) entities"
            case .idOutOfRange: "entity id out of range"
            case .idOrderViolated: "entity ids not in increasing order"
            case .invalidEntryType: "invalid delta entry type"
            case .unknownKind: "unknown entity kind"
            case .unknownBaselineEntity: "entity not in the baseline"
            case .duplicateEntity: "entity already in the baseline"
            case .fieldMaskOutOfRange: "field mask beyond the kind's fields"
            case .fieldCountMismatch: "wrong number of field values"
            }
        guard let offset else { return message }
        return "\(message) at byte \(offset)"
    }
}

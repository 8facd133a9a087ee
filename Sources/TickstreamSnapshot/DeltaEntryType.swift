/// The type of a delta entry, stored in the two low bits of its header varint.
enum DeltaEntryType: UInt64 {
    case changed = 0
    case full = 1
    case removed = 2
}

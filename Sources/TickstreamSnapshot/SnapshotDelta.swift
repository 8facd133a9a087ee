public import TickstreamRules

/// The difference between a baseline state and a target state, entity by entity.
///
/// The gateway sends this structured form to JSON clients, which receive entities rather than bytes;
/// unlike `SnapshotCodec`'s deltas it carries plain new values, with no prediction to apply.
/// Each list is sorted by strictly increasing id. An entity whose kind changed is both removed and added.
public struct SnapshotDelta: Sendable, Hashable {
    /// The entities in the target but not in the baseline, in full.
    public var added: [Entity]
    /// The entities in both whose fields differ.
    public var changed: [ChangedEntity]
    /// The ids of the entities in the baseline but not in the target.
    public var removed: [EntityID]

    public init(added: [Entity] = [], changed: [ChangedEntity] = [], removed: [EntityID] = []) {
        self.added = added
        self.changed = changed
        self.removed = removed
    }

    /// True when the target equals the baseline.
    public var isEmpty: Bool {
        added.isEmpty && changed.isEmpty && removed.isEmpty
    }

    /// The difference from `baseline` to `target`.
    public static func between(_ baseline: EntityTable, _ target: EntityTable) -> SnapshotDelta {
        var delta = SnapshotDelta()
        var baselineIndex = baseline.startIndex
        var targetIndex = target.startIndex
        while baselineIndex < baseline.endIndex || targetIndex < target.endIndex {
            if targetIndex == target.endIndex
                || (baselineIndex < baseline.endIndex && baseline.id(at: baselineIndex) < target.id(at: targetIndex))
            {
                delta.removed.append(baseline.id(at: baselineIndex))
                baselineIndex += 1
            } else if baselineIndex == baseline.endIndex || target.id(at: targetIndex) < baseline.id(at: baselineIndex) {
                delta.added.append(target[targetIndex])
                targetIndex += 1
            } else {
                if baseline.kind(at: baselineIndex) != target.kind(at: targetIndex)
                    || baseline.fieldCount(at: baselineIndex) != target.fieldCount(at: targetIndex)
                {
                    delta.removed.append(baseline.id(at: baselineIndex))
                    delta.added.append(target[targetIndex])
                } else if let change = ChangedEntity(from: baselineIndex, of: baseline, to: targetIndex, of: target) {
                    delta.changed.append(change)
                }
                baselineIndex += 1
                targetIndex += 1
            }
        }
        return delta
    }
}

extension ChangedEntity {
    /// The change from the entity at `oldPosition` in `old` to the one at `newPosition` in `new`, the same entity
    /// with the same kind; nil if their fields are equal.
    init?(from oldPosition: Int, of old: EntityTable, to newPosition: Int, of new: EntityTable) {
        var mask: UInt64 = 0
        var values: [Int64] = []
        for field in 0..<new.fieldCount(at: newPosition) {
            let value = new[newPosition, field: field]
            guard value != old[oldPosition, field: field] else { continue }
            mask |= 1 << UInt64(field)
            values.append(value)
        }
        guard mask != 0 else { return nil }
        self.init(id: new.id(at: newPosition), kind: new.kind(at: newPosition), changedFields: mask, values: values)
    }
}

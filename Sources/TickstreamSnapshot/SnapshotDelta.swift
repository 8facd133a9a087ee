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
                || (baselineIndex < baseline.endIndex && baseline[baselineIndex].id < target[targetIndex].id)
            {
                delta.removed.append(baseline[baselineIndex].id)
                baselineIndex += 1
            } else if baselineIndex == baseline.endIndex || target[targetIndex].id < baseline[baselineIndex].id {
                delta.added.append(target[targetIndex])
                targetIndex += 1
            } else {
                let old = baseline[baselineIndex]
                let new = target[targetIndex]
                if old.kind != new.kind || old.fields.count != new.fields.count {
                    delta.removed.append(old.id)
                    delta.added.append(new)
                } else if let change = ChangedEntity(from: old, to: new) {
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
    /// The change from `old` to `new`, two entities of the same kind; nil if their fields are equal.
    init?(from old: Entity, to new: Entity) {
        var mask: UInt64 = 0
        var values: [Int64] = []
        for index in new.fields.indices where new.fields[index] != old.fields[index] {
            mask |= 1 << UInt64(index)
            values.append(new.fields[index])
        }
        guard mask != 0 else { return nil }
        self.init(id: new.id, kind: new.kind, changedFields: mask, values: values)
    }
}

/// A room's entities, kept sorted by id so that iteration, encoding and hashing are deterministic.
///
/// Stored flat: a row per entity (id, kind, where its fields start) and one array of every entity's field values,
/// so that a state is two allocations however many entities it holds, and dropping it two frees. Every client decodes
/// a state of its room 30 times a second and drops an older one as often: with an array of fields per entity the bots
/// took 1.12 ms of CPU per client-second at arena-500, 0.96 ms with this (`tools/bench-compare`, three runs each).
/// The codecs, the hash and the rules' hot loops read and write fields by position (``id(at:)``, ``kind(at:)``,
/// ``subscript(_:field:)``); an ``Entity`` is a copy with an array of its own, for code that wants a value.
public struct EntityTable: Sendable, Hashable, RandomAccessCollection {
    @usableFromInline
    struct Row: Sendable, Hashable {
        @usableFromInline var id: EntityID
        @usableFromInline var kind: UInt8
        @usableFromInline var fieldCount: UInt8
        /// The index of the entity's first field in `values`.
        @usableFromInline var firstField: Int
    }

    /// One per entity, by increasing id.
    @usableFromInline var rows: [Row]
    /// The entities' fields one after the other, in row order, with no gaps.
    @usableFromInline var values: [Int64]

    public init() {
        rows = []
        values = []
    }

    /// Builds a table from entities in any order. Ids must be unique.
    public init(_ entities: some Sequence<Entity>) {
        let sorted = entities.sorted { $0.id < $1.id }
        for index in sorted.indices.dropFirst() {
            precondition(sorted[index - 1].id != sorted[index].id, "duplicate entity id")
        }
        self.init(sortedUnchecked: sorted)
    }

    /// Builds a table from entities already sorted by strictly increasing id, without sorting them again.
    ///
    /// - Precondition: the ids increase strictly (``append(id:kind:fieldCount:)`` traps otherwise).
    public init(sortedUnchecked entities: [Entity]) {
        self.init()
        reserveCapacity(entities: entities.count, fields: entities.reduce(0) { $0 + $1.fields.count })
        for entity in entities {
            let position = append(id: entity.id, kind: entity.kind, fieldCount: entity.fields.count)
            values.replaceSubrange(rows[position].firstField..., with: entity.fields)
        }
    }

    /// The number of field values of all entities together.
    public var fieldValueCount: Int { values.count }

    /// Makes room for `entities` entities with `fields` fields in all.
    public mutating func reserveCapacity(entities: Int, fields: Int) {
        rows.reserveCapacity(entities)
        values.reserveCapacity(fields)
    }

    // MARK: Reading by position

    @inlinable public var startIndex: Int { rows.startIndex }
    @inlinable public var endIndex: Int { rows.endIndex }

    /// A copy of the entity at `position`.
    @inlinable
    public subscript(position: Int) -> Entity {
        let row = rows[position]
        let first = row.firstField
        return Entity(id: row.id, kind: row.kind, fields: Array(values[first..<first + Int(row.fieldCount)]))
    }

    @inlinable
    public func id(at position: Int) -> EntityID { rows[position].id }

    @inlinable
    public func kind(at position: Int) -> UInt8 { rows[position].kind }

    @inlinable
    public func fieldCount(at position: Int) -> Int { Int(rows[position].fieldCount) }

    /// Field `field` of the entity at `position`.
    @inlinable
    public subscript(position: Int, field field: Int) -> Int64 {
        get {
            let row = rows[position]
            precondition(field >= 0 && field < Int(row.fieldCount), "field index out of range")
            return values[row.firstField + field]
        }
        set {
            let row = rows[position]
            precondition(field >= 0 && field < Int(row.fieldCount), "field index out of range")
            values[row.firstField + field] = newValue
        }
    }

    // MARK: Reading by id

    /// The position of the entity with `id`, found by binary search.
    @inlinable
    public func index(of id: EntityID) -> Int? {
        rows.sortedIndex(of: id, by: { $0.id })
    }

    @inlinable
    public subscript(id id: EntityID) -> Entity? {
        index(of: id).map { self[$0] }
    }

    // MARK: Changing

    /// Appends an entity with every field 0 and returns its position; for decoders, which fill in the fields.
    ///
    /// - Precondition: `id` is above every id in the table.
    @discardableResult
    public mutating func append(id: EntityID, kind: UInt8, fieldCount: Int) -> Int {
        precondition(rows.last.map { $0.id < id } ?? true, "entity ids must increase")
        precondition(fieldCount <= Int(UInt8.max), "too many fields")
        rows.append(Row(id: id, kind: kind, fieldCount: UInt8(fieldCount), firstField: values.count))
        values.append(contentsOf: repeatElement(0, count: fieldCount))
        return rows.count - 1
    }

    /// Inserts `entity`, or replaces the entity with its id.
    public mutating func upsert(_ entity: Entity) {
        let position = rows.insertionIndex(of: entity.id, by: { $0.id })
        if position < rows.count && rows[position].id == entity.id {
            replace(at: position, with: entity)
        } else {
            // An entity without fields first, where its fields will go; `replace` gives it them.
            let first = position < rows.count ? rows[position].firstField : values.count
            rows.insert(Row(id: entity.id, kind: entity.kind, fieldCount: 0, firstField: first), at: position)
            replace(at: position, with: entity)
        }
    }

    /// Lets `body` change the entity with `id` (not its id); returns false if there is none.
    @discardableResult
    public mutating func update(_ id: EntityID, _ body: (inout Entity) -> Void) -> Bool {
        guard let position = index(of: id) else { return false }
        update(at: position, body)
        return true
    }

    /// Lets `body` change every entity in id order. It must not change ids.
    public mutating func updateEach(_ body: (inout Entity) -> Void) {
        for position in rows.indices {
            update(at: position, body)
        }
    }

    /// Removes the entity with `id`; returns it, or nil if there was none.
    @discardableResult
    public mutating func remove(_ id: EntityID) -> Entity? {
        guard let position = index(of: id) else { return nil }
        let entity = self[position]
        let row = rows.remove(at: position)
        values.removeSubrange(row.firstField..<row.firstField + Int(row.fieldCount))
        moveFields(from: position, by: -Int(row.fieldCount))
        return entity
    }

    /// Removes every entity for which `shouldRemove` returns true.
    public mutating func removeAll(where shouldRemove: (Entity) -> Bool) {
        self = EntityTable(sortedUnchecked: filter { !shouldRemove($0) })
    }

    private mutating func update(at position: Int, _ body: (inout Entity) -> Void) {
        var entity = self[position]
        body(&entity)
        precondition(entity.id == rows[position].id, "an update must not change an entity's id")
        replace(at: position, with: entity)
    }

    /// Gives the row at `position` `entity`'s kind and fields, moving the fields of the rows after it if their
    /// count changed.
    private mutating func replace(at position: Int, with entity: Entity) {
        precondition(entity.fields.count <= Int(UInt8.max), "too many fields")
        let row = rows[position]
        let first = row.firstField
        values.replaceSubrange(first..<first + Int(row.fieldCount), with: entity.fields)
        rows[position].kind = entity.kind
        rows[position].fieldCount = UInt8(entity.fields.count)
        moveFields(from: position + 1, by: entity.fields.count - Int(row.fieldCount))
    }

    /// Moves where the fields of the rows from `position` on start, after the fields before them grew or shrank.
    private mutating func moveFields(from position: Int, by shift: Int) {
        guard shift != 0 else { return }
        for later in rows.indices.dropFirst(position) {
            rows[later].firstField += shift
        }
    }
}

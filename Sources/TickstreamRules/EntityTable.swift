/// A room's entities, kept sorted by id so that iteration, encoding and hashing are deterministic.
public struct EntityTable: Sendable, Hashable, RandomAccessCollection {
    public private(set) var entities: [Entity]

    public init() {
        self.entities = []
    }

    /// Builds a table from entities in any order. Ids must be unique.
    public init(_ entities: some Sequence<Entity>) {
        self.entities = entities.sorted { $0.id < $1.id }
        for index in self.entities.indices.dropFirst() {
            precondition(self.entities[index - 1].id != self.entities[index].id, "duplicate entity id")
        }
    }

    /// Builds a table from entities already sorted by strictly increasing id, without checking.
    public init(sortedUnchecked entities: [Entity]) {
        self.entities = entities
    }

    // Inlinable, like the lookups below: the codecs read every entity's id of every snapshot, and a call into this
    // module returned a copy of the entity, its fields retained and released, for each one.
    @inlinable public var startIndex: Int { entities.startIndex }
    @inlinable public var endIndex: Int { entities.endIndex }
    @inlinable public subscript(position: Int) -> Entity { entities[position] }

    /// The position of the entity with `id`, found by binary search.
    @inlinable
    public func index(of id: EntityID) -> Int? {
        entities.sortedIndex(of: id, by: { $0.id })
    }

    @inlinable
    public subscript(id id: EntityID) -> Entity? {
        get { index(of: id).map { entities[$0] } }
    }

    /// Inserts `entity`, or replaces the entity with its id.
    public mutating func upsert(_ entity: Entity) {
        let position = entities.insertionIndex(of: entity.id, by: { $0.id })
        if position < entities.count && entities[position].id == entity.id {
            entities[position] = entity
        } else {
            entities.insert(entity, at: position)
        }
    }

    /// Lets `body` change the entity with `id` (not its id); returns false if there is none.
    @discardableResult
    public mutating func update(_ id: EntityID, _ body: (inout Entity) -> Void) -> Bool {
        guard let index = index(of: id) else { return false }
        body(&entities[index])
        return true
    }

    /// Lets `body` change every entity in id order. It must not change ids.
    public mutating func updateEach(_ body: (inout Entity) -> Void) {
        for index in entities.indices {
            let id = entities[index].id
            body(&entities[index])
            precondition(entities[index].id == id, "updateEach must not change entity ids")
        }
    }

    /// Removes the entity with `id`; returns it, or nil if there was none.
    @discardableResult
    public mutating func remove(_ id: EntityID) -> Entity? {
        guard let index = index(of: id) else { return nil }
        return entities.remove(at: index)
    }

    /// Removes every entity for which `shouldRemove` returns true.
    public mutating func removeAll(where shouldRemove: (Entity) -> Bool) {
        entities.removeAll(where: shouldRemove)
    }
}

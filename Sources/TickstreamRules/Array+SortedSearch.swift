extension Array {
    /// The first position whose key is not below `key`, in an array sorted by `key`: where it is, or would go.
    ///
    /// The key comes from a closure rather than a key path: applying a `KeyPath` looks up its generic metadata at
    /// run time on every comparison, which made these searches a fifth of a busy arena tick (`perf`, README).
    @inlinable
    func insertionIndex<Key: Comparable>(of key: Key, by keyOf: (Element) -> Key) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if keyOf(self[middle]) < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The position of the element with `key`, in an array sorted by `key`, or nil.
    @inlinable
    func sortedIndex<Key: Comparable>(of key: Key, by keyOf: (Element) -> Key) -> Int? {
        let index = insertionIndex(of: key, by: keyOf)
        return index < count && keyOf(self[index]) == key ? index : nil
    }
}

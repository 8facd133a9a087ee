extension Array {
    /// The first position whose key is not below `key`, in an array sorted by `key`: where it is, or would go.
    @inlinable
    func insertionIndex<Key: Comparable>(of key: Key, by keyPath: KeyPath<Element, Key>) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle][keyPath: keyPath] < key {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    /// The position of the element with `key`, in an array sorted by `key`, or nil.
    @inlinable
    func sortedIndex<Key: Comparable>(of key: Key, by keyPath: KeyPath<Element, Key>) -> Int? {
        let index = insertionIndex(of: key, by: keyPath)
        return index < count && self[index][keyPath: keyPath] == key ? index : nil
    }
}

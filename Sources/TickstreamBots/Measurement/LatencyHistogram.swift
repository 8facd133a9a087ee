/// Latencies in microseconds, counted in log-linear buckets so that millions of samples take a fixed 30 KB.
///
/// Values under 128 µs are exact; above, each power of two is split into 64 buckets, so a percentile is off by
/// less than 1.6 %. The maximum and the sum are exact.
package struct LatencyHistogram: Sendable, Equatable {
    private static let subBucketBits = 6
    private static let subBucketCount = 1 << subBucketBits
    private static let exactLimit: UInt64 = 2 << subBucketBits
    private static let bucketCount = Int(exactLimit) + (63 - subBucketBits) * subBucketCount

    private var counts: [UInt64]
    /// Samples recorded.
    package private(set) var count: UInt64 = 0
    /// The largest sample, exact.
    package private(set) var maximum: UInt64 = 0
    private var sum: UInt64 = 0

    package init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    package mutating func record(microseconds value: UInt64) {
        counts[Self.bucket(of: value)] += 1
        count += 1
        maximum = max(maximum, value)
        sum &+= value
    }

    package mutating func record(_ duration: Duration) {
        record(microseconds: Self.microseconds(duration))
    }

    package mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        for index in counts.indices where other.counts[index] != 0 {
            counts[index] += other.counts[index]
        }
        count += other.count
        maximum = max(maximum, other.maximum)
        sum &+= other.sum
    }

    package mutating func reset() {
        self = LatencyHistogram()
    }

    /// The mean in microseconds; 0 when empty.
    package var mean: Double {
        count == 0 ? 0 : Double(sum) / Double(count)
    }

    /// The nearest-rank percentile in microseconds (the smallest value with at least `fraction` of the samples at
    /// or below it), as the middle of its bucket and never above the maximum; 0 when empty.
    ///
    /// - Parameter fraction: 0...1, e.g. 0.99 for p99.
    package func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, UInt64((fraction * Double(count)).rounded(.up)))
        guard rank < count else { return maximum }
        var seen: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() where bucketCount != 0 {
            seen += bucketCount
            if seen >= rank {
                return min(Self.middle(of: index), maximum)
            }
        }
        return maximum
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000)
    }

    static func bucket(of value: UInt64) -> Int {
        guard value >= exactLimit else { return Int(value) }
        let shift = (63 - value.leadingZeroBitCount) - subBucketBits
        let subBucket = Int(value >> UInt64(shift)) - subBucketCount
        return Int(exactLimit) + (shift - 1) * subBucketCount + subBucket
    }

    static func middle(of bucket: Int) -> UInt64 {
        guard bucket >= Int(exactLimit) else { return UInt64(bucket) }
        let offset = bucket - Int(exactLimit)
        let shift = UInt64(offset / subBucketCount + 1)
        let lower = UInt64(offset % subBucketCount + subBucketCount) << shift
        return lower + (1 << shift) / 2
    }
}

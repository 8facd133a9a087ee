import Testing
import TickstreamBots

@Suite struct LatencyHistogramTests {
    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value: UInt64 in [10, 20, 30, 40] {
            histogram.record(microseconds: value)
        }
        #expect(histogram.count == 4)
        #expect(histogram.percentile(0.25) == 10)
        #expect(histogram.percentile(0.5) == 20)
        #expect(histogram.percentile(0.75) == 30)
        #expect(histogram.percentile(0.99) == 40)
        #expect(histogram.percentile(1) == 40)
        #expect(histogram.maximum == 40)
        #expect(histogram.mean == 25)
    }

    @Test func nearestRankOnAUniformSpread() {
        var histogram = LatencyHistogram()
        for value in UInt64(1)...100_000 {
            histogram.record(microseconds: value)
        }
        for (fraction, exact) in [(0.5, 50_000.0), (0.95, 95_000.0), (0.99, 99_000.0), (0.999, 99_900.0)] {
            let value = Double(histogram.percentile(fraction))
            #expect(abs(value - exact) / exact < 0.016, "p\(fraction * 100) = \(value), not within 1.6 % of \(exact)")
        }
        #expect(histogram.percentile(1) == 100_000)
        #expect(histogram.maximum == 100_000)
    }

    @Test func aPercentileIsNeverAboveTheMaximum() {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: 33_001)
        #expect(histogram.percentile(0.5) == 33_001)
        #expect(histogram.percentile(0.99) == 33_001)
    }

    @Test func aTailShowsInTheHighPercentilesOnly() {
        var histogram = LatencyHistogram()
        for _ in 0..<990 {
            histogram.record(.milliseconds(20))
        }
        for _ in 0..<10 {
            histogram.record(.milliseconds(200))
        }
        #expect(abs(Double(histogram.percentile(0.99)) - 20_000) / 20_000 < 0.016)
        #expect(abs(Double(histogram.percentile(0.995)) - 200_000) / 200_000 < 0.016)
        #expect(histogram.maximum == 200_000)
    }

    @Test func mergingEqualsRecordingEverythingInOne() {
        var all = LatencyHistogram()
        var even = LatencyHistogram()
        var odd = LatencyHistogram()
        for value in UInt64(0)..<5_000 {
            let sample = value * value % 77_777
            all.record(microseconds: sample)
            if value % 2 == 0 { even.record(microseconds: sample) } else { odd.record(microseconds: sample) }
        }
        even.merge(odd)
        #expect(even == all)
    }

    @Test func emptyIsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.percentile(0.99) == 0)
        #expect(histogram.mean == 0)
    }

    @Test func hugeValuesFitTheLastBucket() {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: .max)
        histogram.record(microseconds: 1 << 40)
        #expect(histogram.maximum == .max)
        #expect(histogram.percentile(0.5) > 1 << 39)
    }
}

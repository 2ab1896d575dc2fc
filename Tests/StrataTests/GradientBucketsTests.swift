import XCTest
@testable import Strata

/// Gradient averaging's schedule, with a stand-in for the other rank of a two-rank job whose
/// gradients are all 1 (the MPI path itself runs in `DistributedTrainingTests`).
final class GradientBucketsTests: XCTestCase {
    /// Sums completing at once; each start notes which first-layer gradients existed then.
    private final class OtherRankOfOnes: RankSumming {
        let size = 2
        var starts: [(count: Int, firstLayerComputed: Bool)] = []
        var firstLayer: Tensor?

        final class Done: PendingSum {
            func isComplete() throws(StrataError) -> Bool { true }
            func wait() throws(StrataError) {}
        }

        func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) throws(StrataError) -> any PendingSum {
            for index in 0..<count { values[index] += 1 }
            starts.append((count, firstLayer?.grad != nil))
            return Done()
        }
    }

    /// One bucket per parameter: the buckets start during backward, last layer first, each
    /// once its gradient is complete, and end as the mean of this rank's gradient and the
    /// other's; a parameter no gradient reached (registered first, so its buckets come last)
    /// starts at the end and is averaged as zeros.
    func testBucketsStartDuringBackwardInOrderAndEndAsTheMean() throws {
        var generator = RandomGenerator(seed: 11)
        let first = Linear(4, 8), second = Linear(8, 3), idle = Linear(2, 2)
        let parameters = idle.parameters() + first.parameters() + second.parameters()
        let x = try Tensor.randn([5, 4], generator: &generator)
        let loss = { () throws -> Tensor in try second(relu(try first(x))).square().mean() }

        try loss().backward()
        let alone = parameters.map { $0.grad?.toArray() }
        for parameter in parameters { parameter.grad = nil }

        let otherRank = OtherRankOfOnes()
        otherRank.firstLayer = first.weight
        let buckets = GradientBuckets(parameters: parameters, ranks: otherRank, bucketBytes: 1)
        XCTAssertEqual(buckets.bucketCount, 6)
        buckets.beginStep()
        try loss().backward(gradientFinal: buckets.gradientFinal)
        XCTAssertEqual(otherRank.starts.map(\.count), [3, 24, 8, 32], "second's bias and weight, then first's, as backward completes them")
        XCTAssertFalse(otherRank.starts[0].firstLayerComputed, "the last layer's sum starts before backward reaches the first layer")
        try buckets.finishStep()
        XCTAssertEqual(otherRank.starts.map(\.count), [3, 24, 8, 32, 2, 4], "the unreached layer's buckets start at the end")
        for (parameter, own) in zip(parameters, alone) {
            let expected = (own ?? [Float](repeating: 0, count: parameter.count)).map { ($0 + 1) / 2 }
            XCTAssertEqual(parameter.grad?.toArray(), expected)
        }
    }

    /// With room for everything one bucket holds every gradient and starts once the first
    /// layer's are complete: the mean is the same.
    func testOneBucketStartsWhenItsLastGradientIsComplete() throws {
        var generator = RandomGenerator(seed: 12)
        let first = Linear(3, 6), second = Linear(6, 2)
        let parameters = first.parameters() + second.parameters()
        let x = try Tensor.randn([4, 3], generator: &generator)
        try second(tanh(try first(x))).sum().backward()
        let alone = parameters.map { $0.grad!.toArray() }
        for parameter in parameters { parameter.grad = nil }

        let otherRank = OtherRankOfOnes()
        otherRank.firstLayer = first.weight
        let buckets = GradientBuckets(parameters: parameters, ranks: otherRank)
        buckets.beginStep()
        try second(tanh(try first(x))).sum().backward(gradientFinal: buckets.gradientFinal)
        XCTAssertEqual(otherRank.starts.count, 1)
        XCTAssertEqual(otherRank.starts.first?.count, 3 * 6 + 6 + 6 * 2 + 2)
        XCTAssertTrue(otherRank.starts.first?.firstLayerComputed ?? false)
        try buckets.finishStep()
        for (parameter, own) in zip(parameters, alone) { XCTAssertEqual(parameter.grad?.toArray(), own.map { ($0 + 1) / 2 }) }
    }
}

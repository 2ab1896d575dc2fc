import XCTest
@testable import Strata

/// Hostile or degenerate input gives typed errors or sensible values, never a trap.
final class RobustnessTests: XCTestCase {
    func testAbsurdShapesAreRejected() {
        XCTAssertNotNil(thrownError { _ = try Tensor.zeros([1 << 40, 1 << 40]) })
        XCTAssertNotNil(thrownError { _ = try Tensor.zeros([Int.max, 2]) })
        XCTAssertNotNil(thrownError { _ = try Tensor.arange(0, .infinity) })
        XCTAssertNotNil(thrownError { _ = try Tensor.arange(0, 1, step: 0) })
        XCTAssertNotNil(thrownError { _ = try Tensor.arange(0, 1e30, step: 1e-30) })
        XCTAssertEqual(outputLength(input: 10, kernel: 3, stride: 0, padding: 0), 0)
        var generator = RandomGenerator(seed: 1)
        XCTAssertEqual(generator.nextInt(below: 0), 0)
    }

    func testEmptyBatchesFlowThroughEveryBackend() throws {
        for backend in [Backends.cpu, Backends.reference] {
            try withBackend(backend) {
                let x = try Tensor.zeros([0, 3, 8, 8]), w = try Tensor.zeros([4, 3, 3, 3])
                x.requiresGrad = true
                w.requiresGrad = true
                let y = try maxPool2d(relu(try conv2d(x, weight: w, padding: 1)), kernel: 2)
                XCTAssertEqual(y.shape, [0, 4, 4, 4])
                try y.backward(gradient: Tensor.zeros(y.shape))
                XCTAssertEqual(w.grad?.toArray(), [Float](repeating: 0, count: 108))
                XCTAssertEqual(try batchNorm(try Tensor.zeros([0, 3]), runningMean: try Tensor.zeros([3]),
                                             runningVar: try Tensor.ones([3]), training: false).shape, [0, 3])
            }
        }
    }

    func testNonFiniteValuesPropagateWithoutTrapping() throws {
        let x = try Tensor([.nan, .infinity, -.infinity, 1], shape: [1, 1, 2, 2])
        let pooled = try maxPool2d(x, kernel: 2)
        XCTAssertTrue(pooled.toArray()[0].isNaN || pooled.toArray()[0] == .infinity)
        let logits = try Tensor([.infinity, 0, .nan, 1], shape: [2, 2])
        XCTAssertNoThrow(try crossEntropy(logits, target: try Tensor(labels: [0, 1])))
        XCTAssertTrue(try softmax(logits).toArray().contains { $0.isNaN })
    }
}

/// Public calls given absurd parameters answer with errors or defined values.
final class AbsurdParameterTests: XCTestCase {
    func testSizesThatOverflow() throws {
        XCTAssertEqual(outputLength(input: Int.max, kernel: 3, stride: 1, padding: Int.max), 0)
        XCTAssertEqual(outputLength(input: 10, kernel: Int.max, stride: 1, padding: 0, dilation: Int.max), 0)
        let huge = Linear(1 << 40, 1 << 40)
        XCTAssertNotNil(thrownError { _ = try huge(try Tensor.zeros([1, 4])) })
        XCTAssertNotNil(thrownError { _ = try Conv2d(3, 8, kernel: [1 << 20, 1 << 20])(try Tensor.zeros([1, 3, 4, 4])) })
        XCTAssertNotNil(thrownError { _ = try summary(BatchNorm1d(1 << 40), input: [4]) })
        XCTAssertNotNil(thrownError { _ = try ModelFile.layer("Linear(1e30,4)") })
        // a weight of 4·10¹⁶ bytes is refused by name before it is made
        guard case .outOfMemory(let op, _, _)? = thrownError({ _ = try ModelFile.layer("Linear(100000000,100000000)") }) else {
            return XCTFail("a 10⁸×10⁸ linear layer should be out of memory")
        }
        XCTAssertTrue(op.contains("Linear(100000000,100000000)"), op)
        // an outer product of 10⁶-long vectors would be 4 TB
        let column = Tensor(zerosShape: [1_000_000, 1]), row = Tensor(zerosShape: [1, 1_000_000])
        guard case .outOfMemory(op: "matmul", _, _)? = thrownError({ _ = try Tensor.matmul(column, row) }) else {
            return XCTFail("a 10⁶×10⁶ product should be out of memory")
        }
        XCTAssertNotNil(thrownError { _ = try AugmentationSpecification.parse("crop:1e30") })
    }

    func testSplitsWithBadCounts() {
        XCTAssertTrue(Splits.kFold(count: 10, k: 0, seed: 1).isEmpty)
        XCTAssertTrue(Splits.kFold(count: 10, k: -3, seed: 1).isEmpty)
        XCTAssertTrue(Splits.stratifiedKFold(labels: [0, 1], k: -1, seed: 1).isEmpty)
        XCTAssertTrue(Splits.walkForward(count: 10, folds: -2, testSize: 3).isEmpty)
        XCTAssertEqual(Splits.stratified(labels: [0, 1, 0, 1], fraction: .nan, seed: 1).second, [])
        XCTAssertEqual(Splits.random(count: 4, fraction: 7, seed: 1).second.count, 4)
        XCTAssertEqual(Splits.chronological(count: 10, validation: .infinity, test: -1).train, 0..<10)
    }

    func testAugmentationsWithWildParameters() throws {
        let image = [Float](repeating: 1, count: 9), shape = [1, 3, 3]
        XCTAssertEqual(RandomZoom(range: 0...0).apply(image, shape: shape, parameters: 0), image)
        XCTAssertEqual(RandomRotation(maxDegrees: 1).apply(image, shape: shape, parameters: .nan), [Float](repeating: 0, count: 9))
        XCTAssertEqual(RandomTranslation(maxFraction: 1).apply(image, shape: shape, parameters: (dy: 1e30, dx: 0)),
                       [Float](repeating: 0, count: 9))
        let series: [Float] = [1, 2, 3, 4]
        XCTAssertEqual(WindowSlice(ratio: .nan).apply(series, shape: [1, 4], parameters: 0), series)
        XCTAssertEqual(TimeWarp(knots: -5).draw(&generator, shape: [1, 4]).count, 2)
    }

    private var generator = RandomGenerator(seed: 1)

    func testWindowIndicesAreChecked() throws {
        let frames = try Frames(series: try Tensor.arange(0, 20), frame: 5)
        XCTAssertNotNil(thrownError { _ = try frames.window(-1) })
        XCTAssertNotNil(thrownError { _ = try frames.future(frames.count) })
        XCTAssertEqual(frames.targets(.nextValue, [0, 99]).shape, [1, 1], "indices outside are left out")
    }
}

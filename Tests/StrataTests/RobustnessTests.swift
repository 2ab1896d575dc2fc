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

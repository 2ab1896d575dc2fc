import XCTest
import Strata

/// The library example of the README, verbatim, so it keeps compiling and running.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExample() throws {
        var rng = RandomGenerator(seed: 0)
        let x = try Tensor.randn([8, 3, 32, 32], generator: &rng)          // a batch of images
        let w = try Tensor.randn([16, 3, 3, 3], generator: &rng) * 0.1
        w.requiresGrad = true
        let y = relu(try conv2d(x, weight: w, stride: 2, padding: 1))        // 16@16×16
        let logits = try linear(try globalAvgPool2d(y).flatten(from: 1), weight: try Tensor.randn([10, 16], generator: &rng))
        let loss = try crossEntropy(logits, target: try Tensor(labels: [0, 1, 2, 3, 4, 5, 6, 7]))
        try loss.backward()                                                   // w.grad is 16×3×3×3

        XCTAssertEqual(y.shape, [8, 16, 16, 16])
        XCTAssertEqual(w.grad?.shape, [16, 3, 3, 3])
        XCTAssertGreaterThan(try loss.item(), 0)
        XCTAssertGreaterThan(w.grad!.toArray().map(Swift.abs).max()!, 0)
    }
}

import XCTest
@testable import Strata

/// Loss options beyond the golden cases, against values printed by PyTorch 2.13.
final class LossTests: XCTestCase {
    func testCrossEntropyWithClassWeightsIgnoreIndexAndSmoothing() throws {
        // x = torch.tensor([[1.0,-0.5,2.0],[0.3,0.2,-1.0],[-2.0,1.5,0.5],[0.0,0.1,0.2]], requires_grad=True)
        // l = F.cross_entropy(x, torch.tensor([2,0,1,1]), weight=torch.tensor([0.5,2.0,1.0]),
        //                     ignore_index=1, label_smoothing=0.2); l.backward()
        let x = try Tensor([1, -0.5, 2, 0.3, 0.2, -1, -2, 1.5, 0.5, 0, 0.1, 0.2], shape: [4, 3])
        x.requiresGrad = true
        let loss = try crossEntropy(x, target: try Tensor(labels: [2, 0, 1, 1]), weight: try Tensor([0.5, 2, 1]),
                                    ignoreIndex: 1, labelSmoothing: 0.2)
        XCTAssertEqual(try loss.item(), 0.8955987, accuracy: 1e-5)
        try loss.backward()
        assertClose(x.grad!, try Tensor([0.15256004, -0.0498897, -0.10267038, -0.09497495, 0.08657169, 0.00840326,
                                         0, 0, 0, 0, 0, 0], shape: [4, 3]), atol: 1e-6)
    }

    func testCrossEntropyPerPixel() throws {
        // F.cross_entropy(y, torch.tensor([[1,0],[0,1]]), reduction='none') for y of shape 2×2×2 (N×K×d)
        let y = try Tensor([0.2, -0.1, 0.4, 0.3, 1, 0.5, -0.5, 0], shape: [2, 2, 2])
        let losses = try crossEntropy(y, target: try Tensor(labels: [1, 0, 0, 1], shape: [2, 2]), reduction: .none)
        assertClose(losses, try Tensor([0.59813893, 0.91301525, 0.20141333, 0.97407699], shape: [2, 2]))
    }

    func testBinaryCrossEntropyWithWeights() throws {
        // z = torch.tensor([[0.5,-1.0],[2.0,0.1]], requires_grad=True)
        // F.binary_cross_entropy_with_logits(z, torch.tensor([[1.,0.],[0.,1.]]), weight=torch.tensor([1.0,0.5]),
        //                                    pos_weight=torch.tensor([3.0,2.0])).backward()
        let z = try Tensor([0.5, -1, 2, 0.1], shape: [2, 2])
        z.requiresGrad = true
        let loss = try binaryCrossEntropyWithLogits(z, target: try Tensor([1, 0, 0, 1], shape: [2, 2]),
                                                    weight: try Tensor([1, 0.5]), positiveWeight: try Tensor([3, 2]))
        XCTAssertEqual(try loss.item(), 1.0875467, accuracy: 1e-5)
        try loss.backward()
        assertClose(z.grad!, try Tensor([-0.2831555, 0.03361768, 0.22019926, -0.11875521], shape: [2, 2]), atol: 1e-6)
    }

    /// torch.log_softmax(torch.tensor([10000., 10001., 10002.]), 0) = −2.4076059, −1.4076059, −0.4076059:
    /// with the maximum subtracted before the log-sum, large inputs keep full precision.
    func testLogSoftmaxKeepsPrecisionAtLargeMagnitudes() throws {
        for backend in [Backends.cpu, Backends.reference] {
            try withBackend(backend) { () throws in
                let values = try logSoftmax(try Tensor([10_000, 10_001, 10_002], shape: [1, 3]), axis: 1).toArray()
                for (value, expected) in zip(values, [-2.4076059644, -1.4076059644, -0.4076059644]) {
                    XCTAssertEqual(Double(value), expected, accuracy: 1e-6, backend.name)
                }
                let loss = try crossEntropy(try Tensor([-20_000, 20_000, 19_999.5], shape: [1, 3]), target: try Tensor(labels: [2]))
                XCTAssertEqual(Double(try loss.item()), 0.974076984, accuracy: 1e-5, backend.name)
            }
        }
    }
}

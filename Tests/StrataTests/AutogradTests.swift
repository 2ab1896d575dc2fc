import Foundation
import XCTest
@testable import Strata

final class AutogradTests: XCTestCase {
    func testGradientsAccumulateAcrossBackwardCalls() throws {
        let x = try Tensor([1, 2, 3], shape: [3])
        x.requiresGrad = true
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [2, 4, 6])
        try (x * 3).sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [5, 7, 9])
    }

    func testSharedSubexpressionsSumTheirGradients() throws {
        let x = try Tensor([2], shape: [1])
        x.requiresGrad = true
        let y = x.exp()
        let z = try y * y + y          // d/dx = 2e^{2x} + e^x
        try z.sum().backward()
        let expected = 2 * Foundation.exp(Float(4)) + Foundation.exp(Float(2))
        XCTAssertEqual(x.grad!.toArray()[0], expected, accuracy: expected * 1e-5)
    }

    func testBackwardWithGradientForNonScalars() throws {
        let x = try Tensor([1, 2], shape: [2])
        x.requiresGrad = true
        let y = x * 3
        try y.backward(gradient: Tensor([1, 10], shape: [2]))
        XCTAssertEqual(x.grad?.toArray(), [3, 30])
    }

    func testNoGradientsRecordedInsideWithoutGradients() throws {
        let x = try Tensor([1, 2], shape: [2])
        x.requiresGrad = true
        let y = withoutGradients { x * 2 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertNil(y.gradFn)
        XCTAssertTrue((x * 2).requiresGrad)
    }

    func testDetachCutsTheGraph() throws {
        let x = try Tensor([1, 2], shape: [2])
        x.requiresGrad = true
        let y = try x.square().detach() * x
        try y.sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [1, 4])   // only through the second factor
    }

    func testGraphIsFreedUnlessRetained() throws {
        let x = try Tensor([1, 2], shape: [2])
        x.requiresGrad = true
        let y = x.square().sum()
        try y.backward(retainGraph: true)
        try y.backward()
        XCTAssertEqual(x.grad?.toArray(), [4, 8])
        guard case .autograd(let message)? = thrownError({ try y.backward() }) else { return XCTFail() }
        XCTAssertTrue(message.contains("already freed"), message)
    }

    func testBackwardErrorsAreTyped() throws {
        let x = try Tensor([1, 2], shape: [2])
        guard case .autograd(let message)? = thrownError({ try x.backward() }) else { return XCTFail() }
        XCTAssertTrue(message.contains("does not require gradients"), message)
        x.requiresGrad = true
        let y = x * 2
        guard case .autograd(let second)? = thrownError({ try y.backward() }) else { return XCTFail() }
        XCTAssertTrue(second.contains("one element"), second)
        guard case .autograd(let third)? = thrownError({ try y.backward(gradient: Tensor([1], shape: [1])) }) else { return XCTFail() }
        XCTAssertTrue(third.contains("[1]") && third.contains("[2]"), third)
    }

    func testDeepChainsDoNotOverflowTheStack() throws {
        let x = try Tensor([1], shape: [1])
        x.requiresGrad = true
        var y = x
        for _ in 0..<20_000 { y = y + 0.001 }
        try y.sum().backward()
        XCTAssertEqual(x.grad?.toArray(), [1])
    }

    func testModifyingASavedTensorInPlaceIsATypedErrorNamingTheOp() throws {
        // PyTorch's classic: an optimizer step between forward and backward changes the
        // weights the product saved, so the gradient would silently be wrong
        let weight = try Tensor([0.5, -1, 2], shape: [3])
        weight.requiresGrad = true
        let x = try Tensor([1, 2, 3], shape: [3])
        let loss = try (weight * x).square().sum()
        try loss.backward(retainGraph: true)
        let sgd = try SGD(parameters: [weight], learningRate: 0.1)
        sgd.step()
        XCTAssertThrowsError(try loss.backward()) { error in
            guard case let .modifiedInPlace(op, tensor, saved, current) = error as? StrataError else {
                return XCTFail("expected modifiedInPlace, got \(error)")
            }
            XCTAssertEqual(op, "multiply")
            XCTAssertEqual(tensor, "operand 1 of 2, shape [3]")
            XCTAssertEqual(current, saved + 1)
            XCTAssertTrue("\(error)".contains("backward of 'multiply'"), "\(error)")
        }
        // a fresh forward pass on the changed weights is fine
        weight.grad = nil
        try (weight * x).square().sum().backward()
        // w' = w − 0.1·2(w·x)x = [0.4, −0.2, −1.6], so 2(w'·x)x = [0.8, −1.6, −28.8]
        for (actual, expected) in zip(try XCTUnwrap(weight.grad).toArray(), [Float(0.8), -1.6, -28.8]) {
            XCTAssertEqual(actual, expected, accuracy: 1e-5)
        }
    }

    func testModifyingAnOutputThatBackwardSavedIsCaught() throws {
        let x = try Tensor([0.5, -1], shape: [2])
        x.requiresGrad = true
        let y = x.exp()   // exp's backward uses its output
        let loss = y.sum()
        y.withMutableFloats { $0[0] = 7 }
        XCTAssertThrowsError(try loss.backward()) { error in
            guard case let .modifiedInPlace(op, tensor, _, _) = error as? StrataError else {
                return XCTFail("expected modifiedInPlace, got \(error)")
            }
            XCTAssertEqual(op, "exp")
            XCTAssertEqual(tensor, "its output")
        }
    }

    /// Backward reports each leaf once, right after the last operation that reads it: the last
    /// layer's weight while the first layer's gradient is not computed yet, a weight read twice
    /// only once both gradients are in, and never a leaf that no gradient reaches.
    func testBackwardReportsEachLeafWhenItsGradientIsComplete() throws {
        var generator = RandomGenerator(seed: 5)
        let x = try Tensor.randn([3, 4], generator: &generator)
        let (w1, w2, shared, unused) = (try Tensor.randn([5, 4], generator: &generator), try Tensor.randn([2, 5], generator: &generator),
                                        try Tensor.randn([2], generator: &generator), try Tensor.randn([2], generator: &generator))
        for leaf in [w1, w2, shared, unused] { leaf.requiresGrad = true }
        // shared scales the hidden layer's first two units and the output
        let hidden = relu(try linear(x, weight: w1))
        let scaled = try hidden.slice(axis: 1, end: 2) * shared
        let output = try linear(hidden, weight: w2) * shared + scaled
        var reports: [(leaf: Tensor, gradient: [Float], firstLayerDone: Bool)] = []
        try (output.square().sum() + unused.sum() * 0).backward(gradientFinal: { leaf in
            reports.append((leaf, leaf.grad?.toArray() ?? [], w1.grad != nil))
        })
        XCTAssertEqual(reports.count, 4, "every leaf reached, once each")
        XCTAssertTrue(reports.contains { $0.leaf === unused }, "unused × 0 still passes a (zero) gradient back")
        let order = reports.map { report in [w1, w2, shared, unused].firstIndex { $0 === report.leaf }! }
        XCTAssertLessThan(order.firstIndex(of: 1)!, order.firstIndex(of: 0)!, "the last layer before the first")
        XCTAssertFalse(reports.first { $0.leaf === w2 }!.firstLayerDone, "w2 reported while w1's gradient is still to come")
        for report in reports { XCTAssertEqual(report.gradient, report.leaf.grad!.toArray(), "reported with its final gradient") }
    }

    func testNodesNoGradientReachesAreReleasedByBackward() throws {
        let x = try Tensor([1, 2], shape: [2])
        x.requiresGrad = true
        let hidden = x.square()
        // an operation that passes no gradient to its operand: `hidden`'s node gets none
        let blocked = Tensor.record(Kernels.scale(hidden.detach(), 2), "stopGradient", inputs: [hidden]) { _ in [nil] }
        let loss = try (blocked + x).sum()
        let hiddenNode = try XCTUnwrap(hidden.gradFn)
        try loss.backward()
        XCTAssertTrue(hiddenNode.isReleased, "a node skipped by backward still holds its saved tensors")
        XCTAssertEqual(x.grad?.toArray(), [1, 1])
    }
}

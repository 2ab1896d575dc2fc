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
}

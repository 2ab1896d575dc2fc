import Foundation
import XCTest
@testable import Strata

final class OptimizerTests: XCTestCase {
    func testSGDMomentumFirstStepTakesTheGradient() throws {
        // torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5): buf = g on step 1, then 0.9·buf + 0.5·g
        let p = try Tensor([1], shape: [1])
        let sgd = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9, dampening: 0.5)
        p.grad = try Tensor([1], shape: [1])
        sgd.step()
        XCTAssertEqual(p.toArray()[0], 0.9, accuracy: 1e-6)
        sgd.step()
        XCTAssertEqual(p.toArray()[0], 0.9 - 0.1 * (0.9 + 0.5), accuracy: 1e-6)
    }

    func testParameterGroupsUseTheirOwnLearningRates() throws {
        let backbone = try Tensor([1], shape: [1]), head = try Tensor([1], shape: [1])
        let sgd = try SGD(groups: [ParameterGroup(parameters: [backbone], learningRate: 0.01),
                                   ParameterGroup(parameters: [head], learningRate: 1)])
        backbone.grad = try Tensor([1], shape: [1])
        head.grad = try Tensor([1], shape: [1])
        sgd.step()
        XCTAssertEqual(backbone.toArray(), [0.99])
        XCTAssertEqual(head.toArray(), [0])
        sgd.zeroGrad()
        XCTAssertNil(head.grad)
        sgd.step()  // no gradients: nothing moves
        XCTAssertEqual(head.toArray(), [0])
    }

    func testAdamMinimisesAQuadratic() throws {
        let x = try Tensor([3, -2], shape: [2])
        x.requiresGrad = true
        let adam = try Adam(parameters: [x], learningRate: 0.1)
        for _ in 0..<300 {
            adam.zeroGrad()
            try x.square().sum().backward()
            adam.step()
        }
        XCTAssertTrue(x.toArray().allSatisfy { Swift.abs($0) < 0.05 }, "\(x.toArray())")
    }

    func testAMSGradKeepsTheLargestSecondMoment() throws {
        // step 1 g=1: v=0.001, m=0.1 → p -= 0.1·1/(1+eps); step 2 g=0: v shrinks but max keeps 0.001
        let p = try Tensor([0], shape: [1])
        let adam = try Adam(groups: [ParameterGroup(parameters: [p], learningRate: 0.1)], amsgrad: true)
        p.grad = try Tensor([1], shape: [1])
        adam.step()
        XCTAssertEqual(p.toArray()[0], -0.1, accuracy: 1e-6)
        p.grad = try Tensor([0], shape: [1])
        adam.step()
        let stepSize = 0.1 / (1 - 0.81), denominator = 0.001.squareRoot() / (1 - 0.998001).squareRoot() + 1e-8
        XCTAssertEqual(Double(p.toArray()[0]), -0.1 - stepSize * 0.09 / denominator, accuracy: 1e-5)
    }
}

final class OptimizerStateTests: XCTestCase {
    func testSavedStateContinuesExactlyLikeTheOriginal() throws {
        // two identical Adam runs; one is saved after 3 steps and loaded into a fresh optimizer
        func parameters() throws -> [Tensor] { [try Tensor([1, -2, 3], shape: [3]), try Tensor([0.5], shape: [1])] }
        let original = try parameters(), copy = try parameters()
        let adam = try Adam(parameters: original, learningRate: 0.1, weightDecay: 0.01)
        var rng = RandomGenerator(seed: 1)
        let gradients = try (0..<6).map { _ in [try Tensor.randn([3], generator: &rng), try Tensor.randn([1], generator: &rng)] }
        for step in 0..<3 {
            for (p, g) in zip(original, gradients[step]) { p.grad = g }
            adam.step()
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("adam-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try adam.saveState(to: path)
        for (a, b) in zip(copy, original) { withoutGradients { Kernels.copy(b, into: a) } }
        let resumed = try Adam(parameters: copy, learningRate: 0.5, weightDecay: 0.01)
        try resumed.loadState(from: path)
        XCTAssertEqual(resumed.groups[0].learningRate, 0.1)
        for step in 3..<6 {
            for (p, g) in zip(original, gradients[step]) { p.grad = g }
            for (p, g) in zip(copy, gradients[step]) { p.grad = g }
            adam.step()
            resumed.step()
        }
        for (a, b) in zip(original, copy) { XCTAssertEqual(a.toArray(), b.toArray()) }
        let wrong = try Adam(parameters: [try Tensor([1, 2], shape: [2])])
        XCTAssertNotNil(thrownError { try wrong.loadState(from: path) })
    }
}

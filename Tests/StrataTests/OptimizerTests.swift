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

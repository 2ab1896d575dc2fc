import XCTest
@testable import Strata

/// Learning-rate schedules equal PyTorch's step by step. Golden values from PyTorch 2.13:
///
///     p = torch.nn.Parameter(torch.zeros(1)); opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
///     s = <scheduler>(opt, …); lrs = [opt.param_groups[0]['lr']]
///     for i in range(12): opt.step(); s.step(); lrs.append(opt.param_groups[0]['lr'])
final class SchedulerTests: XCTestCase {
    private func rates(_ rule: LearningRateScheduler.Rule, metrics: [Float]? = nil) throws -> ([Float], [Float]) {
        let p = try Tensor.zeros([1])
        let sgd = try SGD(parameters: [p], learningRate: 0.1, momentum: 0.9)
        let scheduler = try LearningRateScheduler(sgd, rule: rule)
        var rates = [scheduler.learningRates[0]], momenta = [sgd.momentum]
        for i in 0..<12 {
            scheduler.step(metric: metrics?[i])
            rates.append(scheduler.learningRates[0])
            momenta.append(sgd.momentum)
        }
        return (rates, momenta)
    }

    private func assertRates(_ actual: [Float], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (step, (a, e)) in zip(actual, expected).enumerated() {
            XCTAssertEqual(Double(a), e, accuracy: 1e-6 + 1e-5 * e, "step \(step)", file: file, line: line)
        }
    }

    func testStepLR() throws {  // StepLR(opt, 3, 0.5)
        assertRates(try rates(.step(stepSize: 3, gamma: 0.5)).0,
                    [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625])
    }

    func testMultiStepLR() throws {  // MultiStepLR(opt, [2, 5, 9], 0.1)
        assertRates(try rates(.multiStep(milestones: [2, 5, 9], gamma: 0.1)).0,
                    [0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 0.0001, 0.0001, 0.0001, 0.0001])
    }

    func testExponentialLR() throws {  // ExponentialLR(opt, 0.9)
        assertRates(try rates(.exponential(gamma: 0.9)).0,
                    [0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721, 0.038742049,
                     0.034867844, 0.03138106, 0.028242954])
    }

    func testCosineAnnealingLR() throws {  // CosineAnnealingLR(opt, 10, 0.001)
        assertRates(try rates(.cosineAnnealing(tMax: 10, minimum: 0.001)).0,
                    [0.1, 0.097577298, 0.090546341, 0.07959537, 0.065796341, 0.0505, 0.035203659, 0.02140463,
                     0.010453659, 0.003422702, 0.001, 0.003422702, 0.010453659])
    }

    func testOneCycleLRWithMomentum() throws {  // OneCycleLR(opt, max_lr=1.0, total_steps=12)
        let (rates, momenta) = try rates(.oneCycle(maxLearningRate: 1, totalSteps: 12, pctStart: 0.3, divFactor: 25,
                                                   finalDivFactor: 1e4, baseMomentum: 0.85, maxMomentum: 0.95))
        assertRates(rates, [0.04, 0.349789654, 0.879285159, 0.994415435, 0.93301297, 0.811745654, 0.647378998,
                            0.462637103, 0.283060998, 0.13347753, 0.034566987, 4e-06, 0.034566987])
        assertRates(momenta, [0.95, 0.917730244, 0.862574463, 0.850558459, 0.85669873, 0.86882551, 0.885262241,
                              0.903736505, 0.921694187, 0.936652594, 0.946543687, 0.95, 0.946543687])
    }

    /// OneCycleLR(opt, max_lr=[1.0, 0.1], total_steps=12) on two parameter groups: each
    /// cycles to its own peak (a head and a backbone in transfer learning).
    func testOneCycleLRWithAPeakPerGroup() throws {
        let optimizer = try SGD(groups: [ParameterGroup(parameters: [try Tensor.zeros([1])], learningRate: 1),
                                         ParameterGroup(parameters: [try Tensor.zeros([1])], learningRate: 0.1)], momentum: 0.9)
        let scheduler = try LearningRateScheduler(optimizer, rule: .oneCycle(maxLearningRate: 1, totalSteps: 12, pctStart: 0.3,
                                                                             divFactor: 25, finalDivFactor: 1e4, baseMomentum: 0.85,
                                                                             maxMomentum: 0.95), groupPeaks: [1, 0.1])
        var head: [Float] = [], backbone: [Float] = []
        for _ in 0..<13 {
            head.append(scheduler.learningRates[0])
            backbone.append(scheduler.learningRates[1])
            scheduler.step()
        }
        assertRates(head, [0.04, 0.349789654, 0.879285159, 0.994415435, 0.93301297, 0.811745654, 0.647378998,
                           0.462637103, 0.283060998, 0.13347753, 0.034566987, 4e-06, 0.034566987])
        assertRates(backbone, head.map { Double($0) / 10 })
    }

    func testLinearWarmup() throws {  // LinearLR(opt, start_factor=0.25, total_iters=4)
        assertRates(try rates(.linear(startFactor: 0.25, endFactor: 1, totalIterations: 4)).0,
                    [0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
    }

    func testReduceLROnPlateau() throws {  // ReduceLROnPlateau(opt, factor=0.5, patience=2), s.step(metric)
        let metrics: [Float] = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85]
        assertRates(try rates(.reduceOnPlateau(factor: 0.5, patience: 2, threshold: 1e-4, cooldown: 0, minimum: 0),
                              metrics: metrics).0,
                    [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025])
    }

    func testGradientClippingByNorm() throws {
        // torch.nn.utils.clip_grad_norm_([a, b], 1.0) with grads [3, 0] and [4]: norm 5, scaled by 1/(5 + 1e-6)
        let a = try Tensor.zeros([2]), b = try Tensor.zeros([1])
        a.grad = try Tensor([3, 0], shape: [2])
        b.grad = try Tensor([4], shape: [1])
        XCTAssertEqual(clipGradientNorm([a, b], maxNorm: 1), 5)
        XCTAssertEqual(a.grad!.toArray()[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad!.toArray()[0], 0.8, accuracy: 1e-6)
    }
}

import XCTest
@testable import Strata

/// Runs `body` as if `free` cores were free in the load-following mode, or with every
/// core (`nil`).
private func withFreeCores<T>(_ free: Int?, _ body: () throws -> T) rethrows -> T {
    let (savedPolicy, savedFree) = (CoreAvailability.policy, CoreAvailability.freeCoresOverride)
    CoreAvailability.policy = free == nil ? .allCores : .adaptive
    CoreAvailability.freeCoresOverride = free
    defer { (CoreAvailability.policy, CoreAvailability.freeCoresOverride) = (savedPolicy, savedFree) }
    return try body()
}

/// Following the load, the fast backend gives the same bits whichever cores are free, forward
/// and backward, for every op: a run is repeatable whether it had the machine to itself or
/// shared it (and a resumed run ends with the weights of an uninterrupted one).
final class ThreadInvarianceTests: XCTestCase {
    /// Free-core counts to try: 1 up to every core (at least 2, so a 1-core machine still
    /// runs a two-thread split).
    private let freeCores = Array(1...Swift.max(2, Swift.min(Parallel.coreCount, 4)))

    /// The case's output and input gradients with `free` cores free in adaptive mode, or
    /// with every core (`nil`).
    private func run(_ opCase: OpCase, free: Int?) throws -> [Tensor] {
        try withFreeCores(free) { try opCase.outputAndGradients(on: Backends.cpu) }
    }

    private func assertInvariance(_ opCases: [OpCase]) throws {
        for opCase in opCases {
            let everyCore = try run(opCase, free: nil)
            for free in freeCores {
                for (index, (a, b)) in zip(try run(opCase, free: free), everyCore).enumerated() {
                    XCTAssertEqual(a.toArray().map(\.bitPattern), b.toArray().map(\.bitPattern),
                                   "\(opCase.name), \(index == 0 ? "output" : "grad \(index - 1)"): \(free) free cores against every core")
                }
            }
        }
    }

    /// Scales 8 to 32 engage oneDNN's blocked kernels and batch splits.
    private func cases(seeds: [UInt64], _ make: (UInt64, Int) -> [OpCase]) -> [OpCase] {
        zip(seeds, [8, 16, 32]).flatMap { make($0, $1) }
    }

    func testEveryOpGivesTheSameBitsOnAnyThreadCount() throws {
        try assertInvariance(cases(seeds: [41, 42, 43], OpCatalogue.cases))
    }

    func testBlockedChainsGiveTheSameBitsOnAnyThreadCount() throws {
        try assertInvariance(cases(seeds: [51, 52, 53], OpCatalogue.chains))
    }

    func testLargeMatrixProductsGiveTheSameBitsOnAnyThreadCount() throws {
        // a long inner dimension (a linear layer's weight gradient over a batch of 512)
        var rng = RandomGenerator(seed: 61)
        let opCase = OpCase(name: "matmul k=512", inputs: [try Tensor.randn([96, 512], generator: &rng),
                                                           try Tensor.randn([512, 80], generator: &rng)]) {
            try Tensor.matmul($0[0], $0[1])
        }
        try assertInvariance([opCase])
    }
}

/// Whole training steps: a 1-D CNN with batch norm (the shape of W4) trained for a few
/// Adam steps ends with the same bits with one free core as with every core.
final class TrainingThreadInvarianceTests: XCTestCase {
    private func trainedState(free: Int?) throws -> [[UInt32]] {
        try withFreeCores(free) { try train() }
    }

    private func train() throws -> [[UInt32]] {
        Random.seed(11)
        let model = Models.sequenceCNN(channels: 3, classes: 6, width: 32)
        let optimizer = try Adam(parameters: model.parameters(), learningRate: 1e-3)
        var rng = RandomGenerator(seed: 12)
        for _ in 0..<4 {
            let x = try Tensor.randn([37, 3, 120], generator: &rng)
            let labels = try Tensor(labels: (0..<37).map { _ in rng.nextInt(below: 6) })
            optimizer.zeroGrad()
            try crossEntropy(try model(x), target: labels).backward()
            optimizer.step()
        }
        return model.stateDict().map { $0.1.toArray().map(\.bitPattern) }
    }

    func testAFewAdamStepsEndWithTheSameWeightsWhateverCoresAreFree() throws {
        let everyCore = try trainedState(free: nil)
        for free in 1...Swift.max(2, Swift.min(Parallel.coreCount, 4)) {
            XCTAssertEqual(try trainedState(free: free), everyCore, "\(free) free cores")
        }
    }
}

import XCTest
@testable import Strata

/// 3×3 convolutions with stride 1 run as Winograd's F(4×4, 3×3) where oneDNN has it (AVX-512,
/// batches from 16): the values stay those of the definition (the reference backend), the
/// gradients the same bits whichever cores are free, and small channel counts stay direct.
final class ConvolutionWinogradTests: XCTestCase {
    private let same = ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1],
                                           dilation: [1, 1], groups: 1)
    /// oneDNN 2.6 has Winograd kernels for AVX-512 cores only.
    private let machineHasWinograd = DNNL.runsAVX512

    private func forwardEntry(input: [Int], weight: [Int]) throws -> DNNLConvolution.Entry {
        try XCTUnwrap(DNNLConvolution.forward(DNNLConvolution.Key(input: input, weight: weight, withBias: true,
                                                                    geometry: same)))
    }

    func testWinogradRunsOnAVX512FromSixteenChannelsAndSamplesOnly() throws {
        // a CIFAR network's middle layer, and W5's
        XCTAssertEqual(DNNLConvolution.runsWinograd(try forwardEntry(input: [16, 32, 12, 12], weight: [48, 32, 3, 3])),
                       machineHasWinograd)
        XCTAssertEqual(DNNLConvolution.runsWinograd(try forwardEntry(input: [16, 64, 56, 56], weight: [64, 64, 3, 3])),
                       machineHasWinograd)
        // and both backward passes of the first
        let key = DNNLConvolution.Key(input: [16, 32, 12, 12], weight: [48, 32, 3, 3], withBias: true, geometry: same)
        XCTAssertEqual(DNNLConvolution.runsWinograd(try XCTUnwrap(DNNLConvolution.backwardData(key))), machineHasWinograd)
        XCTAssertEqual(DNNLConvolution.runsWinograd(try XCTUnwrap(
            DNNLConvolution.backwardWeights(key, threads: CoreAvailability.workSplit))), machineHasWinograd)
        // a batch of 15 stays direct, whatever the thread count
        XCTAssertFalse(DNNLConvolution.runsWinograd(try forwardEntry(input: [15, 32, 12, 12], weight: [48, 32, 3, 3])))
        // LeNet-like 6 channels and RGB input: padded to 16 they would run slower, so direct
        XCTAssertFalse(DNNLConvolution.runsWinograd(try forwardEntry(input: [16, 6, 14, 14], weight: [16, 6, 3, 3])))
        XCTAssertFalse(DNNLConvolution.runsWinograd(try forwardEntry(input: [16, 3, 32, 32], weight: [64, 3, 3, 3])))
        // a 5×5 kernel has no Winograd kernel
        let wide = ConvolutionGeometry(stride: [1, 1], paddingBefore: [2, 2], paddingAfter: [2, 2], dilation: [1, 1], groups: 1)
        XCTAssertFalse(DNNLConvolution.runsWinograd(try XCTUnwrap(DNNLConvolution.forward(
            DNNLConvolution.Key(input: [16, 32, 12, 12], weight: [48, 32, 5, 5], withBias: false, geometry: wide)))))
    }

    func testForwardAndBothGradientsAgreeWithTheDefinition() throws {
        var rng = RandomGenerator(seed: 71)
        let cpu = CPUBackend(), reference = ReferenceBackend()
        let x = try Tensor.randn([16, 32, 12, 12], generator: &rng)
        let w = try Tensor.randn([48, 32, 3, 3], generator: &rng) * 0.1
        let b = try Tensor.randn([48], generator: &rng)
        // the kernels compared with the definition below are Winograd's wherever oneDNN has them
        XCTAssertEqual(DNNLConvolution.runsWinograd(try forwardEntry(input: x.shape, weight: w.shape)), machineHasWinograd)
        for activation in [nil, Activation.relu] {
            let fast = cpu.convolutionForward(input: x, weight: w, bias: b, geometry: same, activation: activation)
            var exact = reference.convolutionForward(input: x, weight: w, bias: b, geometry: same, activation: nil)
            if activation != nil { exact = reference.activationForward(.relu, input: exact) }
            assertClose(fast, exact, rtol: 1e-4, atol: 1e-4, "forward, activation \(String(describing: activation))")
        }
        let dy = try Tensor.randn([16, 48, 12, 12], generator: &rng)
        let fast = cpu.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: same,
                                           needsInput: true, needsWeight: true, withBias: true)
        // weight and bias gradients sum over 16 × 144 positions: |dW| up to ≈ 150
        try assertGradientsMatchTheReference(fast, gradOutput: dy, input: x, weight: w, geometry: same,
                                             inputAtol: 1e-4, weightAtol: 1e-3, "Winograd")
    }

    func testOutputAndGradientsAreTheSameBitsWhateverCoresAreFree() throws {
        var rng = RandomGenerator(seed: 72)
        let x = try Tensor.randn([16, 32, 12, 12], generator: &rng)
        let w = try Tensor.randn([48, 32, 3, 3], generator: &rng) * 0.1
        let dy = try Tensor.randn([16, 48, 12, 12], generator: &rng)
        assertConvolutionIsTheSameBitsWhateverCoresAreFree(input: x, weight: w, gradOutput: dy, geometry: same)
    }
}

import XCTest
import CDNNL
@testable import Strata

/// Strata's weight and bias gradient for convolutions of one input channel
/// (`SingleInputChannelWeightGradient`), which runs where oneDNN runs its AVX2 kernels: the
/// definition's values (the reference backend) on shapes that cross every edge of its
/// vectors and register blocks, the backend's convolution backward taking it, the same bits
/// whichever cores are free, and other shapes staying with oneDNN. `runsOwnKernel` is
/// switched on so that any machine runs it.
final class SingleInputChannelWeightGradientTests: XCTestCase {
    private func geometry(before: [Int], after: [Int], stride: [Int] = [1, 1], dilation: [Int] = [1, 1],
                          groups: Int = 1) -> ConvolutionGeometry {
        ConvolutionGeometry(stride: stride, paddingBefore: before, paddingAfter: after, dilation: dilation, groups: groups)
    }

    override func setUp() {
        super.setUp()
        SingleInputChannelWeightGradient.runsOwnKernel = true
    }

    override func tearDown() {
        SingleInputChannelWeightGradient.runsOwnKernel = !DNNL.runsAVX512
        super.tearDown()
    }

    func testItRunsForStrideOneUndilatedConvolutionsOfOneInputChannelOnly() {
        let key = { (input: [Int], weight: [Int], geometry: ConvolutionGeometry) in
            DNNLConvolution.Key(input: input, weight: weight, withBias: true, geometry: geometry)
        }
        let lenet = geometry(before: [2, 2], after: [2, 2])
        XCTAssertTrue(SingleInputChannelWeightGradient.applies(key([64, 1, 28, 28], [6, 1, 5, 5], lenet)))
        XCTAssertTrue(SingleInputChannelWeightGradient.applies(key([16, 1, 1, 300], [128, 1, 1, 8],
                                                                   geometry(before: [0, 3], after: [0, 4]))), "a 1-D series")
        XCTAssertTrue(SingleInputChannelWeightGradient.applies(key([1, 1, 4, 4], [3, 1, 1, 1], geometry(before: [3, 3], after: [0, 0]))))
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([64, 3, 28, 28], [6, 3, 5, 5], lenet)), "three channels")
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([64, 1, 28, 28], [6, 1, 5, 5], geometry(before: [2, 2], after: [2, 2],
                                                                                                              stride: [2, 2]))))
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([64, 1, 28, 28], [6, 1, 5, 5], geometry(before: [2, 2], after: [2, 2],
                                                                                                              dilation: [2, 1]))))
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([8, 1, 3, 9], [6, 1, 5, 5], geometry(before: [0, 0], after: [0, 0]))),
                       "no output rows")
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([64, 1, 28, 28, 28], [6, 1, 5, 5, 5],
                                                                    geometry(before: [2, 2, 2], after: [2, 2, 2],
                                                                             stride: [1, 1, 1], dilation: [1, 1, 1]))), "3-D")
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([8, 1, 9, 9], [6, 1, 3, 3], geometry(before: [-1, 0], after: [0, 0]))),
                       "negative padding (a crop)")
        SingleInputChannelWeightGradient.runsOwnKernel = false
        XCTAssertFalse(SingleInputChannelWeightGradient.applies(key([64, 1, 28, 28], [6, 1, 5, 5], lenet)))
    }

    func testGradientsAgreeWithTheDefinition() throws {
        // the batch in 1, 2, 3 or 8 parts (8: more parts than samples for the smaller batches)
        let savedPolicy = CoreAvailability.policy
        defer { CoreAvailability.policy = savedPolicy }
        for parts in [1, 2, 3, 8] {
            CoreAvailability.policy = .fixed(parts)
            try assertGradientsAgreeWithTheDefinition("\(parts) parts")
        }
    }

    private func assertGradientsAgreeWithTheDefinition(_ split: String) throws {
        var rng = RandomGenerator(seed: 91)
        let cpu = CPUBackend()
        // LeNet's first layer with an odd number of outputs (the last one pairs with itself);
        // no padding, a kernel six columns wide (a second, partial block of four columns),
        // rows no multiple of 8 wide; asymmetric padding wider than the kernel; a 1-D series
        // with "same" padding of a kernel of 8 (two whole blocks); one sample (one part)
        for (input, weight, geometry) in [([5, 1, 13, 11], [7, 1, 5, 5], geometry(before: [2, 2], after: [2, 2])),
                                          ([3, 1, 9, 20], [6, 1, 3, 6], geometry(before: [0, 0], after: [0, 0])),
                                          ([4, 1, 6, 5], [3, 1, 2, 3], geometry(before: [3, 0], after: [1, 4])),
                                          ([6, 1, 1, 37], [16, 1, 1, 8], geometry(before: [0, 3], after: [0, 4])),
                                          ([1, 1, 17, 17], [2, 1, 3, 3], geometry(before: [1, 1], after: [1, 1]))] {
            let x = try Tensor.randn(input, generator: &rng)
            let w = try Tensor.randn(weight, generator: &rng)
            let key = DNNLConvolution.Key(input: input, weight: weight, withBias: true, geometry: geometry)
            XCTAssertTrue(SingleInputChannelWeightGradient.applies(key))
            let dy = try Tensor.randn(DNNLConvolution.outputShape(key), generator: &rng)
            let label = "\(input) ⋆ \(weight), padding \(geometry.paddingBefore) \(geometry.paddingAfter), \(split)"
            let direct = cpu.singleInputChannelBackwardWeights(input: x, gradOutput: dy, key: key)
            let gradients = cpu.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: geometry,
                                                    needsInput: true, needsWeight: true, withBias: true)
            try assertGradientsMatchTheReference((gradients.input, direct.weight, direct.bias), gradOutput: dy, input: x,
                                                 weight: w, geometry: geometry, inputAtol: 1e-4, weightAtol: 1e-3, label)
            // the backend's convolution backward took this kernel
            XCTAssertEqual(try XCTUnwrap(gradients.weight).toArray(), direct.weight.toArray(), label)
            XCTAssertEqual(try XCTUnwrap(gradients.bias).toArray(), try XCTUnwrap(direct.bias).toArray(), label)
        }
    }

    func testBlockedTensorsAreReadAsTheirElements() throws {
        var rng = RandomGenerator(seed: 92)
        let key = DNNLConvolution.Key(input: [4, 1, 12, 12], weight: [8, 1, 5, 5], withBias: true,
                                      geometry: geometry(before: [2, 2], after: [2, 2]))
        let x = try Tensor.randn(key.input, generator: &rng)
        let dy = try Tensor.randn(DNNLConvolution.outputShape(key), generator: &rng)
        let blocked = { (t: Tensor) in DNNLMemory.converted(t, to: DNNL.descriptor(t.shape, dnnl_nChw8c)) }
        let cpu = CPUBackend()
        let plain = cpu.singleInputChannelBackwardWeights(input: x, gradOutput: dy, key: key)
        let fromBlocked = cpu.singleInputChannelBackwardWeights(input: blocked(x), gradOutput: blocked(dy), key: key)
        XCTAssertEqual(plain.weight.toArray(), fromBlocked.weight.toArray())
        XCTAssertEqual(try XCTUnwrap(plain.bias).toArray(), try XCTUnwrap(fromBlocked.bias).toArray())
        let exact = ReferenceBackend().convolutionBackwardWeights(input: x, gradOutput: dy, weightShape: key.weight,
                                                                  geometry: key.geometry, withBias: true)
        assertClose(fromBlocked.weight, exact.weight, rtol: 1e-4, atol: 1e-3, "weight gradient from blocked tensors")
        assertClose(try XCTUnwrap(fromBlocked.bias), try XCTUnwrap(exact.bias), rtol: 1e-4, atol: 1e-3,
                    "bias gradient from blocked tensors")
    }

    func testResultsAreTheSameBitsWhateverCoresAreFree() throws {
        var rng = RandomGenerator(seed: 93)
        let x = try Tensor.randn([9, 1, 28, 28], generator: &rng)
        let w = try Tensor.randn([6, 1, 5, 5], generator: &rng)
        let dy = try Tensor.randn([9, 6, 28, 28], generator: &rng)
        assertConvolutionIsTheSameBitsWhateverCoresAreFree(input: x, weight: w, gradOutput: dy,
                                                           geometry: geometry(before: [2, 2], after: [2, 2]))
    }
}

import XCTest
import CDNNL
@testable import Strata

/// Strata's own Winograd F(4×4, 3×3) (`WinogradConvolution`), which runs 3×3 stride-1
/// convolutions where oneDNN has no Winograd kernel (AVX2): forward, both gradients and the
/// bias gradient keep the definition's values (the reference backend) on shapes whose
/// tiles cross every edge, the same bits whichever cores are free, and other shapes stay
/// with oneDNN. `runsOwnKernels` is switched on so that any machine runs them.
final class WinogradKernelTests: XCTestCase {
    private func geometry(before: [Int], after: [Int]) -> ConvolutionGeometry {
        ConvolutionGeometry(stride: [1, 1], paddingBefore: before, paddingAfter: after, dilation: [1, 1], groups: 1)
    }

    override func setUp() {
        super.setUp()
        WinogradConvolution.runsOwnKernels = true
    }

    override func tearDown() {
        WinogradConvolution.runsOwnKernels = !DNNL.runsAVX512
        super.tearDown()
    }

    func testItRunsForThreeByThreeStrideOneLayersOfWholeChannelBlocksOnly() {
        let same = geometry(before: [1, 1], after: [1, 1])
        let key = { (input: [Int], weight: [Int], geometry: ConvolutionGeometry) in
            DNNLConvolution.Key(input: input, weight: weight, withBias: true, geometry: geometry)
        }
        XCTAssertTrue(WinogradConvolution.applies(key([16, 64, 56, 56], [64, 64, 3, 3], same)))
        XCTAssertTrue(WinogradConvolution.applies(key([1, 128, 28, 28], [128, 128, 3, 3], same)), "49 tiles")
        XCTAssertTrue(WinogradConvolution.applies(key([4, 64, 13, 13], [72, 64, 3, 3], geometry(before: [0, 1], after: [1, 0]))))
        XCTAssertFalse(WinogradConvolution.applies(key([1, 512, 7, 7], [512, 512, 3, 3], same)), "4 tiles")
        XCTAssertFalse(WinogradConvolution.applies(key([16, 68, 8, 8], [64, 68, 3, 3], same)), "68 channels: a partial block")
        XCTAssertFalse(WinogradConvolution.applies(key([16, 32, 8, 8], [64, 32, 3, 3], same)), "under 64 channels")
        XCTAssertFalse(WinogradConvolution.applies(key([16, 64, 8, 8], [64, 64, 5, 5], geometry(before: [2, 2], after: [2, 2]))))
        XCTAssertFalse(WinogradConvolution.applies(key([16, 64, 8, 8], [64, 64, 3, 3],
                                                       ConvolutionGeometry(stride: [2, 2], paddingBefore: [1, 1], paddingAfter: [1, 1],
                                                                           dilation: [1, 1], groups: 1))))
        XCTAssertFalse(WinogradConvolution.applies(key([16, 64, 8, 8], [64, 64, 3, 3],
                                                       ConvolutionGeometry(stride: [1, 1], paddingBefore: [2, 2], paddingAfter: [2, 2],
                                                                           dilation: [2, 2], groups: 1))))
        XCTAssertFalse(WinogradConvolution.applies(key([16, 128, 8, 8], [128, 64, 3, 3],
                                                       ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1],
                                                                           dilation: [1, 1], groups: 2))))
        XCTAssertFalse(WinogradConvolution.applies(key([16, 64, 8, 8], [64, 64, 3, 3], geometry(before: [2, 2], after: [2, 2]))))
        WinogradConvolution.runsOwnKernels = false
        XCTAssertFalse(WinogradConvolution.applies(key([16, 64, 56, 56], [64, 64, 3, 3], same)))
    }

    func testForwardAndGradientsAgreeWithTheDefinition() throws {
        var rng = RandomGenerator(seed: 81)
        let cpu = CPUBackend(), reference = ReferenceBackend()
        // sizes that are no multiple of the 4×4 tile, padding on both, one or no side; 32–132 tiles, so
        // several chunks of 16–64 tiles, the last one cut short where they do not divide the tiles
        for (input, outputs, geometry) in [([11, 64, 13, 11], 72, geometry(before: [1, 1], after: [1, 1])),
                                           ([6, 72, 9, 14], 64, geometry(before: [0, 0], after: [0, 0])),
                                           ([8, 64, 6, 7], 80, geometry(before: [1, 0], after: [0, 1]))] {
            let x = try Tensor.randn(input, generator: &rng)
            let w = try Tensor.randn([outputs, input[1], 3, 3], generator: &rng) * 0.2
            let b = try Tensor.randn([outputs], generator: &rng)
            let label = "\(input) → \(outputs), padding \(geometry.paddingBefore) \(geometry.paddingAfter)"
            for activation in [nil, Activation.relu, Activation.relu6] {
                let fast = cpu.convolutionForward(input: x, weight: w, bias: b, geometry: geometry, activation: activation)
                XCTAssertTrue(try XCTUnwrap(fast.storage.opaque as? DNNLBlockedData).descriptor.format_kind == dnnl_blocked)
                XCTAssertTrue(DNNL.equal(try XCTUnwrap(fast.storage.opaque as? DNNLBlockedData).descriptor,
                                         WinogradConvolution.format(fast.shape)), "ran as Winograd, \(label)")
                var exact = reference.convolutionForward(input: x, weight: w, bias: b, geometry: geometry, activation: nil)
                if let activation { exact = reference.activationForward(activation, input: exact) }
                assertClose(fast, exact, rtol: 1e-4, atol: 1e-4, "forward, \(label), \(String(describing: activation))")
            }
            let dy = try Tensor.randn(cpu.convolutionForward(input: x, weight: w, bias: nil, geometry: geometry,
                                                             activation: nil).shape, generator: &rng)
            let gradients = cpu.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: geometry,
                                                    needsInput: true, needsWeight: true, withBias: true)
            XCTAssertTrue(DNNL.equal(try XCTUnwrap(gradients.input?.storage.opaque as? DNNLBlockedData).descriptor,
                                     WinogradConvolution.format(x.shape)), "backward data ran as Winograd, \(label)")
            try assertGradientsMatchTheReference(gradients, gradOutput: dy, input: x, weight: w, geometry: geometry,
                                                 inputAtol: 1e-4, weightAtol: 1e-3, label)
        }
    }

    func testViewsOfOneWeightOfOtherShapesKeepTheirOwnKernels() throws {
        var rng = RandomGenerator(seed: 83)
        let same = geometry(before: [1, 1], after: [1, 1])
        let cpu = CPUBackend(), reference = ReferenceBackend()
        let whole = try Tensor.randn([128, 64, 3, 3], generator: &rng) * 0.1
        // the same storage from the same offset, seen as the first 64 kernels and as 64 kernels of 128 channels
        let views = [whole, Tensor(storage: whole.storage, shape: [64, 64, 3, 3], strides: Shape.contiguousStrides([64, 64, 3, 3])),
                     Tensor(storage: whole.storage, shape: [64, 128, 3, 3], strides: Shape.contiguousStrides([64, 128, 3, 3]))]
        // (outputs up to ≈ 15 from 128 × 9 products: Winograd's rounding is relative to the largest value)
        for w in views + views {
            let x = try Tensor.randn([2, w.shape[1], 16, 16], generator: &rng)
            assertClose(cpu.convolutionForward(input: x, weight: w, bias: nil, geometry: same, activation: nil),
                        reference.convolutionForward(input: x, weight: w, bias: nil, geometry: same, activation: nil),
                        rtol: 1e-4, atol: 1e-3, "weight seen as \(w.shape)")
        }
    }

    func testResultsAreTheSameBitsWhateverCoresAreFree() throws {
        var rng = RandomGenerator(seed: 82)
        let same = geometry(before: [1, 1], after: [1, 1])
        let x = try Tensor.randn([4, 64, 20, 20], generator: &rng)
        let w = try Tensor.randn([72, 64, 3, 3], generator: &rng) * 0.1
        let dy = try Tensor.randn([4, 72, 20, 20], generator: &rng)
        assertConvolutionIsTheSameBitsWhateverCoresAreFree(input: x, weight: w, gradOutput: dy, geometry: same)
    }
}

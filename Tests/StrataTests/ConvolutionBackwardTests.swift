import XCTest
@testable import Strata

/// Asserts that `gradients` (input, weight, bias) are the reference backend's for the same
/// arguments, within `rtol` 1e-4 and the given absolute tolerances (the bias takes the weight's).
func assertGradientsMatchTheReference(_ gradients: (input: Tensor?, weight: Tensor?, bias: Tensor?), gradOutput: Tensor,
                                      input: Tensor, weight: Tensor, geometry: ConvolutionGeometry,
                                      inputAtol: Float, weightAtol: Float, _ message: String,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
    let exact = ReferenceBackend().convolutionBackward(gradOutput: gradOutput, input: input, weight: weight, geometry: geometry,
                                                       needsInput: true, needsWeight: true, withBias: true)
    for (name, got, expected, atol) in [("input", gradients.input, exact.input, inputAtol),
                                        ("weight", gradients.weight, exact.weight, weightAtol),
                                        ("bias", gradients.bias, exact.bias, weightAtol)] {
        assertClose(try XCTUnwrap(got, file: file, line: line), try XCTUnwrap(expected, file: file, line: line),
                    rtol: 1e-4, atol: atol, "\(message) \(name) gradient", file: file, line: line)
    }
}

/// Asserts that a convolution's output and its input, weight and bias gradients on the CPU
/// backend are the same bits with every core and with 1, 2, … free cores.
func assertConvolutionIsTheSameBitsWhateverCoresAreFree(input x: Tensor, weight w: Tensor, gradOutput dy: Tensor,
                                                        geometry: ConvolutionGeometry,
                                                        file: StaticString = #filePath, line: UInt = #line) {
    let results = { (free: Int?) -> [[UInt32]] in
        let (savedPolicy, savedFree) = (CoreAvailability.policy, CoreAvailability.freeCoresOverride)
        CoreAvailability.policy = free == nil ? .allCores : .adaptive
        CoreAvailability.freeCoresOverride = free
        defer { (CoreAvailability.policy, CoreAvailability.freeCoresOverride) = (savedPolicy, savedFree) }
        let cpu = CPUBackend()
        let y = cpu.convolutionForward(input: x, weight: w, bias: nil, geometry: geometry, activation: nil)
        let gradients = cpu.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: geometry,
                                                needsInput: true, needsWeight: true, withBias: true)
        return [y, gradients.input, gradients.weight, gradients.bias].map { $0?.toArray().map(\.bitPattern) ?? [] }
    }
    let everyCore = results(nil)
    for free in 1...Swift.max(2, Parallel.coreCount) {
        for (index, (a, b)) in zip(results(free), everyCore).enumerated() {
            XCTAssertEqual(a, b, "\(["output", "input gradient", "weight gradient", "bias gradient"][index]): \(free) free cores against every core",
                           file: file, line: line)
        }
    }
}

/// `Backend.convolutionBackward`, both backward passes from one output gradient: the CPU
/// backend reorders a plain gradient once for the two passes, with the same bits as the
/// passes called one by one and the reference backend's values.
final class ConvolutionBackwardTests: XCTestCase {
    private struct Case {
        let input: [Int]
        let weight: [Int]
        let geometry: ConvolutionGeometry
    }

    private let cases = [
        // W5's convolution
        Case(input: [4, 64, 20, 20], weight: [64, 64, 3, 3],
             geometry: ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1], dilation: [1, 1], groups: 1)),
        // strided, grouped, three input channels per group
        Case(input: [3, 12, 17, 15], weight: [8, 3, 3, 5],
             geometry: ConvolutionGeometry(stride: [2, 1], paddingBefore: [1, 2], paddingAfter: [0, 2], dilation: [1, 1], groups: 4)),
        // W4's layer as the backend sees it (height 1), whose backward data is rewritten where oneDNN picks a gemm
        Case(input: [2, 32, 1, 60], weight: [32, 32, 1, 3],
             geometry: ConvolutionGeometry(stride: [1, 1], paddingBefore: [0, 8], paddingAfter: [0, 8], dilation: [1, 8], groups: 1)),
    ]

    func testOnePassMatchesThePassesOneByOneAndTheReference() throws {
        var rng = RandomGenerator(seed: 31)
        let cpu = CPUBackend()
        for c in cases {
            let x = try Tensor.randn(c.input, generator: &rng), w = try Tensor.randn(c.weight, generator: &rng)
            let outputShape = cpu.convolutionForward(input: x, weight: w, bias: nil, geometry: c.geometry, activation: nil).shape
            let dy = try Tensor.randn(outputShape, generator: &rng)
            XCTAssertNil(dy.opaqueData, "the output gradient arrives plain")
            let both = cpu.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: c.geometry,
                                               needsInput: true, needsWeight: true, withBias: true)
            let dx = cpu.convolutionBackwardData(gradOutput: dy, weight: w, inputShape: x.shape, geometry: c.geometry)
            let (dw, db) = cpu.convolutionBackwardWeights(input: x, gradOutput: dy, weightShape: w.shape,
                                                          geometry: c.geometry, withBias: true)
            XCTAssertEqual(try XCTUnwrap(both.input).toArray(), dx.toArray(), "\(c.input) input gradient")
            XCTAssertEqual(try XCTUnwrap(both.weight).toArray(), dw.toArray(), "\(c.input) weight gradient")
            XCTAssertEqual(try XCTUnwrap(both.bias).toArray(), try XCTUnwrap(db).toArray(), "\(c.input) bias gradient")
            try assertGradientsMatchTheReference(both, gradOutput: dy, input: x, weight: w, geometry: c.geometry,
                                                 inputAtol: 1e-3, weightAtol: 1e-2, "\(c.input)")
        }
    }

    func testOnlyWhatIsAskedIsComputed() throws {
        var rng = RandomGenerator(seed: 32)
        let c = cases[0]
        let x = try Tensor.randn(c.input, generator: &rng), w = try Tensor.randn(c.weight, generator: &rng)
        let dy = try Tensor.randn(c.input, generator: &rng)
        for backend in [CPUBackend() as any Backend, ReferenceBackend()] {
            let data = backend.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: c.geometry,
                                                   needsInput: true, needsWeight: false, withBias: false)
            XCTAssertEqual(data.input?.shape, c.input, backend.name)
            XCTAssertNil(data.weight, backend.name)
            XCTAssertNil(data.bias, backend.name)
            let bias = backend.convolutionBackward(gradOutput: dy, input: x, weight: w, geometry: c.geometry,
                                                   needsInput: false, needsWeight: false, withBias: true)
            XCTAssertNil(bias.input, backend.name)
            XCTAssertNil(bias.weight, backend.name)
            // the bias gradient sums the output gradient over the batch and the positions
            let sums = try dy.sum(axes: [0, 2, 3]).toArray()
            for (got, expected) in zip(try XCTUnwrap(bias.bias).toArray(), sums) {
                XCTAssertEqual(got, expected, accuracy: 1e-3 * max(1, abs(expected)), backend.name)
            }
        }
    }

    /// The conversion the two passes share: a plain tensor becomes one holding the format both
    /// read, which a primitive then reads without another copy.
    func testAPlainTensorIsConvertedOnceIntoTheFormatAskedFor() throws {
        var rng = RandomGenerator(seed: 33)
        let c = cases[0]
        let key = DNNLConvolution.Key(input: c.input, weight: c.weight, withBias: false, geometry: c.geometry)
        // both passes read W5's output gradient in one blocked format
        let format = try XCTUnwrap(DNNLConvolution.sharedOutputGradientFormat(key))
        XCTAssertTrue(DNNL.equal(format, try XCTUnwrap(DNNLConvolution.backwardData(key)).output))
        XCTAssertTrue(DNNL.equal(format, try XCTUnwrap(DNNLConvolution.backwardWeights(key, threads: CoreAvailability.workSplit)).output))
        XCTAssertFalse(DNNL.equal(format, DNNL.plain(c.input)), "oneDNN reads this gradient blocked")
        let plain = try Tensor.randn(c.input, generator: &rng)
        let converted = DNNLMemory.converted(plain, to: format)
        let blocked = try XCTUnwrap(converted.opaqueData as? DNNLBlockedData)
        XCTAssertTrue(DNNL.equal(blocked.descriptor, format))
        XCTAssertTrue(DNNLMemory.converted(converted, to: format) === converted, "already in the format: no copy")
        XCTAssertTrue(DNNLMemory.view(converted, as: format).owner === blocked, "a primitive reads it as it is")
        XCTAssertEqual(converted.toArray(), plain.toArray())
        XCTAssertTrue(DNNLMemory.converted(plain, to: DNNL.plain(c.input)) === plain, "plain asked: the tensor itself")
    }
}

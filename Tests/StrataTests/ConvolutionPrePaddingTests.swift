import XCTest
@testable import Strata

/// Convolutions padded by more than oneDNN's direct kernels take run on an explicitly padded
/// input (`DNNLPrePadding.swift`) instead of a gemm: the same outputs and gradients as the
/// reference backend, and a direct kernel forward and backward.
final class ConvolutionPrePaddingTests: XCTestCase {
    private struct Case {
        let input: [Int]
        let weight: [Int]
        let padding: Padding
        let dilation: AxisValues
        var groups = 1

        func convolve(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws(StrataError) -> Tensor {
            input.count == 3
                ? try conv1d(x, weight: w, bias: b, padding: padding, dilation: dilation, groups: groups)
                : try conv2d(x, weight: w, bias: b, padding: padding, dilation: dilation, groups: groups)
        }

        /// The convolution as the backend receives it (1-D ones as 2-D ones of height 1).
        func key(_ x: Tensor, _ w: Tensor, withBias: Bool) throws -> DNNLConvolution.Key {
            let arguments = try ConvolutionArguments(op: "test", spatialAxes: input.count - 2, input: x, weight: w, bias: nil,
                                                     stride: 1, padding: padding, dilation: dilation, groups: groups)
            return DNNLConvolution.Key(input: arguments.input.shape, weight: arguments.weight.shape, withBias: withBias,
                                       geometry: arguments.geometry)
        }
    }

    private let w4 = Case(input: [8, 64, 200], weight: [64, 64, 3], padding: .explicit(8), dilation: 8)
    private var cases: [Case] { [
        // W4's last layer: dilation 8, length kept
        w4,
        // causal: 16 before, none after
        Case(input: [4, 32, 120], weight: [32, 32, 3], padding: .causal, dilation: 8),
        // unpadded: forward is direct already, backward data sees the widest transposed padding
        Case(input: [4, 32, 100], weight: [32, 32, 3], padding: .valid, dilation: 8),
        Case(input: [2, 32, 20, 20], weight: [48, 32, 3, 3], padding: .explicit(8), dilation: 8),
        // grouped, kernel 3×5, padding different on each side and axis
        Case(input: [2, 32, 24, 20], weight: [32, 16, 3, 5], padding: .asymmetric(before: [8, 4], after: [8, 12]),
             dilation: [8, 4], groups: 2),
    ] }

    private func gradients(_ c: Case, _ x: Tensor, _ w: Tensor, _ b: Tensor, _ r: Tensor,
                           on backend: any Backend) throws -> [Tensor] {
        let (input, weight, bias) = (x.copyToContiguous(), w.copyToContiguous(), b.copyToContiguous())
        for tensor in [input, weight, bias] { tensor.requiresGrad = true }
        let output = try withBackend(backend) { () throws(StrataError) -> Tensor in
            let y = try c.convolve(input, weight, bias)
            try (y * r).sum().backward()
            return y
        }
        return [output, try XCTUnwrap(input.grad), try XCTUnwrap(weight.grad), try XCTUnwrap(bias.grad)]
    }

    func testWidelyPaddedConvolutionsRunDirectlyAndAgreeWithTheReference() throws {
        var rng = RandomGenerator(seed: 12)
        for c in cases {
            let x = try Tensor.randn(c.input, generator: &rng), w = try Tensor.randn(c.weight, generator: &rng) * 0.1
            let b = try Tensor.randn([c.weight[0]], generator: &rng)
            let outputShape = try withBackend(Backends.reference) { () throws(StrataError) in try c.convolve(x, w, nil).shape }
            let r = try Tensor.randn(outputShape, generator: &rng)
            let fast = try gradients(c, x, w, b, r, on: Backends.cpu), reference = try gradients(c, x, w, b, r, on: Backends.reference)
            for (index, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
                assertClose(fast[index], reference[index], rtol: 1e-4, atol: 1e-3, "\(c.input) \(name)")
            }
            // what oneDNN runs: a direct kernel both ways, rewritten where the plain one is a gemm
            let forwardKey = try c.key(x, w, withBias: true), backwardKey = try c.key(x, w, withBias: false)
            let forward = try XCTUnwrap(DNNLConvolution.prePadded(forwardKey, .forward).flatMap(DNNLConvolution.forward)
                                        ?? DNNLConvolution.forward(forwardKey))
            let backward = try XCTUnwrap(DNNLConvolution.prePadded(backwardKey, .backwardData).flatMap(DNNLConvolution.backwardData)
                                         ?? DNNLConvolution.backwardData(backwardKey))
            for (direction, entry) in [("forward", forward), ("backward data", backward)] {
                XCTAssertFalse(entry.primitive.implementation.contains("gemm"), "\(c.input) \(direction): \(entry.primitive.implementation)")
            }
        }
        // oneDNN 2.6 runs W4's layer forward as a gemm (AVX-512 and AVX2, AMD and Intel cores): the rewrite is what ran
        // above; its backward data is a gemm on some cores and direct on others, and rewritten exactly where it is a gemm
        let x = try Tensor.randn(w4.input, generator: &rng), w = try Tensor.randn(w4.weight, generator: &rng)
        XCTAssertNotNil(DNNLConvolution.prePadded(try w4.key(x, w, withBias: true), .forward))
        let backwardKey = try w4.key(x, w, withBias: false)
        let plainBackward = try XCTUnwrap(DNNLConvolution.backwardData(backwardKey))
        XCTAssertEqual(DNNLConvolution.prePadded(backwardKey, .backwardData) != nil,
                       plainBackward.primitive.implementation.contains("gemm"), plainBackward.primitive.implementation)
    }
}

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
        let dilation: Int
        /// The geometry the backend receives (1-D convolutions as 2-D ones of height 1).
        let geometry: ConvolutionGeometry
    }

    private let cases = [
        // W4's last layer: dilation 8, length kept
        Case(input: [8, 64, 200], weight: [64, 64, 3], padding: .explicit(8), dilation: 8,
             geometry: ConvolutionGeometry(stride: [1, 1], paddingBefore: [0, 8], paddingAfter: [0, 8], dilation: [1, 8], groups: 1)),
        // causal: 16 before, none after
        Case(input: [4, 32, 120], weight: [32, 32, 3], padding: .causal, dilation: 8,
             geometry: ConvolutionGeometry(stride: [1, 1], paddingBefore: [0, 16], paddingAfter: [0, 0], dilation: [1, 8], groups: 1)),
        Case(input: [2, 32, 20, 20], weight: [48, 32, 3, 3], padding: .explicit(8), dilation: 8,
             geometry: ConvolutionGeometry(stride: [1, 1], paddingBefore: [8, 8], paddingAfter: [8, 8], dilation: [8, 8], groups: 1)),
    ]

    private func run(_ c: Case, _ x: Tensor, _ w: Tensor, _ b: Tensor, _ r: Tensor,
                     on backend: any Backend) throws -> [Tensor] {
        let (input, weight, bias) = (x.copyToContiguous(), w.copyToContiguous(), b.copyToContiguous())
        for tensor in [input, weight, bias] { tensor.requiresGrad = true }
        let output = try withBackend(backend) { () throws(StrataError) -> Tensor in
            let y = c.input.count == 3
                ? try conv1d(input, weight: weight, bias: bias, padding: c.padding, dilation: AxisValues(integerLiteral: c.dilation))
                : try conv2d(input, weight: weight, bias: bias, padding: c.padding, dilation: AxisValues(integerLiteral: c.dilation))
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
            let outputShape = try withBackend(Backends.reference) { () throws(StrataError) in
                c.input.count == 3 ? try conv1d(x, weight: w, padding: c.padding, dilation: AxisValues(integerLiteral: c.dilation)).shape
                                   : try conv2d(x, weight: w, padding: c.padding, dilation: AxisValues(integerLiteral: c.dilation)).shape
            }
            XCTAssertEqual(outputShape.last, c.input.last, "the padding keeps the length")
            let r = try Tensor.randn(outputShape, generator: &rng)
            let fast = try run(c, x, w, b, r, on: Backends.cpu), reference = try run(c, x, w, b, r, on: Backends.reference)
            for (index, name) in ["output", "input gradient", "weight gradient", "bias gradient"].enumerated() {
                assertClose(fast[index], reference[index], rtol: 1e-4, atol: 1e-3, "\(c.input) \(name)")
            }
            // what oneDNN runs: a direct kernel both ways, on the padded input where the implicit padding was too wide
            let height = c.input.count == 3 ? [1] : []
            let key = DNNLConvolution.Key(input: Array(c.input.prefix(2)) + height + c.input.dropFirst(2),
                                          weight: Array(c.weight.prefix(2)) + height + c.weight.dropFirst(2),
                                          withBias: true, geometry: c.geometry)
            let forward = try XCTUnwrap(DNNLConvolution.prePadded(key, .forward).flatMap(DNNLConvolution.forward) ?? DNNLConvolution.forward(key))
            let backward = try XCTUnwrap(DNNLConvolution.prePadded(key, .backwardData).flatMap(DNNLConvolution.backwardData)
                                         ?? DNNLConvolution.backwardData(key))
            for (direction, entry) in [("forward", forward), ("backward data", backward)] {
                XCTAssertFalse(entry.primitive.implementation.contains("gemm"), "\(c.input) \(direction): \(entry.primitive.implementation)")
            }
        }
    }
}

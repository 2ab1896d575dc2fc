import XCTest
@testable import Strata

/// Pooling a blocked tensor whose channels fill part of a block (6 of 8 or 16 lanes) as
/// whole blocks (`DNNLPooling.poolsPaddingLanes`, on where oneDNN runs its AVX2 kernels):
/// the same values and gradients as pooling the 6 channels, and zeros left in the padding.
final class PoolingPaddingLanesTests: XCTestCase {
    private let geometries = [
        PoolingGeometry(kind: .max, kernel: [2, 2], stride: [2, 2], paddingBefore: [0, 0], paddingAfter: [0, 0]),
        PoolingGeometry(kind: .averageExcludingPadding, kernel: [3, 3], stride: [2, 2], paddingBefore: [1, 1],
                        paddingAfter: [1, 1]),
    ]

    /// A 6-channel convolution output, as oneDNN leaves it: blocked, channels padded.
    private func sixChannels(_ rng: inout RandomGenerator) throws -> Tensor {
        let geometry = ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1], dilation: [1, 1], groups: 1)
        return CPUBackend().convolutionForward(input: try Tensor.randn([4, 3, 12, 12], generator: &rng),
                                               weight: try Tensor.randn([6, 3, 3, 3], generator: &rng), bias: nil,
                                               geometry: geometry, activation: nil)
    }

    private func pooled(_ x: Tensor, _ dy: Tensor, _ geometry: PoolingGeometry, paddingLanes: Bool) -> (Tensor, Tensor) {
        let saved = DNNLPooling.poolsPaddingLanes
        DNNLPooling.poolsPaddingLanes = paddingLanes
        defer { DNNLPooling.poolsPaddingLanes = saved }
        let cpu = CPUBackend()
        let (y, workspace) = cpu.poolingForward(input: x, geometry: geometry, training: true)
        if let saved = workspace as? DNNLPooling.Workspace {
            // max pooling ran on as many channels as asked: the padded count, or the tensor's
            XCTAssertEqual(DNNL.dimensions(saved.inputFormat)[1], paddingLanes ? DNNL.paddedChannels(saved.inputFormat) : 6)
        }
        return (y, cpu.poolingBackward(gradOutput: dy, input: x, workspace: workspace, geometry: geometry))
    }

    /// The elements of a blocked tensor's padding lanes (channels from `channels` on, one block).
    private func paddingLanes(_ tensor: Tensor, channels: Int) throws -> [Float] {
        let blocked = try XCTUnwrap(tensor.opaqueData as? DNNLBlockedData, "a blocked tensor")
        let block = DNNL.paddedChannels(blocked.descriptor)
        let positions = tensor.shape[0] * tensor.shape[2] * tensor.shape[3]
        let values = blocked.buffer.assumingMemoryBound(to: Float.self)
        return (0..<positions).flatMap { position in (channels..<block).map { values[position * block + $0] } }
    }

    func testPaddingLanesPoolToTheSameValuesAndGradientsAndStayZero() throws {
        var rng = RandomGenerator(seed: 81)
        for geometry in geometries {
            // a new one each time: the reference reads it as plain elements, which replaces its blocked data
            let x = try sixChannels(&rng)
            let format = try XCTUnwrap(x.opaqueData as? DNNLBlockedData).descriptor
            XCTAssertGreaterThan(DNNL.paddedChannels(format), 6, "6 channels take part of a block")
            let outputShape = [4, 6] + geometry.outputSize(input: [12, 12])
            let dy = try Tensor.randn(outputShape, generator: &rng)
            let (wideOutput, wideGradient) = pooled(x, dy, geometry, paddingLanes: true)
            let (output, gradient) = pooled(x, dy, geometry, paddingLanes: false)
            XCTAssertEqual(wideOutput.shape, outputShape, "\(geometry.kind)")
            // (read before the values: reading them as plain elements replaces the blocked data)
            XCTAssertEqual(Set(try paddingLanes(wideOutput, channels: 6)), [0], "\(geometry.kind) output padding")
            XCTAssertEqual(Set(try paddingLanes(wideGradient, channels: 6)), [0], "\(geometry.kind) gradient padding")
            XCTAssertEqual(wideOutput.toArray(), output.toArray(), "\(geometry.kind) output")
            XCTAssertEqual(wideGradient.toArray(), gradient.toArray(), "\(geometry.kind) input gradient")
            let reference = ReferenceBackend()
            let (exact, workspace) = reference.poolingForward(input: x, geometry: geometry, training: true)
            assertClose(wideOutput, exact, "\(geometry.kind) output against the definition")
            assertClose(wideGradient, reference.poolingBackward(gradOutput: dy, input: x, workspace: workspace, geometry: geometry),
                        "\(geometry.kind) input gradient against the definition")
        }
    }
}

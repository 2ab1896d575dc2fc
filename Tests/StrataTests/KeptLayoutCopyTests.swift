import CDNNL
import XCTest
@testable import Strata

/// A weight's blocked copy stays with its storage (`TensorStorage.keptCopy`,
/// `DNNLMemory.keptView`): read again unchanged, it is not reordered again; changed in
/// place (an optimizer step), the next read copies the new elements.
final class KeptLayoutCopyTests: XCTestCase {
    private let geometry = ConvolutionGeometry(stride: [1, 1], paddingBefore: [1, 1], paddingAfter: [1, 1],
                                               dilation: [1, 1], groups: 1)

    private func blockedWeightFormat(input: [Int], weight: [Int]) throws -> dnnl_memory_desc_t {
        let key = DNNLConvolution.Key(input: input, weight: weight, withBias: false, geometry: geometry)
        let format = try XCTUnwrap(DNNLConvolution.forward(key)).weight
        XCTAssertFalse(DNNL.equal(format, DNNL.plain(weight)), "oneDNN reads this weight blocked")
        return format
    }

    func testAnUnchangedWeightIsReorderedOnce() throws {
        var rng = RandomGenerator(seed: 41)
        let weight = try Tensor.randn([32, 16, 3, 3], generator: &rng)
        let format = try blockedWeightFormat(input: [2, 16, 9, 9], weight: weight.shape)
        let first = DNNLMemory.keptView(weight, as: format), second = DNNLMemory.keptView(weight, as: format)
        XCTAssertTrue(first.owner === second.owner, "the second read finds the first copy")
        XCTAssertFalse(first.owner === weight.storage, "a copy, not the plain elements")
        // the copy holds the weight's elements in the blocked format
        let plain = Tensor(uninitializedShape: weight.shape)
        DNNLMemory.reorder(from: format, first.pointer, to: DNNL.plain(weight.shape), plain.storage.pointer)
        XCTAssertEqual(plain.toArray(), weight.toArray())
        // a view at another offset of the same storage is another tensor: its own copy
        let both = try Tensor.randn([2, 32, 16, 3, 3], generator: &rng)
        let (a, b) = (try both.slice(axis: 0, start: 0, end: 1).reshape(weight.shape), try both.slice(axis: 0, start: 1, end: 2).reshape(weight.shape))
        let copyOfA = DNNLMemory.keptView(a, as: format).owner, copyOfB = DNNLMemory.keptView(b, as: format).owner
        XCTAssertFalse(copyOfA === copyOfB)
        let plainB = Tensor(uninitializedShape: weight.shape)
        DNNLMemory.reorder(from: format, DNNLMemory.keptView(b, as: format).pointer, to: DNNL.plain(weight.shape), plainB.storage.pointer)
        XCTAssertEqual(plainB.toArray(), b.toArray())
    }

    func testAWeightChangedInPlaceIsReadAfresh() throws {
        var rng = RandomGenerator(seed: 42)
        let x = try Tensor.randn([2, 16, 9, 9], generator: &rng), weight = try Tensor.randn([32, 16, 3, 3], generator: &rng)
        let format = try blockedWeightFormat(input: x.shape, weight: weight.shape)
        let cpu = CPUBackend(), reference = ReferenceBackend()
        let before = cpu.convolutionForward(input: x, weight: weight, bias: nil, geometry: geometry, activation: nil)
        assertClose(before, reference.convolutionForward(input: x, weight: weight, bias: nil, geometry: geometry, activation: nil),
                    rtol: 1e-4, atol: 1e-4, "before the step")
        let kept = DNNLMemory.keptView(weight, as: format).owner
        // an optimizer step changes the weight in place
        let gradient = try Tensor.randn(weight.shape, generator: &rng)
        let versionBefore = weight.storage.version
        cpu.optimizerUpdate(.sgd(momentum: 0, dampening: 0, nesterov: false), parameter: weight, gradient: gradient,
                            buffers: [], step: 0, learningRate: 0.5, weightDecay: 0)
        XCTAssertGreaterThan(weight.storage.version, versionBefore)
        XCTAssertFalse(DNNLMemory.keptView(weight, as: format).owner === kept, "the old copy is dropped")
        let after = cpu.convolutionForward(input: x, weight: weight, bias: nil, geometry: geometry, activation: nil)
        assertClose(after, reference.convolutionForward(input: x, weight: weight, bias: nil, geometry: geometry, activation: nil),
                    rtol: 1e-4, atol: 1e-4, "after the step")
        XCTAssertGreaterThan(try (after - before).abs().max().item(), 0.1, "the step changed the output")
    }

    func testACopyMadeWhileTheElementsChangeIsNotKept() throws {
        let tensor = try Tensor([1, 2, 3, 4], shape: [4])
        let storage = tensor.storage
        let first = storage.keptCopy(for: "layout") { () -> NSObject in
            tensor.withMutableFloats { $0[0] = 5 }
            return NSObject()
        }
        let second = storage.keptCopy(for: "layout") { NSObject() }
        XCTAssertFalse(first === second, "the first copy was made from elements that changed under it")
        XCTAssertTrue(storage.keptCopy(for: "layout") { NSObject() } === second, "the second is kept")
        XCTAssertFalse(storage.keptCopy(for: "another layout") { NSObject() } === second)
    }
}

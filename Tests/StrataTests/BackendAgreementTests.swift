import XCTest
@testable import Strata

/// The fast backend (oneDNN + parallel loops) computes what the reference backend
/// computes, forward and backward, for every op on random shapes.
final class BackendAgreementTests: XCTestCase {
    private func run(_ opCase: OpCase, on backend: any Backend) throws -> [Tensor] {
        try withBackend(backend) {
            let inputs = opCase.inputs.map { input -> Tensor in
                let copy = input.copyToContiguous()
                copy.requiresGrad = true
                return copy
            }
            let output = try opCase.function(inputs)
            var generator = RandomGenerator(seed: 3)
            try output.backward(gradient: Tensor.filled(output.shape) { generator.nextUniform() - 0.5 })
            return [output.detach()] + inputs.map { $0.grad ?? Tensor(zerosShape: $0.shape) }
        }
    }

    func testFastBackendMatchesReference() throws {
        for (seed, scale) in [(21, 1), (22, 8), (23, 16)] as [(UInt64, Int)] {
            for opCase in OpCatalogue.cases(seed: seed, scale: scale) {
                let fast = try run(opCase, on: Backends.cpu)
                let reference = try run(opCase, on: Backends.reference)
                for (index, (a, b)) in zip(fast, reference).enumerated() {
                    assertClose(a, b, rtol: 1e-4, atol: 1e-4, "\(opCase.name) scale \(scale), \(index == 0 ? "output" : "grad \(index - 1)")")
                }
            }
        }
    }

    func testBlockedChainsMatchReference() throws {
        // rounding differences grow through batch norm's backward: a looser tolerance
        for (seed, scale) in [(31, 1), (32, 8), (33, 16)] as [(UInt64, Int)] {
            for opCase in OpCatalogue.chains(seed: seed, scale: scale) {
                let fast = try run(opCase, on: Backends.cpu)
                let reference = try run(opCase, on: Backends.reference)
                for (index, (a, b)) in zip(fast, reference).enumerated() {
                    assertClose(a, b, rtol: 1e-3, atol: 1e-3, "\(opCase.name) scale \(scale), \(index == 0 ? "output" : "grad \(index - 1)")")
                }
            }
        }
    }

    func testFastMatmulMatchesReferenceOnLargeMatrices() throws {
        var rng = RandomGenerator(seed: 5)
        let a = try Tensor.randn([3, 67, 129], generator: &rng), b = try Tensor.randn([129, 45], generator: &rng)
        let fast = try withBackend(Backends.cpu) { try Tensor.matmul(a, b) }
        let reference = try withBackend(Backends.reference) { try Tensor.matmul(a, b) }
        assertClose(fast, reference, rtol: 1e-4, atol: 1e-4)
    }
}

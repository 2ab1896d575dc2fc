import XCTest
@testable import Strata

/// The fast backend (oneDNN + parallel loops) computes what the reference backend
/// computes, forward and backward, for every op on random shapes and every input layout.
final class BackendAgreementTests: XCTestCase {
    /// Outputs and gradients of every case agree at three sizes (scale 16 engages oneDNN's blocked kernels).
    private func assertAgreement(seeds: [UInt64], tolerance: Float, _ cases: (UInt64, Int) -> [OpCase]) throws {
        for (seed, scale) in zip(seeds, [1, 8, 16]) {
            for opCase in try cases(seed, scale).flatMap({ opCase in try InputLayout.allCases.map { try opCase.laidOut($0) } }) {
                let fast = try opCase.outputAndGradients(on: Backends.cpu)
                let reference = try opCase.outputAndGradients(on: Backends.reference)
                for (index, (a, b)) in zip(fast, reference).enumerated() {
                    assertClose(a, b, rtol: tolerance, atol: tolerance, "\(opCase.name) scale \(scale), \(index == 0 ? "output" : "grad \(index - 1)")")
                }
            }
        }
    }

    func testFastBackendMatchesReference() throws {
        try assertAgreement(seeds: [21, 22, 23], tolerance: 1e-4, OpCatalogue.cases)
    }

    func testBlockedChainsMatchReference() throws {
        // rounding differences grow through batch norm's backward: a looser tolerance
        try assertAgreement(seeds: [31, 32, 33], tolerance: 1e-3, OpCatalogue.chains)
    }

    func testFastMatmulMatchesReferenceOnLargeMatrices() throws {
        var rng = RandomGenerator(seed: 5)
        let a = try Tensor.randn([3, 67, 129], generator: &rng), b = try Tensor.randn([129, 45], generator: &rng)
        let fast = try withBackend(Backends.cpu) { try Tensor.matmul(a, b) }
        let reference = try withBackend(Backends.reference) { try Tensor.matmul(a, b) }
        assertClose(fast, reference, rtol: 1e-4, atol: 1e-4)
    }
}

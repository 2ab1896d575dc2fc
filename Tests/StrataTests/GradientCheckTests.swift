import XCTest
@testable import Strata

/// Analytic gradients of every op agree with five-point finite differences (Double
/// accumulation, rtol 1e-2) on random, well-conditioned inputs and random shapes, with the
/// inputs in every memory layout (contiguous, permuted, stepped, offset, broadcast).
final class GradientCheckTests: XCTestCase {
    func testEveryOpAgainstFiniteDifferences() throws {
        for seed: UInt64 in [11, 12] {
            for opCase in OpCatalogue.cases(seed: seed, scale: 1) {
                for layout in InputLayout.allCases {
                    let laidOut = try opCase.laidOut(layout)
                    let mismatches = try GradientCheck.mismatches(of: laidOut.function, at: laidOut.inputs)
                    XCTAssertTrue(mismatches.isEmpty, "\(laidOut.name) (seed \(seed)): \(mismatches.prefix(3))")
                }
            }
        }
    }

    func testLayoutsReadTheSameValuesThroughStridedViews() throws {
        var rng = RandomGenerator(seed: 4)
        let value = OpCatalogue.signed([2, 3, 4], &rng)
        for layout in InputLayout.allCases {
            let view = try layout.view(of: try layout.storage(for: value), shape: value.shape)
            XCTAssertEqual(view.shape, value.shape, layout.rawValue)
            switch layout {
            case .contiguous: XCTAssertEqual(view.toArray(), value.toArray())
            case .permuted, .stepped: XCTAssertFalse(view.isContiguous, layout.rawValue)
            case .offset: XCTAssertEqual(view.offset, 12)
            case .expanded: XCTAssertEqual(view.strides[0], 0)
            }
            if layout != .expanded { XCTAssertEqual(view.toArray(), value.toArray(), layout.rawValue) }
        }
    }

    func testCheckerCatchesAWrongGradient() throws {
        // x·x with a backward of 3x instead of 2x must be reported
        let wrong: ([Tensor]) throws -> Tensor = { inputs in
            let x = inputs[0]
            let result = Kernels.multiply(x.detach(), x.detach())
            let saved = x.detach()
            return Tensor.record(result, "wrongSquare", inputs: [x]) { grad in [Kernels.multiply(grad, Kernels.scale(saved, 3))] }
        }
        let mismatches = try GradientCheck.mismatches(of: wrong, at: [try Tensor([0.5, -1, 2], shape: [3])])
        XCTAssertEqual(mismatches.count, 3)
        XCTAssertEqual(mismatches[0].analytic / mismatches[0].numeric, 1.5, accuracy: 1e-3)
    }
}

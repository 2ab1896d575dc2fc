import XCTest
@testable import Strata

/// A failing oneDNN call becomes a typed error at the next operation that can throw; the
/// process goes on.
final class BackendFailureTests: XCTestCase {
    /// Calls oneDNN's sgemm with a leading dimension smaller than a row (oneDNN refuses it).
    private func failASgemmCall() {
        let a = [Float](repeating: 1, count: 16), b = a
        var c = [Float](repeating: 0, count: 16)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    CPUBackend().gemm(transposeA: false, transposeB: false, m: 4, n: 4, k: 4, alpha: 1,
                                      a: pa.baseAddress!, lda: 1, b: pb.baseAddress!, ldb: 4,
                                      beta: 0, c: pc.baseAddress!, ldc: 4)
                }
            }
        }
    }

    func testAFailedOneDNNCallIsThrownByTheNextOperation() throws {
        failASgemmCall()
        let x = try Tensor([1, 2, 3, 4], shape: [2, 2])
        XCTAssertThrowsError(try Tensor.matmul(x, x)) { error in
            guard case .backendFailure(let op, let message)? = error as? StrataError else {
                return XCTFail("expected a backend failure, got \(error)")
            }
            XCTAssertEqual(op, "oneDNN")
            XCTAssertTrue(message.contains("sgemm failed: invalid_arguments"), message)
        }
        // reported once: the next product is computed
        XCTAssertEqual(try Tensor.matmul(x, x).toArray(), [7, 10, 15, 22])
    }

    func testAModuleCallReportsAFailureInsideItsForward() throws {
        let layer = Linear(4, 2)
        failASgemmCall()
        XCTAssertThrowsError(try layer(Tensor(zerosShape: [3, 4]))) { error in
            guard case .backendFailure? = error as? StrataError else { return XCTFail("expected a backend failure, got \(error)") }
        }
        XCTAssertEqual(try layer(Tensor(zerosShape: [3, 4])).shape, [3, 2])
    }
}

import Foundation
import XCTest
@testable import Strata

/// Where the project's shared data lives: `$STRATA_SHARED` (set by the Makefile) or
/// `../shared` beside the package.
enum SharedData {
    static var root: String {
        if let path = ProcessInfo.processInfo.environment["STRATA_SHARED"] { return path }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared").path
    }

    static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
}

/// Element-wise closeness: `|a − b| ≤ atol + rtol·|b|`.
func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, "shape " + message(), file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let a = actual.toArray(), b = expected.toArray()
    var worst = 0, worstError: Float = -1
    for i in a.indices {
        let excess = Swift.abs(a[i] - b[i]) - (atol + rtol * Swift.abs(b[i]))
        if excess > worstError || a[i].isNaN != b[i].isNaN { worst = i; worstError = a[i].isNaN != b[i].isNaN ? .infinity : excess }
    }
    XCTAssertLessThanOrEqual(worstError, 0, "element \(worst): \(a[worst]) vs \(b[worst]) \(message())", file: file, line: line)
}

/// Closeness of an attribution map to a reference: `max |a − b| ≤ 1e-3 · (max b − min b)`
/// (a map's scale is arbitrary; its range is what a picture shows).
func assertSameMap(_ actual: Tensor, _ expected: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.shape, expected.shape, label, file: file, line: line)
    let a = actual.toArray(), b = expected.toArray()
    let range = (b.max() ?? 0) - (b.min() ?? 0)
    let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? .infinity
    XCTAssertTrue(a.allSatisfy(\.isFinite), "\(label): non-finite values", file: file, line: line)
    XCTAssertGreaterThan(range, 0, label, file: file, line: line)
    XCTAssertLessThanOrEqual(worst, 1e-3 * range, "\(label): max error \(worst / range) of the range", file: file, line: line)
}

/// The typed error `body` throws (failing the test when it throws none).
func thrownError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> StrataError? {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch let error as StrataError {
        return error
    } catch {
        XCTFail("expected a StrataError, got \(error)", file: file, line: line)
        return nil
    }
}

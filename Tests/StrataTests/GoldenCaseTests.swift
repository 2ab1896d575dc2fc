import XCTest
@testable import Strata

/// Every PyTorch golden case in `../shared/fixtures` must pass on both backends.
final class GoldenCaseTests: XCTestCase {
    private func runFixtures(on backend: any Backend) throws {
        let set = try GoldenCaseSet(directory: SharedData.path("fixtures"))
        XCTAssertGreaterThanOrEqual(set.cases.count, 59)
        let outcomes = GoldenCaseRunner.run(set, backend: backend)
        for outcome in outcomes {
            switch outcome.status {
            case .passed:
                continue
            case let .failed(lines):
                XCTFail("\(backend.name): \(outcome.name): \(lines.joined(separator: "; "))")
            case let .skipped(reason):
                // the framing op belongs to the data pipeline (issue 4)
                XCTAssertEqual(outcome.op, "frames", "\(outcome.name) skipped: \(reason)")
            }
        }
        let passed = outcomes.filter { $0.status == .passed }.count
        XCTAssertEqual(passed, outcomes.filter { $0.op != "frames" }.count)
    }

    func testFixturesPassOnFastBackend() throws {
        try runFixtures(on: Backends.cpu)
    }

    func testFixturesPassOnReferenceBackend() throws {
        try runFixtures(on: Backends.reference)
    }
}

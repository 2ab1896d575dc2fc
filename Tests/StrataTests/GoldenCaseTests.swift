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
                XCTFail("\(outcome.name) skipped: \(reason)")
            }
        }
        XCTAssertEqual(outcomes.filter { $0.status == .passed }.count, outcomes.count)
    }

    func testFixturesPassOnFastBackend() throws {
        try runFixtures(on: Backends.cpu)
    }

    func testFixturesPassOnReferenceBackend() throws {
        try runFixtures(on: Backends.reference)
    }
}

import Foundation
import XCTest
@testable import Strata

/// By default the fast backend steps aside from a core another program keeps busy.
final class CoreAvailabilityTests: XCTestCase {
    func testABusyLoopElsewhereTakesOneCoreFromTheFastBackend() throws {
        let cores = Parallel.coreCount
        let busy = Process()
        busy.executableURL = URL(fileURLWithPath: "/bin/sh")
        busy.arguments = ["-c", "while :; do :; done"]
        try busy.run()
        let saved = CoreAvailability.policy
        CoreAvailability.policy = .adaptive
        defer {
            CoreAvailability.policy = saved
            busy.terminate()
            busy.waitUntilExit()
        }
        // two sampling intervals: the first sample sets the baseline, the second measures
        var seen: [Int] = []
        for _ in 0..<6 {
            Thread.sleep(forTimeInterval: CoreAvailability.interval / 2 + 0.05)
            seen.append(CoreAvailability.threads)
        }
        // at least the busy core is given up (more when other programs also run, as on a shared CI
        // machine); never the last one
        let last = try XCTUnwrap(seen.last)
        XCTAssertLessThanOrEqual(last, Swift.max(cores - 1, 1), "threads over 1.8 s with one core busy: \(seen)")
        XCTAssertGreaterThanOrEqual(last, 1)
    }
}

final class ThreadPolicyTests: XCTestCase {
    func testSTRATA_THREADSChoosesThePolicy() {
        XCTAssertEqual(CoreAvailability.Policy.parse(nil), .adaptive)
        XCTAssertEqual(CoreAvailability.Policy.parse(""), .adaptive)
        XCTAssertEqual(CoreAvailability.Policy.parse("all"), .allCores)
        XCTAssertEqual(CoreAvailability.Policy.parse("3"), .fixed(3))
        XCTAssertEqual(CoreAvailability.Policy.parse("0"), .adaptive)
        XCTAssertEqual(CoreAvailability.Policy.parse("many"), .adaptive)
    }
}

import Foundation
import XCTest
@testable import Strata

/// A run killed with SIGKILL in epoch 2 and resumed ends with bit-identical weights to an
/// uninterrupted run with the same seed.
final class ResumeTests: XCTestCase {
    private let arguments = ["train", "--data", "mnist", "--data-dir", SharedData.path("data/mnist"), "--model", "lenet5",
                             "--epochs", "3", "--seed", "7", "--progress", "lines"]

    func testKilledRunResumesToIdenticalWeights() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let straight = base.appendingPathComponent("straight").path, interrupted = base.appendingPathComponent("interrupted").path

        let (status, text) = try CLITests.strata(arguments + ["--output", straight])
        XCTAssertEqual(status, 0, text)

        // start the same run, wait for epoch 1's checkpoint, kill -9 during epoch 2
        let process = Process()
        process.executableURL = CLITests.executable()
        process.arguments = arguments + ["--output", interrupted]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let checkpoint = (interrupted as NSString).appendingPathComponent("last.ckpt")
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline && process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertTrue(process.isRunning, "the run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let log = try String(contentsOfFile: (interrupted as NSString).appendingPathComponent("log.csv"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2, "killed after epoch 1 only: \(log)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: (interrupted as NSString).appendingPathComponent("model.safetensors")))

        let (resumed, resumeText) = try CLITests.strata(arguments + ["--output", interrupted, "--resume"])
        XCTAssertEqual(resumed, 0, resumeText)
        let a = try Data(contentsOf: URL(fileURLWithPath: (straight as NSString).appendingPathComponent("model.safetensors")))
        let b = try Data(contentsOf: URL(fileURLWithPath: (interrupted as NSString).appendingPathComponent("model.safetensors")))
        XCTAssertEqual(a.count, b.count)
        XCTAssertTrue(a == b, "final weights differ after resuming")
        let resumedLog = try String(contentsOfFile: (interrupted as NSString).appendingPathComponent("log.csv"), encoding: .utf8)
        XCTAssertEqual(resumedLog.split(separator: "\n").count, 4)
    }
}

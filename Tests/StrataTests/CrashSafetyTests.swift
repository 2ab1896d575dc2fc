import Foundation
import XCTest
@testable import Strata

/// Training survives what a machine does to it: `kill -9` at any moment (checkpoint
/// writes included), a full disk and a read-only run folder. Every resumed run ends with
/// the weights of an uninterrupted one; a failed write is a typed error and the last good
/// checkpoint stays as it was.
final class CrashSafetyTests: XCTestCase {
    private let arguments = ["train", "--data", "digits", "--epochs", "16", "--seed", "5", "--progress", "silent"]
    private let kills = 20

    private var executable: URL { CLITests.executable() }

    private func temporaryFolder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    private func file(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// Whether a checkpoint is being written now (its temporary file exists).
    private func writingCheckpoint(in folder: String) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.contains { $0.hasSuffix(".tmp") && $0.contains(".ckpt.") }
    }

    func testKillsAtRandomMomentsAllResumeToIdenticalWeights() throws {
        let straight = temporaryFolder("straight"), killed = temporaryFolder("killed")
        defer { for folder in [straight, killed] { try? FileManager.default.removeItem(atPath: folder) } }
        let (status, text) = try CLITests.strata(arguments + ["--output", straight])
        XCTAssertEqual(status, 0, text)

        var rng = RandomGenerator(seed: 17)
        var killedCount = 0, duringCheckpoint = 0, resumes = 0, attempts = 0
        while killedCount < kills && attempts < 4 * kills {
            attempts += 1
            let resuming = FileManager.default.fileExists(atPath: file(killed, "last.ckpt"))
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments + ["--output", killed] + (resuming ? ["--resume"] : [])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if resuming { resumes += 1 }
            // every other kill waits for a checkpoint write to be under way; the rest land at
            // a random moment within the next 1.5 s
            let aimAtCheckpoint = killedCount % 2 == 1
            let deadline = Date().addingTimeInterval(aimAtCheckpoint ? 30 : 1.5 * Double(rng.nextUniform()))
            var hitCheckpoint = false
            while process.isRunning && Date() < deadline {
                if aimAtCheckpoint && writingCheckpoint(in: killed) {
                    hitCheckpoint = true
                    break
                }
                usleep(aimAtCheckpoint ? 200 : 2_000)
            }
            guard process.isRunning else {
                // the run finished before this kill: it must have finished cleanly; start over
                process.waitUntilExit()
                XCTAssertEqual(process.terminationStatus, 0, "a resumed run failed")
                try FileManager.default.removeItem(atPath: killed)
                continue
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .exit {
                // the run ended between the check and the signal (Foundation reaps a finished
                // child a moment later): as above, it must have finished cleanly; start over
                XCTAssertEqual(process.terminationStatus, 0, "a resumed run failed")
                try FileManager.default.removeItem(atPath: killed)
                continue
            }
            XCTAssertEqual(process.terminationReason, .uncaughtSignal)
            killedCount += 1
            if hitCheckpoint { duringCheckpoint += 1 }
        }
        XCTAssertEqual(killedCount, kills)
        XCTAssertGreaterThanOrEqual(duringCheckpoint, kills / 4, "kills during a checkpoint write")

        let resuming = FileManager.default.fileExists(atPath: file(killed, "last.ckpt"))
        let (finalStatus, finalText) = try CLITests.strata(arguments + ["--output", killed] + (resuming ? ["--resume"] : []))
        XCTAssertEqual(finalStatus, 0, finalText)
        let a = try Data(contentsOf: URL(fileURLWithPath: file(straight, "model.safetensors")))
        let b = try Data(contentsOf: URL(fileURLWithPath: file(killed, "model.safetensors")))
        XCTAssertTrue(a == b, "final weights differ after \(killedCount) kills")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [], "temporary files of killed writes are cleaned up on resume")
        print("kill -9: \(killedCount) kills (\(duringCheckpoint) during a checkpoint write), \(resumes) resumes, final weights identical: \(a == b)")
    }

    /// Trains 2 epochs into a fresh folder and returns it with the bytes of its checkpoints.
    private func twoGoodEpochs() throws -> (String, [String: Data]) {
        let run = temporaryFolder("two-epochs")
        let (status, text) = try CLITests.strata(["train", "--data", "digits", "--epochs", "2", "--seed", "5",
                                                  "--progress", "silent", "--output", run])
        XCTAssertEqual(status, 0, text)
        return (run, try checkpoints(run))
    }

    private func checkpoints(_ run: String) throws -> [String: Data] {
        try Dictionary(uniqueKeysWithValues: ["last.ckpt", "best.ckpt"].map { name in
            (name, try Data(contentsOf: URL(fileURLWithPath: file(run, name))))
        })
    }

    /// Runs `strata` through bash after `limits` (a `ulimit`), under `user` (a command that
    /// runs the rest as someone else), returning its status and output.
    private func strata(limits: String = "", user: [String] = [], _ arguments: [String]) throws -> (Int32, String) {
        try CLITests.run(URL(fileURLWithPath: "/bin/bash"),
                         ["-c", "\(limits) exec \(user.joined(separator: " ")) \"$0\" \"$@\"", executable.path] + arguments)
    }

    func testFullDiskIsATypedErrorAndKeepsTheLastCheckpoint() throws {
        let (run, before) = try twoGoodEpochs()
        defer { try? FileManager.default.removeItem(atPath: run) }
        // files may grow to half a checkpoint's size: run.json fits, the next checkpoint not
        let blocks = before["last.ckpt"]!.count / 2 / 1024
        let (status, text) = try strata(limits: "ulimit -f \(blocks);", ["train", "--data", "digits", "--epochs", "4", "--seed", "5",
                                                                       "--progress", "silent", "--output", run, "--resume"])
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.hasPrefix("error: \(run)/best.ckpt: cannot write: File too large"), text)
        XCTAssertEqual(try checkpoints(run), before, "the last good checkpoints changed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run).filter { $0.hasSuffix(".tmp") }, [])
    }

    func testReadOnlyRunFolderIsATypedErrorAndKeepsTheLastCheckpoint() throws {
        let (run, before) = try twoGoodEpochs()
        defer {
            chmod(run, 0o755)
            try? FileManager.default.removeItem(atPath: run)
        }
        XCTAssertEqual(chmod(run, 0o555), 0)
        // root writes through permission bits: the run goes on as nobody then
        let user = geteuid() == 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        let (status, text) = try strata(user: user, ["train", "--data", "digits", "--epochs", "4", "--seed", "5",
                                                     "--progress", "silent", "--output", run, "--resume"])
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.contains("Permission denied"), text)
        XCTAssertTrue(text.hasPrefix("error: \(run)/"), text)
        XCTAssertEqual(try checkpoints(run), before, "the last good checkpoints changed")
    }
}

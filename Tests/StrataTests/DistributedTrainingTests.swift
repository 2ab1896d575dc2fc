import Foundation
import XCTest
@testable import Strata

/// `strata train` as a data-parallel job under Open MPI's `mpirun` (installed by the
/// Makefile's system-package step): the same training as one process with the whole batch,
/// one report and one run folder, and a job that ends when one of its ranks is killed.
final class DistributedTrainingTests: XCTestCase {
    private func temporaryFolder(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// `mpirun -np ranks strata …`, one kernel thread per rank (as root, as CI runs it, with MPI's consent).
    private func job(ranks: Int, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        process.arguments = ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none", "-x", "STRATA_THREADS=1",
                             CLITests.executable().path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        process.environment = environment
        return process
    }

    private func runJob(ranks: Int, _ arguments: [String]) throws -> (Int32, String) {
        let process = try job(ranks: ranks, arguments)
        let pipe = Pipe()
        (process.standardOutput, process.standardError) = (pipe, pipe)
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// 640 training samples of 16 features (as 1×4×4 images with `images`) in 4 classes (a
    /// fixed linear rule), 128 for testing.
    private func writeData(to path: String, images: Bool = false) throws {
        let (status, output) = try ReferencePython.run("""
            import sys, numpy as np
            g = np.random.default_rng(7)
            w = g.normal(size=(16, 4))
            def part(n):
                x = g.normal(size=(n, 16)).astype(np.float32)
                return x, np.argmax(x @ w + 0.3 * g.normal(size=(n, 4)), axis=1).astype(np.int64)
            (a, b), (c, d) = part(640), part(128)
            if sys.argv[2] == "images": a, c = a.reshape(-1, 1, 4, 4), c.reshape(-1, 1, 4, 4)
            np.savez(sys.argv[1], x_train=a, y_train=b, x_test=c, y_test=d)
            """, [path, images ? "images" : "features"])
        XCTAssertEqual(status, 0, output)
    }

    /// Two ranks with batches of 32 take the steps one process takes with batches of 64 on the
    /// same order of samples: 50 steps (5 epochs of 640) end at the same parameters.
    func testTwoRanksOfBatch32TrainAsOneProcessOfBatch64() throws {
        try compareTwoRanksWithOneProcess(model: "mlp", images: false, options: [])
    }

    /// With `--sync-bn` batch norm normalises the two ranks' batches together: a network with
    /// batch norm (its running statistics included) ends as one process of the whole batch.
    /// The convolution has no bias, as before batch norm in torchvision: batch norm removes it,
    /// so its gradient is rounding noise that Adam would turn into full-size steps.
    func testSynchronizedBatchNormTrainsAsOneProcessOfTheWholeBatch() throws {
        let folder = try temporaryFolder("sync-bn-model")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = (folder as NSString).appendingPathComponent("conv-bn.json")
        try Data(#"{"input": [1, 4, 4], "layers": ["Conv2d(1,8,k3,p1,nobias)", "BatchNorm2d(8)", "ReLU", "Flatten", "Linear(128,4)"]}"#.utf8)
            .write(to: URL(fileURLWithPath: model))
        try compareTwoRanksWithOneProcess(model: model, images: true, options: ["--sync-bn"])
    }

    private func compareTwoRanksWithOneProcess(model: String, images: Bool, options: [String]) throws {
        let folder = try temporaryFolder("distributed")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = (folder as NSString).appendingPathComponent("blobs.npz")
        try writeData(to: data, images: images)
        let common = ["train", "--data", "npz:\(data)", "--model", model, "--epochs", "5", "--validation", "0", "--seed", "3",
                      "--progress", "silent"]
        let (single, singleOutput) = try CLITests.strata(common + ["--batch-size", "64", "--output", folder + "/single"])
        XCTAssertEqual(single, 0, singleOutput)
        let (status, output) = try runJob(ranks: 2, common + options + ["--batch-size", "32", "--output", folder + "/job"])
        XCTAssertEqual(status, 0, output)
        // rank 0 alone reports, on the whole test part though each rank evaluated half of it
        XCTAssertEqual(output.components(separatedBy: "Test accuracy").count - 1, 1, output)
        XCTAssertTrue(output.contains(" of 128)"), output)
        let accuracy = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("Test accuracy") }?.prefix(21) }
        XCTAssertEqual(accuracy(output), accuracy(singleOutput), output)
        let expected = try Safetensors.read(contentsOf: folder + "/single/model.safetensors")
        let actual = try Safetensors.read(contentsOf: folder + "/job/model.safetensors")
        XCTAssertEqual(Set(actual.keys), Set(expected.keys))
        func norm(_ values: [Float]) -> Double { values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        for (name, tensor) in actual where tensor.dtype == .float32 {
            let reference = try XCTUnwrap(expected[name]).toArray()
            let difference = norm(zip(tensor.toArray(), reference).map { $0 - $1 })
            XCTAssertLessThanOrEqual(difference / norm(reference), 1e-5, "\(model) \(name)")
        }
        // the epochs' training loss is over both ranks' samples: the single process's
        let log = { (path: String) in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init) }
        let (jobLog, singleLog) = (try log(folder + "/job/log.csv"), try log(folder + "/single/log.csv"))
        XCTAssertEqual(jobLog.count, singleLog.count)
        for (a, b) in zip(jobLog.dropFirst(), singleLog.dropFirst()) {
            let (x, y) = (Double(a.split(separator: ",")[1]) ?? .nan, Double(b.split(separator: ",")[1]) ?? .nan)
            XCTAssertEqual(x, y, accuracy: 1e-4 * Swift.abs(y), "\(a) vs \(b)")
        }
    }

    /// A rank killed mid-epoch ends the job (no rank left waiting); the last checkpoint stays
    /// whole and the job resumes from it.
    func testAKilledRankEndsTheJobAndTheRunResumes() throws {
        let folder = try temporaryFolder("distributed-kill")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = folder + "/run"
        let arguments = ["train", "--epochs", "400", "--validation", "0", "--batch-size", "16", "--output", run, "--progress", "silent"]
        let process = try job(ranks: 2, arguments)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let last = run + "/last.ckpt"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: last) && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: last))
        // the ranks are mpirun's children; kill the second
        let (_, children) = try CLITests.run(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-P", "\(process.processIdentifier)"])
        let ranks = children.split(separator: "\n").compactMap { Int32($0) }
        XCTAssertEqual(ranks.count, 2, children)
        let killed = Date()
        kill(try XCTUnwrap(ranks.last), SIGKILL)
        while process.isRunning && Date().timeIntervalSince(killed) < 60 { Thread.sleep(forTimeInterval: 0.1) }
        let seconds = Date().timeIntervalSince(killed)
        XCTAssertFalse(process.isRunning)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        XCTAssertNotEqual(process.terminationStatus, 0)
        XCTAssertLessThan(seconds, 30)
        let (epoch, _) = try Checkpoint.history(at: last)
        XCTAssertGreaterThan(epoch, 0)
        XCTAssertLessThan(epoch, 400)
        // resumed with as many ranks, for a few epochs more than were done
        var resumed = arguments
        resumed[2] = "\(epoch + 3)"
        let (status, output) = try runJob(ranks: 2, resumed + ["--resume"])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(try Checkpoint.history(at: last).epoch, epoch + 3)
    }

    /// Training shards: the epoch's order padded with its first indices to equal sizes and
    /// dealt round-robin (DistributedSampler); evaluation shards: every sample exactly once.
    func testShardsDealTheEpochsOrderAsDistributedSampler() throws {
        let dataset = try TensorDataset(inputs: try Tensor((0..<10).map(Float.init), shape: [10, 1]),
                                        targets: try Tensor(labels: Array(repeating: 0, count: 10), shape: [10]), classNames: ["a"])
        let whole = try DataLoader(dataset, batchSize: 3, shuffle: true, seed: 4)
        let order = whole.batchIndices(epoch: 2).flatMap { $0 }
        var shards: [[Int]] = []
        for rank in 0..<3 {
            var loader = whole
            loader.shard = (rank, 3)
            XCTAssertEqual(loader.sampleCount, 4)
            XCTAssertEqual(loader.batchCount, 2)
            shards.append(loader.batchIndices(epoch: 2).flatMap { $0 })
        }
        let padded = order + order.prefix(2)
        XCTAssertEqual(shards, (0..<3).map { rank in stride(from: rank, to: 12, by: 3).map { padded[$0] } })
        var unpadded: [Int] = []
        for rank in 0..<3 {
            var loader = whole
            (loader.shard, loader.padsShards) = ((rank, 3), false)
            XCTAssertEqual(loader.sampleCount, rank == 0 ? 4 : 3)
            unpadded += loader.batchIndices(epoch: 2).flatMap { $0 }
        }
        XCTAssertEqual(unpadded.sorted(), Array(0..<10))
    }

    func testDistributedOutsideAJobIsRefused() throws {
        let (status, output) = try CLITests.strata(["train", "--distributed", "--epochs", "1", "--output", NSTemporaryDirectory() + "unused"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("--distributed: this process was not started as part of a job"), output)
    }
}

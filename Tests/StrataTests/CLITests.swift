import Foundation
import XCTest
@testable import Strata

/// The `strata` executable, run as a user runs it.
final class CLITests: XCTestCase {
    /// Runs `strata` with arguments; returns (exit code, standard output + error).
    static func strata(_ arguments: [String]) throws -> (Int32, String) {
        // the test bundle sits beside the built executables
        var products = Bundle(for: CLITests.self).bundleURL
        if products.pathExtension == "xctest" { products.deleteLastPathComponent() }
        let process = Process()
        process.executableURL = products.appendingPathComponent("strata")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testParityOnTheSharedFixtures() throws {
        let (status, output) = try Self.strata(["parity", SharedData.path("fixtures")])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.hasSuffix("55 passed, 0 failed, 4 skipped\n"), output)
        XCTAssertTrue(output.contains("SKIP frames_0: op 'frames' is not implemented"), output)
    }

    func testParityReportsFailuresAndUnknownOps() throws {
        // a folder of the same format: a correct relu case, a wrong one and an unknown op
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = try Tensor([-1, 2, -3, 4], shape: [2, 2])
        try NumpyArray.write(x, to: folder.appendingPathComponent("x.npy").path)
        try NumpyArray.write(try Tensor([0, 2, 0, 4], shape: [2, 2]), to: folder.appendingPathComponent("good.npy").path)
        try NumpyArray.write(try Tensor([0, 2, 0, 5], shape: [2, 2]), to: folder.appendingPathComponent("bad.npy").path)
        let manifest = """
            {"generator": "test", "set": "private", "cases": [
              {"name": "relu_ok", "op": "relu", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "good.npy"}, "rtol": 1e-4, "atol": 1e-5},
              {"name": "relu_wrong", "op": "relu", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "bad.npy"}, "rtol": 1e-4, "atol": 1e-5},
              {"name": "mystery", "op": "fourier_transform", "params": {}, "inputs": {"x": "x.npy"}, "outputs": {"y": "good.npy"}, "rtol": 1e-4, "atol": 1e-5}
            ]}
            """
        try Data(manifest.utf8).write(to: folder.appendingPathComponent("manifest.json"))
        let (status, output) = try Self.strata(["parity", folder.path, "--backend", "reference"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("FAIL relu_wrong (relu): output y: 1 of 4 elements outside tolerance, max abs error 1.0"), output)
        XCTAssertTrue(output.contains("SKIP mystery: op 'fourier_transform' is not implemented"), output)
        XCTAssertTrue(output.hasSuffix("1 passed, 1 failed, 1 skipped\n"), output)
    }

    func testParityOnAMissingFolderIsAUsageError() throws {
        let (status, output) = try Self.strata(["parity", "/nonexistent/folder"])
        XCTAssertEqual(status, 64, output)
        XCTAssertTrue(output.contains("no manifest.json here"), output)
        let (badOption, text) = try Self.strata(["parity", SharedData.path("fixtures"), "--backend", "gpu"])
        XCTAssertEqual(badOption, 64, text)
        XCTAssertTrue(text.contains("cpu") && text.contains("reference"), text)
    }
}

import Foundation
import XCTest
@testable import Strata

/// Each binary parser takes 100,000 random or mutated inputs without crashing: every
/// outcome is a value or a typed error.
final class FuzzTests: XCTestCase {
    private let iterations = 100_000

    /// Mutations of `seed` bytes: flipped bytes, truncations, extensions and pure noise.
    private func fuzz(_ seed: [UInt8], _ parse: (Data) throws -> Void, file: StaticString = #filePath, line: UInt = #line) {
        var rng = RandomGenerator(seed: UInt64(seed.count))
        var parsed = 0, rejected = 0
        for _ in 0..<iterations {
            var bytes = seed
            switch rng.nextInt(below: 5) {
            case 0:
                for _ in 0..<(1 + rng.nextInt(below: 4)) { bytes[rng.nextInt(below: bytes.count)] = UInt8(rng.nextInt(below: 256)) }
            case 1:
                bytes = Array(bytes.prefix(rng.nextInt(below: bytes.count + 1)))
            case 2:
                bytes += (0..<rng.nextInt(below: 64)).map { _ in UInt8(rng.nextInt(below: 256)) }
            case 3:
                bytes = (0..<rng.nextInt(below: 200)).map { _ in UInt8(rng.nextInt(below: 256)) }
            default:
                // corrupt the header region, where sizes live
                for _ in 0..<2 { bytes[rng.nextInt(below: Swift.min(bytes.count, 32))] = UInt8(rng.nextInt(below: 256)) }
            }
            do {
                try parse(Data(bytes))
                parsed += 1
            } catch is StrataError {
                rejected += 1
            } catch {
                XCTFail("untyped error \(error)", file: file, line: line)
                return
            }
        }
        // mutations of the data part still parse, mutations of the structure are refused
        XCTAssertGreaterThan(parsed, 0, "no mutated input parsed", file: file, line: line)
        XCTAssertGreaterThan(rejected, 0, "no mutated input was refused", file: file, line: line)
    }

    func testIDX() throws {
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3]
        images += (0..<18).map { UInt8($0) }
        fuzz(images) { _ = try IDXFile.decode($0) }
    }

    func testNumpy() throws {
        fuzz([UInt8](NumpyArray.encode(try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])))) { _ = try NumpyArray.decode($0) }
    }

    func testCIFAR() throws {
        let record = [UInt8(3)] + [UInt8](repeating: 7, count: 3072)
        fuzz(record + record) { _ = try CIFARFile.decode($0, variant: .cifar10) }
    }

    func testTimeSeries() throws {
        let text = "#comment\n@problemName toy\n@univariate false\n@dimensions 2\n@equalLength true\n@seriesLength 3\n"
            + "@classLabel true up down\n@data\n1,2,3:4,5,6:up\n0.5,?,1:2,3,4:down\n"
        fuzz(Array(text.utf8)) { _ = try TimeSeriesFile.decode($0) }
    }

    func testSafetensors() throws {
        fuzz([UInt8](Safetensors.encode([("w", try Tensor([1, 2, 3, 4], shape: [2, 2])), ("n", try Tensor(labels: [5]))]))) {
            _ = try Safetensors.decode($0)
        }
    }

    /// Both `.pth` serialisations (zip and legacy pickles): the fixtures of
    /// tools/make_pth_fixtures.py, mutated.
    func testTorchCheckpoints() throws {
        for file in ["state_zip", "state_legacy"] {
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/pth/\(file).pth")
            fuzz([UInt8](try Data(contentsOf: path.standardized))) { _ = try TorchCheckpoint.decode($0) }
        }
    }

    /// Inputs the libFuzzer harnesses (`make fuzz`) found crashing a parser, kept as regressions.
    func testLibFuzzerFindingsAreTypedErrors() {
        // 259 bytes, neither zip nor pickle: the check for an old tar-format file read bytes 257..<262
        let short = Data([0x50] + [UInt8](repeating: 9, count: 258))
        XCTAssertThrowsError(try TorchCheckpoint.decode(short)) { error in
            XCTAssertEqual(error as? StrataError, .corruptFile(path: "<pth>", offset: 0, message: "not a PyTorch file: neither a zip archive (PK) nor a pickle (0x80)"))
        }
        // an npy shape whose element count fits in Int but whose byte count does not
        var npy = Data([0x93] + Array("NUMPY".utf8) + [1, 0, 80, 0])   // a header of 80 bytes
        npy += Data("{'descr': '<i8', 'fortran_order': False, 'shape': (1, 3333333333333333333), }".utf8)
        npy += Data("  \n".utf8)
        XCTAssertThrowsError(try NumpyArray.decode(npy)) { error in
            guard case let .corruptFile(_, _, message)? = error as? StrataError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("needs more than Int.max bytes"), message)
        }
    }

    func testMATAndZipArchives() throws {
        let mat = TestFiles.matFile([("y", [2, 1], 9, [UInt8](repeating: 0, count: 16))], compressed: true)
        fuzz(mat) { _ = try MATFile.decode($0) }
        let npy = [UInt8](NumpyArray.encode(try Tensor([1, 2], shape: [2])))
        fuzz(TestFiles.zip([("a.npy", npy)], deflated: true)) { _ = try ZipArchive.entries($0, path: "<zip>") }
    }
}

import Foundation
import XCTest
@testable import Strata

final class NumpyArrayTests: XCTestCase {
    func testRoundTripFloatAndInt() throws {
        let floats = try Tensor([1.5, -2, 3.25, 0, 7, 8], shape: [2, 3])
        let decoded = try NumpyArray.decode(NumpyArray.encode(floats))
        XCTAssertEqual(decoded.shape, [2, 3])
        XCTAssertEqual(decoded.toArray(), floats.toArray())
        let labels = try Tensor(labels: [4, -1, 9])
        let back = try NumpyArray.decode(NumpyArray.encode(labels))
        XCTAssertEqual(back.dtype, .int64)
        XCTAssertEqual(back.toLabels(), [4, -1, 9])
        let scalar = try NumpyArray.decode(NumpyArray.encode(Tensor(scalar: 2)))
        XCTAssertEqual(scalar.shape, [])
        // numpy aligns the data to 64 bytes
        XCTAssertEqual((NumpyArray.encode(floats).count - 24) % 64, 0)
    }

    func testReadsAFixtureWrittenByNumPy() throws {
        let x = try NumpyArray.read(contentsOf: SharedData.path("fixtures/conv2d_0/in_x.npy"))
        XCTAssertEqual(x.rank, 4)
        XCTAssertEqual(x.dtype, .float32)
        let target = try NumpyArray.read(contentsOf: SharedData.path("fixtures/cross_entropy_0/in_target.npy"))
        XCTAssertEqual(target.dtype, .int64)
    }

    func testCorruptFilesGiveOffsets() throws {
        var data = NumpyArray.encode(try Tensor([1, 2, 3, 4], shape: [4]))
        guard case .corruptFile(_, let offset, let text)? = thrownError({ _ = try NumpyArray.decode(Data(data.prefix(134))) })
        else { return XCTFail() }
        XCTAssertEqual(offset, 128)
        XCTAssertTrue(text.contains("needs 16 bytes of data but 6 follow"), text)
        guard case .corruptFile(_, 0, _)? = thrownError({ _ = try NumpyArray.decode(Data("hello".utf8)) }) else { return XCTFail() }
        data[6] = 9
        guard case .corruptFile(_, 6, let version)? = thrownError({ _ = try NumpyArray.decode(data) }) else { return XCTFail() }
        XCTAssertTrue(version.contains("version 9"), version)
        guard case .io? = thrownError({ _ = try NumpyArray.read(contentsOf: "/nonexistent/x.npy") }) else { return XCTFail() }
    }

    /// Damaged files either decode to a consistent array or give a typed error — never
    /// anything else — and both happen.
    func testRandomBytesNeverCrashTheReader() throws {
        var rng = RandomGenerator(seed: 9)
        let valid = NumpyArray.encode(try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        var decoded = 0, rejected = 0
        for _ in 0..<3000 {
            var bytes = [UInt8](valid)
            for _ in 0..<(1 + rng.nextInt(below: 6)) { bytes[rng.nextInt(below: bytes.count)] = UInt8(rng.nextInt(below: 256)) }
            if rng.nextInt(below: 4) == 0 { bytes = Array(bytes.prefix(rng.nextInt(below: bytes.count))) }
            do {
                let array = try NumpyArray.decode(Data(bytes))
                XCTAssertEqual(array.count, array.shape.reduce(1, *))
                XCTAssertLessThanOrEqual(array.count * array.dtype.size, bytes.count)
                decoded += 1
            } catch is StrataError {
                rejected += 1
            }
        }
        XCTAssertGreaterThan(decoded, 100)
        XCTAssertGreaterThan(rejected, 100)
    }
}

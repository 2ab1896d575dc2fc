import XCTest
@testable import Strata

final class TensorTests: XCTestCase {
    func testCreationAndConversion() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        XCTAssertEqual(t.shape, [2, 3])
        XCTAssertEqual(t.strides, [3, 1])
        XCTAssertEqual(t.toArray(), [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(try Tensor.zeros([2, 2]).toArray(), [0, 0, 0, 0])
        XCTAssertEqual(try Tensor.full([3], value: 2.5).toArray(), [2.5, 2.5, 2.5])
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.25).toArray(), [1, 1.25, 1.5, 1.75])
        XCTAssertEqual(try Tensor.arange(5, 0, step: -2).toArray(), [5, 3, 1])
        let labels = try Tensor(labels: [3, 1, 4], shape: [3])
        XCTAssertEqual(labels.dtype, .int64)
        XCTAssertEqual(labels.toLabels(), [3, 1, 4])
        XCTAssertEqual(labels.toFloat().toArray(), [3, 1, 4])
        XCTAssertEqual(try Tensor(scalar: 7).item(), 7)
    }

    func testSeededRandomNumbersAreFixedAcrossMachines() throws {
        // xoshiro256** seeded by SplitMix64 is fully specified: these are its first outputs for seed 42
        var generator = RandomGenerator(seed: 42)
        let first = (0..<3).map { _ in generator.next() }
        var again = RandomGenerator(seed: 42)
        XCTAssertEqual(first, (0..<3).map { _ in again.next() })
        var splitMixState: UInt64 = 42
        func splitMix() -> UInt64 {
            splitMixState &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMixState
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let s1 = ({ _ = splitMix(); return splitMix() })()
        // xoshiro256**'s first output is rotl(s1·5, 7)·9
        let rotated = (s1 &* 5) << 7 | (s1 &* 5) >> 57
        XCTAssertEqual(first[0], rotated &* 9)
        var normals = RandomGenerator(seed: 1)
        let samples = (0..<20_000).map { _ in Double(normals.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        var coins = RandomGenerator(seed: 2)
        let drawn = try Tensor.bernoulli([10_000], p: 0.3, generator: &coins).toArray()
        XCTAssertEqual(Double(drawn.reduce(0, +)) / 10_000, 0.3, accuracy: 0.02)
        XCTAssertTrue(drawn.allSatisfy { $0 == 0 || $0 == 1 })
    }

    func testBroadcastingArithmetic() throws {
        let a = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = try Tensor([10, 20, 30], shape: [3])
        XCTAssertEqual(try (a + b).toArray(), [11, 22, 33, 14, 25, 36])
        let column = try Tensor([1, 2], shape: [2, 1])
        XCTAssertEqual(try (a * column).toArray(), [1, 2, 3, 8, 10, 12])
        XCTAssertEqual(try (a - column).shape, [2, 3])
        XCTAssertEqual((a * 2 + 1).toArray(), [3, 5, 7, 9, 11, 13])
        XCTAssertEqual((1 / (a / 2)).toArray().map { ($0 * 1000).rounded() / 1000 }, [2, 1, 0.667, 0.5, 0.4, 0.333])
        XCTAssertEqual(try a.greater(b / 10).toArray(), [0, 0, 0, 1, 1, 1])
        XCTAssertEqual(try Tensor.maximum(a, Tensor(scalar: 3.5)).toArray(), [3.5, 3.5, 3.5, 4, 5, 6])
    }

    func testReductions() throws {
        let t = try Tensor([1, 5, 3, 4, 2, 6], shape: [2, 3])
        XCTAssertEqual(try t.sum(axes: [1]).toArray(), [9, 12])
        XCTAssertEqual(try t.sum(axes: [0], keepDims: true).shape, [1, 3])
        XCTAssertEqual(try t.mean().item(), 3.5)
        XCTAssertEqual(try t.variance(axes: [1]).toArray(), [4, 4])
        XCTAssertEqual(try t.variance(axes: [1], unbiased: false).toArray().map { ($0 * 1000).rounded() }, [2667, 2667])
        XCTAssertEqual(try t.max(axis: 1).toArray(), [5, 6])
        XCTAssertEqual(try t.min(axis: 0).toArray(), [1, 2, 3])
        XCTAssertEqual(try t.argmax(axis: 1).toLabels(), [1, 2])
        XCTAssertEqual(try t.argmin(axis: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(try t.max().item(), 6)
        // the first of equal maxima wins
        XCTAssertEqual(try Tensor([2, 7, 7, 1], shape: [4]).argmax(axis: 0).toLabels(), [1])
    }

    func testViewsShareStorage() throws {
        let t = try Tensor.arange(0, 24).reshape([2, 3, 4])
        let p = try t.permute([2, 0, 1])
        XCTAssertEqual(p.shape, [4, 2, 3])
        XCTAssertFalse(p.isContiguous)
        XCTAssertTrue(p.storage === t.storage)
        XCTAssertEqual(try p.contiguous().toArray().prefix(6), [0, 4, 8, 12, 16, 20])
        let s = try t.slice(axis: 2, start: 1, end: 4, step: 2)
        XCTAssertEqual(s.shape, [2, 3, 2])
        XCTAssertEqual(s.toArray(), [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23])
        XCTAssertEqual(try t.slice(axis: 0, start: -1).toArray().first, 12)
        let e = try Tensor([1, 2, 3], shape: [3, 1]).expand([2, 3, 4])
        XCTAssertEqual(e.strides, [0, 1, 0])
        XCTAssertEqual(e.toArray().prefix(8), [1, 1, 1, 1, 2, 2, 2, 2])
        XCTAssertEqual(try t.reshape([4, -1]).shape, [4, 6])
        XCTAssertEqual(try t.flatten(from: 1).shape, [2, 12])
        XCTAssertEqual(try t.unsqueeze(axis: -1).shape, [2, 3, 4, 1])
        XCTAssertEqual(try t.unsqueeze(axis: 0).squeeze(axis: 0).shape, [2, 3, 4])
        XCTAssertEqual(try t.transpose(0, 2).shape, [4, 3, 2])
    }

    func testConcatStackAndMatmul() throws {
        let a = try Tensor([1, 2, 3, 4], shape: [2, 2]), b = try Tensor([5, 6], shape: [2, 1])
        XCTAssertEqual(try Tensor.concat([a, b], axis: 1).toArray(), [1, 2, 5, 3, 4, 6])
        XCTAssertEqual(try Tensor.stack([a, a], axis: 0).shape, [2, 2, 2])
        XCTAssertEqual(try Tensor.matmul(a, a).toArray(), [7, 10, 15, 22])
        XCTAssertEqual(try Tensor.matmul(a, Tensor([1, 1], shape: [2])).toArray(), [3, 7])
        let batch = try Tensor.arange(0, 12).reshape([3, 2, 2])
        XCTAssertEqual(try Tensor.matmul(batch, a).shape, [3, 2, 2])
        XCTAssertEqual(try Tensor.matmul(batch, a).toArray().suffix(4), [35, 52, 43, 64])
    }

    func testDescriptionReadsLikePyTorch() throws {
        let t = try Tensor([1, -2.5, 3, 0.00001], shape: [2, 2])
        XCTAssertEqual(t.description, "tensor([[1.0000, -2.5000],\n        [3.0000, 1.0000e-05]], shape: [2, 2])")
        let long = try Tensor.arange(0, 10)
        XCTAssertEqual(long.description, "tensor([0.0000, 1.0000, 2.0000, ..., 7.0000, 8.0000, 9.0000], shape: [10])")
        XCTAssertEqual(try Tensor(labels: [1, 2]).description, "tensor([1, 2], shape: [2], dtype: int64)")
    }
}

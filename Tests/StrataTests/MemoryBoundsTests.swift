import Foundation
import XCTest
@testable import Strata

/// Memory stays bounded when shapes keep changing (every batch size and sequence length
/// new): oneDNN primitives are cached least-recently-used, and the buffer pool gives back
/// the sizes no longer asked for.
final class MemoryBoundsTests: XCTestCase {
    /// This process's resident set size in bytes (`/proc/self/statm`, field 2, in pages).
    private func residentBytes() throws -> Int {
        let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return try XCTUnwrap(Int(fields[1])) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testThirtyEpochsWithVaryingBatchAndSequenceLengthKeepResidentMemoryFlat() throws {
        var rng = RandomGenerator(seed: 9)
        let model = Sequential([Conv1d(4, 32, kernel: 5, padding: 2), BatchNorm1d(32), ReLU(),
                                Conv1d(32, 64, kernel: 3, padding: .same, dilation: 2), BatchNorm1d(64), ReLU(),
                                GlobalAvgPool(), Linear(64, 5)])
        let sgd = try SGD(parameters: model.parameters(), learningRate: 0.01, momentum: 0.9)
        // a data set of 100 batches, each with its own batch size and sequence length (as
        // when sequences are bucketed by length), shuffled every epoch
        var batches = (0..<100).map { _ in (size: 4 + rng.nextInt(below: 24), length: 64 + rng.nextInt(below: 320)) }
        var resident: [Int] = [], pooled: [Int] = []
        for _ in 0..<30 {
            for i in stride(from: batches.count - 1, to: 0, by: -1) { batches.swapAt(i, rng.nextInt(below: i + 1)) }
            for (batch, length) in batches {
                let x = try Tensor.randn([batch, 4, length], generator: &rng)
                let labels = try Tensor(labels: (0..<batch).map { _ in rng.nextInt(below: 5) })
                let loss = try crossEntropy(try model(x), target: labels)
                sgd.zeroGrad()
                try loss.backward()
                sgd.step()
                XCTAssertTrue(try loss.item().isFinite)
            }
            resident.append(try residentBytes())
            pooled.append(BufferPool.held)
        }
        let describe = { (bytes: [Int]) in bytes.map { String(format: "%.1f", Double($0) / 1_048_576) }.joined(separator: " ") }
        let mebibytes = "resident MiB per epoch: \(describe(resident)); of it free in the buffer pool: \(describe(pooled))"
        print(mebibytes)
        // Outside the pool: the last three epochs against the third (single epochs vary by a
        // few MiB as the C allocator's arenas come and go).
        let outside = zip(resident, pooled).map { Double($0 - $1) }
        let afterThird = outside[2], lastThree = outside.suffix(3).reduce(0, +) / 3
        XCTAssertLessThan((lastThree - afterThird) / afterThird, 0.05, mebibytes)
        // The pool keeps the buffers of about one step for the next (which step came last
        // decides whether a 12 MiB one is among them): never more than in the first three epochs.
        XCTAssertLessThanOrEqual(pooled.suffix(27).max()!, pooled.prefix(3).max()!, mebibytes)
        XCTAssertLessThanOrEqual(BufferPool.held, BufferPool.capacity)
    }

    func testPrimitiveCacheDropsTheLeastRecentlyUsedShape() {
        let cache = DNNLCache<Int, String>(capacity: 3)
        var made: [Int] = []
        func get(_ key: Int) -> String? { cache.value(for: key) { made.append(key); return "p\(key)" } }
        _ = (get(1), get(2), get(3), get(1), get(4))   // 2 is the least recently used when 4 arrives
        XCTAssertEqual(cache.count, 3)
        XCTAssertEqual(get(1), "p1")
        XCTAssertEqual(get(2), "p2")                       // made again
        XCTAssertEqual(made, [1, 2, 3, 4, 2])
    }

    func testReleasingCachedMemoryEmptiesTheBufferPool() {
        do { _ = Tensor(zerosShape: [4, 1 << 20]) }        // 16 MiB, pooled when freed
        XCTAssertGreaterThanOrEqual(BufferPool.held, 16 << 20)
        releaseCachedMemory()
        XCTAssertEqual(BufferPool.held, 0)
    }
}

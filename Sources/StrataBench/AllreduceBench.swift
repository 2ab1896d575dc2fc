import Foundation
import Strata

/// The collective-communication micro-benchmark, run under `mpirun -np N` (`make bench`
/// does it with 2): allreduce (sum) of float buffers from 1 KiB to 64 MiB, median of seven
/// timed repetitions after warm-up, with bandwidth as nccl-tests defines it — algorithm
/// bandwidth `bytes / time`, bus bandwidth `algbw · 2(N−1)/N` (what each link carries in a
/// ring allreduce, comparable across rank counts). Rank 0 prints the table.
enum AllreduceBench {
    static func run() throws {
        guard let world = Communicator.world else {
            print("strata-bench --allreduce runs under mpirun: mpirun -np 2 strata-bench --allreduce")
            exit(2)
        }
        let ranks = Double(world.size)
        if world.isRoot {
            print("Allreduce (sum, float32) over \(world.size) ranks; bus bandwidth = algbw × 2(N−1)/N as nccl-tests")
            print("| bytes | time (µs) | algbw (GB/s) | busbw (GB/s) |")
            print("|---|---|---|---|")
        }
        var bytes = 1 << 10
        while bytes <= 64 << 20 {
            var buffer = [Float](repeating: 1, count: bytes / 4)
            // fewer repetitions of the larger buffers keep each size to about a second
            let iterations = Swift.max(1, Swift.min(200, (16 << 20) / bytes))
            try world.barrier()
            let timing = try Timing.measure(iterations: iterations) {
                try buffer.withUnsafeMutableBufferPointer { pointer throws(StrataError) in
                    try world.sum(pointer.baseAddress!, count: pointer.count)
                }
            }
            // the ranks' mean of their median times
            let seconds = try world.sum([timing.median]).first! / ranks
            let algorithmBandwidth = Double(bytes) / seconds / 1e9
            if world.isRoot {
                print(String(format: "| %@ | %.1f | %.2f | %.2f |", Self.size(bytes), seconds * 1e6, algorithmBandwidth,
                             algorithmBandwidth * 2 * (ranks - 1) / ranks))
            }
            bytes *= 4
        }
    }

    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}

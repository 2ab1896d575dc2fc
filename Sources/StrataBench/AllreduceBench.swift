import Foundation
import Strata

/// The collective-communication micro-benchmark, run under `mpirun -np N` (`make bench`
/// does it with 2): allreduce (sum) of float buffers from 1 KiB to 64 MiB, median of seven
/// timed repetitions after warm-up, with bandwidth as nccl-tests defines it — algorithm
/// bandwidth `bytes / time`, bus bandwidth `algbw · 2(N−1)/N` (what each link carries in a
/// ring allreduce, comparable across rank counts) — then a DDP step with and without
/// overlap. Rank 0 prints the tables.
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
        try overlap(world)
    }

    /// DistributedDataParallel's step with the gradient sums started during backward (each
    /// bucket as soon as backward completes it) and after it, alternating, on a network whose
    /// 67 MB of gradients take about as long to sum on loopback as its backward takes to
    /// compute: four `Linear(2048, 2048)` + ReLU, batch 64 per rank. Prints the median time of
    /// backward plus averaging, and of the wait after backward, over ten steps each.
    static func overlap(_ world: Communicator) throws {
        let (width, batch) = (2048, 64)
        var generator = RandomGenerator(seed: UInt64(world.rank) + 1)
        let model = Sequential((0..<4).flatMap { _ -> [Module] in [Linear(width, width), ReLU()] })
        let parameters = model.trainableParameters()
        let x = try Tensor.randn([batch, width], generator: &generator)
        let buckets = GradientBuckets(parameters: parameters, communicator: world)
        var step: [Bool: [Double]] = [:], wait: [Bool: [Double]] = [:]
        for round in 0..<22 {
            let overlapped = round % 2 == 1
            for parameter in parameters { parameter.grad = nil }
            let loss = try model(x).square().mean()
            try world.barrier()
            buckets.beginStep()
            let start = DispatchTime.now().uptimeNanoseconds
            try loss.backward(gradientFinal: overlapped ? buckets.gradientFinal : nil)
            let backwardDone = DispatchTime.now().uptimeNanoseconds
            try buckets.finishStep()
            let end = DispatchTime.now().uptimeNanoseconds
            guard round >= 2 else { continue }
            step[overlapped, default: []].append(Double(end - start) / 1e6)
            wait[overlapped, default: []].append(Double(end - backwardDone) / 1e6)
        }
        func median(_ values: [Double]) throws -> Double {
            let sorted = values.sorted()
            return try world.sum([sorted[sorted.count / 2]]).first! / Double(world.size)
        }
        let figures = try [false, true].map { overlapped in (try median(step[overlapped]!), try median(wait[overlapped]!)) }
        if world.isRoot {
            let gradientBytes = parameters.reduce(0) { $0 + $1.count } * 4
            print("\nDDP step over \(world.size) ranks: 4 × Linear(2048, 2048) + ReLU, batch \(batch) per rank, " +
                  "\(gradientBytes >> 20) MiB of gradients in \(buckets.bucketCount) buckets (median of 10, ms)")
            print("| gradient sums start | backward + averaging | wait after backward |")
            print("|---|---|---|")
            print(String(format: "| after backward | %.1f | %.1f |", figures[0].0, figures[0].1))
            print(String(format: "| during backward (DDP's overlap) | %.1f | %.1f |", figures[1].0, figures[1].1))
        }
    }

    private static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB"
    }
}

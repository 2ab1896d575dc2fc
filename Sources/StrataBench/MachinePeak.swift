import Foundation

/// What the machine can do at most, for reading GFLOP/s figures: its vector ISA (from
/// `/proc/cpuinfo`) and its float32 FMA peak measured with a plain loop of independent
/// fused multiply-adds on every core (built for the widest vectors this machine has: the
/// Makefile names the CPU, so `SIMD16<Float>` is one AVX-512 register and `SIMD8<Float>` one
/// AVX2 register; the faster of the two loops counts). With oneDNN capped below AVX-512
/// (`ONEDNN_MAX_CPU_ISA=AVX2`, as `make bench-avx2` runs) on an AVX-512 machine, the ISA says
/// so and only the 8-wide loop counts.
struct MachinePeak {
    let cpu: String
    let isa: String
    let gigaflops: Double

    static func measure(threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> MachinePeak {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = { (key: String) in
            info.split(separator: "\n").first { $0.hasPrefix(key) }.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        let flags = Set(line("flags").split(separator: " ").map(String.init))
        // oneDNN's cap (ALL, AVX512_CORE…, AVX2…, AVX, SSE41), as PyTorch's oneDNN reads it too
        let cap = (ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"]
                   ?? ProcessInfo.processInfo.environment["DNNL_MAX_CPU_ISA"])?.uppercased()
        let capped = flags.contains("avx512f") && cap.map { $0 != "ALL" && !$0.hasPrefix("AVX512") && !$0.hasPrefix("AMX") } == true
        var isa = flags.contains("avx512f") && !capped ? "AVX-512" : flags.contains("avx2") ? "AVX2" : "SSE"
        if flags.contains("fma") { isa += " + FMA" }
        if flags.contains("amx_tile") && cap.map({ $0 == "ALL" || $0.hasPrefix("AMX") }) ?? true { isa += " + AMX" }
        if capped, let cap { isa += " (AVX-512 present, oneDNN capped by ONEDNN_MAX_CPU_ISA=\(cap))" }
        // 8-wide chains fit AVX2's sixteen registers, where the 16-wide ones would spill; the
        // 16-wide ones count only where AVX-512 may be used. A warm-up, then the best of three.
        _ = rate(threads: threads, iterations: 2_000_000, flopsPerIteration: 10 * 8 * 2, narrowChains)
        let narrow = (0..<3).map { _ in rate(threads: threads, iterations: 40_000_000, flopsPerIteration: 10 * 8 * 2, narrowChains) }
            .max() ?? 0
        let wide = capped ? 0 : (0..<3).map { _ in
            rate(threads: threads, iterations: 20_000_000, flopsPerIteration: 12 * 16 * 2, chains)
        }.max() ?? 0
        return MachinePeak(cpu: line("model name"), isa: isa, gigaflops: Swift.max(wide, narrow))
    }

    /// GFLOP/s of `threads` threads each running `loop(iterations, seed)`, which does
    /// `flopsPerIteration` floating-point operations a round and returns a sum to keep.
    private static func rate(threads: Int, iterations: Int, flopsPerIteration: Int,
                             _ loop: @escaping @Sendable (Int, Float) -> Float) -> Double {
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: threads)
        defer { sums.deallocate() }
        let start = DispatchTime.now().uptimeNanoseconds
        let address = Int(bitPattern: sums)   // each thread writes its own element
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            UnsafeMutablePointer<Float>(bitPattern: address)![thread] = loop(iterations, Float(thread + 1))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // the sums keep the loops from being optimised away
        precondition(sums[0].isFinite, "FMA loop overflowed")
        return Double(threads * iterations * flopsPerIteration) / seconds / 1e9
    }

    /// Ten independent 8-wide FMAs per round.
    @inline(never)
    private static func narrowChains(iterations: Int, seed: Float) -> Float {
        let m = SIMD8<Float>(repeating: 0.999_999), c = SIMD8<Float>(repeating: 1e-7 * seed)
        var (a0, a1, a2, a3, a4) = (c, c + 1, c + 2, c + 3, c + 4)
        var (a5, a6, a7, a8, a9) = (c + 5, c + 6, c + 7, c + 8, c + 9)
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, m); a1 = c.addingProduct(a1, m); a2 = c.addingProduct(a2, m)
            a3 = c.addingProduct(a3, m); a4 = c.addingProduct(a4, m); a5 = c.addingProduct(a5, m)
            a6 = c.addingProduct(a6, m); a7 = c.addingProduct(a7, m); a8 = c.addingProduct(a8, m)
            a9 = c.addingProduct(a9, m)
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9).sum()
    }

    /// Twelve independent 16-wide FMAs per round (enough chains to cover the FMA latency on both pipes).
    @inline(never)
    private static func chains(iterations: Int, seed: Float) -> Float {
        let m = SIMD16<Float>(repeating: 0.999_999), c = SIMD16<Float>(repeating: 1e-7 * seed)
        var (a0, a1, a2, a3, a4, a5) = (c, c + 1, c + 2, c + 3, c + 4, c + 5)
        var (a6, a7, a8, a9, a10, a11) = (c + 6, c + 7, c + 8, c + 9, c + 10, c + 11)
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, m); a1 = c.addingProduct(a1, m); a2 = c.addingProduct(a2, m)
            a3 = c.addingProduct(a3, m); a4 = c.addingProduct(a4, m); a5 = c.addingProduct(a5, m)
            a6 = c.addingProduct(a6, m); a7 = c.addingProduct(a7, m); a8 = c.addingProduct(a8, m)
            a9 = c.addingProduct(a9, m); a10 = c.addingProduct(a10, m); a11 = c.addingProduct(a11, m)
        }
        return (a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11).sum()
    }

    var description: String {
        String(format: "Machine: %@, %@ (%d cores); float32 FMA peak measured with a plain FMA loop: %.0f GFLOP/s",
               cpu, isa, ProcessInfo.processInfo.activeProcessorCount, gigaflops)
    }
}

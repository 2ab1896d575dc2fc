import Foundation

/// How many threads the fast backend runs on. By default it follows the load: the
/// machine's cores less those other programs keep busy, measured from `/proc/stat` (all
/// CPU time) less `/proc/self/stat` (this process's) at most every `interval` seconds.
/// With one of two cores taken by another program, two threads would meet at every
/// barrier waiting for the one that shares its core (W1 kept ~30% of its idle speed so);
/// threads on the free core only keep ~55%.
///
/// Results do not depend on the thread count: a sum whose rounding would (weight
/// gradients over the batch, batch-norm statistics) is split into `workSplit` parts, a
/// number fixed for the process, so a run gives the same bits on a busy machine as on an
/// idle one, and a resumed run ends with exactly the weights of an uninterrupted one.
///
/// `STRATA_THREADS=N` fixes the count at N (and the split with it, like PyTorch's
/// `set_num_threads`); `STRATA_THREADS=all` uses every core whatever the load.
enum CoreAvailability {
    /// How the thread count is chosen.
    enum Policy: Equatable {
        /// Every core, always (`STRATA_THREADS=all`).
        case allCores
        /// Exactly this many threads (`STRATA_THREADS=N`).
        case fixed(Int)
        /// The cores other programs leave free (the default).
        case adaptive

        /// The policy `STRATA_THREADS` asks for: unset or empty → adaptive, `all`, or a
        /// count ≥ 1; anything else → adaptive, with a warning on standard error.
        static func parse(_ value: String?) -> Policy {
            guard let value, !value.isEmpty else { return .adaptive }
            if value == "all" { return .allCores }
            if value == "adaptive" { return .adaptive }
            if let count = Int(value), count >= 1 { return .fixed(count) }
            FileHandle.standardError.write(Data("strata: STRATA_THREADS=\(value) is not a thread count ≥ 1 or \"all\"; following the load\n".utf8))
            return .adaptive
        }
    }

    static let interval = 0.5
    /// The policy in force (from `STRATA_THREADS` at start-up; tests change it).
    nonisolated(unsafe) static var policy = Policy.parse(ProcessInfo.processInfo.environment["STRATA_THREADS"])
    /// Stands in for the measured free cores in adaptive mode (tests).
    nonisolated(unsafe) static var freeCoresOverride: Int?
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last: Sample?
    nonisolated(unsafe) private static var current = Parallel.coreCount

    /// Threads for the next parallel operation (1…cores in adaptive mode).
    static var threads: Int {
        switch policy {
        case .allCores: return Parallel.coreCount
        case .fixed(let count): return count
        case .adaptive: return freeCoresOverride ?? adaptiveThreads
        }
    }

    /// The parts a sum that threads share is split into: fixed for the process (every
    /// core, or N with `STRATA_THREADS=N`), not following the load, so sums of partial
    /// results round the same way on a busy machine as on an idle one.
    static var workSplit: Int {
        if case .fixed(let count) = policy { return count }
        return Parallel.coreCount
    }

    private static var adaptiveThreads: Int {
        let now = Date()
        let cached = lock.withLock { () -> Int? in
            if let last, now.timeIntervalSince(last.time) < interval { return current }
            return nil
        }
        if let cached { return cached }
        guard let sample = Sample.read(at: now) else { return Parallel.coreCount }
        return lock.withLock {
            if let last, sample.total > last.total {
                let others = Double((sample.busy - last.busy) - (sample.own - last.own)) / Double(sample.total - last.total)
                let busyCores = Swift.max(others, 0) * Double(Parallel.coreCount)
                // another program on half a core or more takes one: it keeps ~0.7 of a core
                // while Strata runs on both, a whole one once Strata steps aside
                current = Swift.max(1, Parallel.coreCount - Int(busyCores + 0.5))
            }
            last = sample
            return current
        }
    }

    /// CPU time counters, in clock ticks: every core's total and busy time, and this process's.
    private struct Sample {
        let time: Date
        let total: Int
        let busy: Int
        let own: Int

        static func read(at time: Date) -> Sample? {
            guard let stat = FileBytes.contents(atPath: "/proc/stat"),
                  let line = String(decoding: stat, as: UTF8.self).split(separator: "\n").first, line.hasPrefix("cpu "),
                  let mine = FileBytes.contents(atPath: "/proc/self/stat") else { return nil }
            // user nice system idle iowait irq softirq steal
            let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Int($0) }
            guard ticks.count == 8 else { return nil }
            // after the command name in parentheses: fields 14 and 15 are utime and stime
            let text = String(decoding: mine, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
            let total = ticks.reduce(0, +)
            return Sample(time: time, total: total, busy: total - ticks[3] - ticks[4], own: user + system)
        }
    }
}

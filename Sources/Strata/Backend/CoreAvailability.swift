import Foundation

/// How many cores the fast backend should use now: in adaptive mode, the machine's cores
/// less those other programs keep busy. With one of two cores taken by another process, two threads would
/// meet at every barrier of every parallel loop waiting for the one that shares its core
/// (W1 kept 36% of its idle speed so); one thread on the free core keeps ~70%.
///
/// Measured from `/proc/stat` (all CPU time) less `/proc/self/stat` (this process's),
/// sampled at most every `interval` seconds; without those files, every core.
///
/// Opt-in with `STRATA_THREADS=adaptive`: results then depend on the machine's load (a
/// reduction split over one thread rounds differently from one split over two), so a run
/// is no longer bit-for-bit repeatable and a resumed run no longer ends with exactly the
/// weights of an uninterrupted one. By default every core is used, always.
enum CoreAvailability {
    static let interval = 0.5
    /// Whether the thread count follows the load (`STRATA_THREADS=adaptive`).
    nonisolated(unsafe) static var isAdaptive = ProcessInfo.processInfo.environment["STRATA_THREADS"] == "adaptive"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var last: Sample?
    nonisolated(unsafe) private static var current = Parallel.coreCount

    /// Threads for the next parallel operation (1…cores).
    static var threads: Int {
        guard isAdaptive else { return Parallel.coreCount }
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

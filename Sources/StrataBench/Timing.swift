import Foundation

/// Median-of-repetitions timing, as `torch_reference.py` does it: warm-up calls, then
/// `repetitions` timed runs of `iterations` calls each; seconds per call.
struct Timing {
    let median: Double
    let best: Double

    static func measure(iterations: Int, repetitions: Int = 7, warmup: Int = 3, _ body: () throws -> Void) rethrows -> Timing {
        for _ in 0..<warmup { try body() }
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { try body() }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations))
        }
        times.sort()
        return Timing(median: times[times.count / 2], best: times[0])
    }
}

/// Peak resident memory of this process in MiB.
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

import Foundation
import Strata

// strata-bench: runs W1–W7 in Strata and in PyTorch (../shared/bench/torch_reference.py for W1–W5,
// tools/torch_zoo_bench.py for the MobileNetV2 workloads W6 and W7),
// alternating the two programs workload by workload, each workload in its own process
// (so peak RSS is per workload), then W1 and W4 again with one core busy (another process
// spinning; Strata as it is, following the load, and with STRATA_THREADS=all, every core whatever
// the load), and prints one table of ratios. `ONLY=W1,W3` picks
// workloads; `BENCH_JSON=FILE` also writes the table as JSON.
//
//   strata-bench             the whole comparison
//   strata-bench --run W2    one workload in this process, as JSON lines (used by the above)
//   strata-bench --transfer  the transfer-learning table (T1, T3) against PyTorch's figures
//   mpirun -np 2 strata-bench --allreduce   allreduce bus bandwidth, 1 KiB–64 MiB

let arguments = CommandLine.arguments
if arguments.count == 2 && arguments[1] == "--allreduce" {
    do {
        try AllreduceBench.run()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
        exit(1)
    }
}
if arguments.count == 2 && arguments[1] == "--transfer" {
    let environment = ProcessInfo.processInfo.environment
    let seeds = (environment["TRANSFER_SEEDS"] ?? "0").split(separator: ",").compactMap { UInt64($0) }
    do {
        try TransferTable.run(shared: environment["STRATA_SHARED"] ?? "../shared", seeds: seeds.isEmpty ? [0] : seeds,
                              only: environment["ONLY"].map { $0.split(separator: ",").map(String.init) })
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
        exit(1)
    }
}
if arguments.count == 3 && arguments[1] == "--run" {
    do {
        for measurement in try Workloads.run(arguments[2]) {
            let line: [String: Any] = ["workload": measurement.workload, "unit": measurement.unit,
                                       "value": measurement.value, "peak_rss_mib": peakResidentMiB()]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        // the kernel (oneDNN's choice or Strata's Winograd) of each forward convolution of the inference workloads
        if ["W3", "W5", "W6"].contains(arguments[2]) {
            let kernels = convolutionKernels().map { "\($0.shapes): \($0.implementation)" }
            let data = try JSONSerialization.data(withJSONObject: ["kernels_of": arguments[2], "kernels": kernels], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("strata-bench: \(error)\n".utf8))
        exit(1)
    }
}

let environment = ProcessInfo.processInfo.environment
let only = environment["ONLY"].map { $0.split(separator: ",").map(String.init) } ?? Workloads.all
let shared = environment["STRATA_SHARED"] ?? "../shared"
let torchScript = (shared as NSString).appendingPathComponent("bench/torch_reference.py")
let reference = TorchReference(script: torchScript)
if !reference.isAvailable {
    print("PyTorch is not importable here (or \(torchScript) is missing): printing Strata's figures only.")
    print("For the comparison: pip install torch==2.13.0 pillow && pip install --no-deps torchvision==0.28.0")
}

let peak = MachinePeak.measure()
print(peak.description)
var rows: [BenchRow] = []
nonisolated(unsafe) var kernels: [String: [String]] = [:]
for workload in only {
    let strata = runStrata(workload)
    // W2L compares Strata with itself (loader against pre-made tensors)
    let torch = reference.isAvailable && workload != "W2L" ? reference.run(workload) : [:]
    for measurement in strata {
        let torchValue = torch[measurement.workload]
        rows.append(BenchRow(workload: measurement.workload, unit: measurement.unit, strata: measurement.value,
                             pytorch: torchValue?.value, strataRSS: measurement.peakRSS, pytorchRSS: torchValue?.peakRSS))
        // the same Strata figure against PyTorch in channels-last memory format, where measured
        if let channelsLast = torch["\(measurement.workload) vs channels-last"] {
            rows.append(BenchRow(workload: "\(measurement.workload) vs channels-last", unit: measurement.unit, strata: measurement.value,
                                 pytorch: channelsLast.value, strataRSS: measurement.peakRSS, pytorchRSS: channelsLast.peakRSS))
        }
    }
    if strata.isEmpty { print("\(workload): Strata failed to run") }
}
// Under load: W1 and W4 again with one core taken by a busy loop (another program's work),
// both sides in the same conditions; the rows give the throughput and its share of idle.
if only.contains(where: { ["W1", "W4"].contains($0) }) {
    for workload in ["W1", "W4"] where only.contains(workload) {
        let idle = rows.first { $0.workload == workload }
        let busy = BusyLoop.start()
        let adaptive = runStrata(workload).first
        let everyCore = runStrata(workload, environment: ["STRATA_THREADS": "all"]).first
        let torch = reference.isAvailable ? reference.run(workload)[workload] : nil
        busy.stop()
        let share = { (loaded: Double?, free: Double?) -> Double? in
            guard let loaded, let free, free > 0 else { return nil }
            return 100 * loaded / free
        }
        for (label, strata) in [("", adaptive), (" every core", everyCore)] {
            guard let strata else { continue }
            rows.append(BenchRow(workload: "\(workload) busy\(label)", unit: strata.unit, strata: strata.value,
                                 pytorch: torch?.value, strataRSS: strata.peakRSS, pytorchRSS: torch?.peakRSS))
            if let idle {
                rows.append(BenchRow(workload: "\(workload) busy\(label) %", unit: "% of idle", strata: share(strata.value, idle.strata) ?? 0,
                                     pytorch: share(torch?.value, idle.pytorch), strataRSS: 0, pytorchRSS: nil))
            }
        }
    }
}
// W3 and W6 in GFLOP/s for PyTorch too: the same network's FLOPs at its images/s
for (index, row) in rows.enumerated() where row.workload.hasSuffix(" GFLOP/s") {
    let base = String(row.workload.dropLast(" GFLOP/s".count))
    guard let images = rows.first(where: { $0.workload == base }), images.strata > 0, let torch = images.pytorch else { continue }
    rows[index] = BenchRow(workload: row.workload, unit: row.unit, strata: row.strata, pytorch: torch * row.strata / images.strata,
                           strataRSS: row.strataRSS, pytorchRSS: images.pytorchRSS)
}
// the fused networks against PyTorch's unfused eval (torchvision's eval fuses nothing)
for (index, row) in rows.enumerated() where row.workload.hasSuffix(" fused") {
    let base = String(row.workload.dropLast(" fused".count))
    guard let plain = rows.first(where: { $0.workload == base }) else { continue }
    rows[index] = BenchRow(workload: row.workload, unit: row.unit, strata: row.strata, pytorch: plain.pytorch,
                           strataRSS: row.strataRSS, pytorchRSS: plain.pytorchRSS)
}
BenchRow.printTable(rows)
print(String(format: "\nGFLOP/s as a share of the measured FMA peak (%.0f GFLOP/s, %@):", peak.gigaflops, peak.isa))
print("  (FLOPs of the direct convolution: where Winograd runs (oneDNN's on AVX-512, Strata's on AVX2), which does fewer, a share can pass 100%)")
for row in rows where row.unit == "GFLOP/s" {
    let torch = row.pytorch.map { String(format: ", PyTorch %.0f%%", 100 * $0 / peak.gigaflops) } ?? ""
    print(String(format: "  %@: Strata %.0f%%%@", row.workload, 100 * row.strata / peak.gigaflops, torch))
}
for (workload, lines) in kernels.sorted(by: { $0.key < $1.key }) where !lines.isEmpty {
    print("\nForward convolution kernels in \(workload) (oneDNN's choice, or Strata's own Winograd):")
    for line in lines { print("  \(line)") }
}
if let path = environment["BENCH_JSON"] {
    do {
        try BenchRow.json(rows).write(to: URL(fileURLWithPath: path))
        print("wrote \(path)")
    } catch {
        print("cannot write \(path): \(error)")
    }
}

/// Runs one workload in a child process of this executable.
func runStrata(_ workload: String, environment: [String: String?] = [:]) -> [(workload: String, unit: String, value: Double, peakRSS: Double)] {
    let output = ChildProcess.run(CommandLine.arguments[0], ["--run", workload], environment: environment)
    for line in output {
        if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
           let of = object["kernels_of"] as? String, let lines = object["kernels"] as? [String] {
            kernels[of] = lines
        }
    }
    return output.compactMap { line in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let name = object["workload"] as? String, let unit = object["unit"] as? String,
              let value = object["value"] as? Double, let rss = object["peak_rss_mib"] as? Double else { return nil }
        return (name, unit, value, rss)
    }
}

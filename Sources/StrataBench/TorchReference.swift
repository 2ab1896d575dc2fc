import Foundation

/// The PyTorch side of the comparison: `torch_reference.py W…` (W1–W5) or
/// `tools/torch_zoo_bench.py W…` (W6–W9) in a child process with 2 threads and without
/// the OpenBLAS variables some machines here set.
struct TorchReference {
    let script: String
    /// The script of the zoo workloads W6 and W7.
    var zooScript = "tools/torch_zoo_bench.py"

    /// Whether `python3` can import torch and the script exists.
    var isAvailable: Bool {
        FileManager.default.fileExists(atPath: script)
            && !ChildProcess.run("/usr/bin/env", ["python3", "-c", "import torch; print('ok')"], environment: [:]).isEmpty
    }

    /// The workload's figures by Strata's measurement names.
    func run(_ workload: String) -> [String: (value: Double, peakRSS: Double)] {
        let lines = ChildProcess.run("/usr/bin/env", ["python3", ["W6", "W7", "W8", "W9"].contains(workload) ? zooScript : script, workload], environment: [
            "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OPENBLAS_CORETYPE": nil, "OPENBLAS_L2_SIZE": nil])
        guard let line = lines.last(where: { $0.hasPrefix("{") }),
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
        let rss = object["peak_rss_mib"] as? Double ?? 0
        let keys: [String: String] = ["W1": "samples_per_s", "W2": "samples_per_s", "W3": "images_per_s", "W4": "samples_per_s",
                                      "W5 conv fwd": "conv_fwd_gflops", "W5 conv bwd": "conv_bwd_gflops",
                                      "W5 sgemm 2048": "torch_mm_2048_gflops", "W6": "images_per_s", "W7": "samples_per_s",
                                      "W6 vs channels-last": "images_per_s_channels_last",
                                      "W7 vs channels-last": "samples_per_s_channels_last", "W8": "maps_per_min", "W9": "steps_per_s"]
        var result: [String: (Double, Double)] = [:]
        for (name, key) in keys where name.hasPrefix(workload) {
            if let value = object[key] as? Double { result[name] = (value, rss) }
        }
        return result
    }
}

/// Runs a program and returns its standard output lines (empty when it fails).
enum ChildProcess {
    /// `environment` overrides: a `nil` value removes the variable.
    static func run(_ executable: String, _ arguments: [String], environment overrides: [String: String?]) -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in overrides { environment[key] = value }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { return [] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// One line of the comparison table.
struct BenchRow {
    let workload: String
    let unit: String
    let strata: Double
    let pytorch: Double?
    let strataRSS: Double
    let pytorchRSS: Double?

    var ratio: Double? { pytorch.map { strata / $0 } }

    /// The targets of the core-engine issue: ratios for W1–W4, absolute GFLOP/s for W5.
    static let targets: [String: String] = ["W1": "ratio ≥ 1.5", "W2": "ratio ≥ 1.2, RSS ≤ PyTorch", "W3": "ratio ≥ 1.5",
                                            "W6": "ratio ≥ 1.5", "W7": "ratio ≥ 1.2", "W8": "ratio ≥ 1.0", "W9": "ratio ≥ 1.0",
                                            "W4": "ratio ≥ 1.2", "W5 conv fwd": "≥ 280 GFLOP/s",
                                            "W5 sgemm 2048": "≥ 250 GFLOP/s", "W2L loader": "≥ 90%", "W2L loader+aug": "≥ 90%",
                                            "W1 busy": "ratio ≥ 1.0", "W4 busy": "ratio ≥ 1.0",
                                            "W1 busy %": "Strata ≥ 45%", "W4 busy %": "Strata ≥ 45%"]

    static func printTable(_ rows: [BenchRow]) {
        func cell(_ text: String, _ width: Int) -> String { text.padding(toLength: Swift.max(width, text.count + 1), withPad: " ", startingAt: 0) }
        func number(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "-" }
        print(cell("workload", 15) + cell("unit", 11) + cell("Strata", 10) + cell("PyTorch", 10) + cell("ratio", 8)
              + cell("RSS MiB S/P", 14) + "target")
        for row in rows {
            print(cell(row.workload, 15) + cell(row.unit, 11) + cell(number(row.strata), 10) + cell(number(row.pytorch), 10)
                  + cell(row.ratio.map { String(format: "%.2f", $0) } ?? "-", 8)
                  + cell("\(Int(row.strataRSS))/\(row.pytorchRSS.map { String(Int($0)) } ?? "-")", 14)
                  + (targets[row.workload] ?? ""))
        }
    }

    static func json(_ rows: [BenchRow]) throws -> Data {
        let objects: [[String: Any]] = rows.map { row in
            ["workload": row.workload, "unit": row.unit, "strata": row.strata, "pytorch": row.pytorch as Any? ?? NSNull(),
             "ratio": row.ratio as Any? ?? NSNull(), "strata_rss_mib": row.strataRSS,
             "pytorch_rss_mib": row.pytorchRSS as Any? ?? NSNull()]
        }
        return try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
    }
}

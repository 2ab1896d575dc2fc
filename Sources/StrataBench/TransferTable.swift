import Foundation
import Strata

/// `strata-bench --transfer` (`make transfer`): the transfer-learning table of
/// `shared/bench/transfer.md` — T1 (ImageNet MobileNetV2 → MNIST, 100 images per class at
/// 96×96) and T3 (the pretrained MNIST CNN → the 8×8 digits at 28×28, 10 per class) — with
/// every way run by Strata on PyTorch's recipe, Strata's own recipe, and PyTorch's figures
/// beside them; then the cost of way (a) against (b). `TRANSFER_SEEDS=0,1` picks seeds,
/// `ONLY=T1` or `ONLY=T3` one task.
enum TransferTable {
    struct Task {
        let name: String
        let model: String
        let weights: String
        let data: String
        let dataDirectory: String?
        let perClass: Int
        let size: [Int]
        let epochs: Int
        let batch: Int
        /// (way, its learning rate for T3's single-rate recipe, PyTorch's test accuracy)
        let rows: [(way: FineTuningRecipe.Way, pytorch: Double)]
    }

    static func run(shared: String, seeds: [UInt64], only: [String]?) throws {
        let pretrained = (shared as NSString).appendingPathComponent("data/pretrained")
        let tasks = [
            Task(name: "T1", model: "mobilenet_v2", weights: (pretrained as NSString).appendingPathComponent("mobilenet_v2-b0353104.pth"),
                 data: "mnist", dataDirectory: (shared as NSString).appendingPathComponent("data/mnist"), perClass: 100, size: [96, 96],
                 epochs: 15, batch: 32,
                 rows: [(.frozen, 88.59), (.full, 96.05), (.layerwise, 94.49), (.top(5), 94.10), (.scratch, 89.21)]),
            Task(name: "T3", model: "digit-recognizer",
                 weights: (pretrained as NSString).appendingPathComponent("mnist-cnn-digit-recognizer/handwriting_model.pth"),
                 data: "digits", dataDirectory: nil, perClass: 10, size: [28, 28], epochs: 30, batch: 16,
                 rows: [(.frozen, 85.56), (.full, 87.86), (.scratch, 78.37)]),
        ].filter { only?.contains($0.name) ?? true }
        for task in tasks {
            print("\n\(task.name): \(task.model) → \(task.data), \(task.perClass) per class at \(task.size.map(String.init).joined(separator: "×")), seeds \(seeds.map(String.init).joined(separator: ", "))")
            print("| way | Strata test acc. | PyTorch | s/epoch | trained parameters |")
            print("|---|---|---|---|---|")
            var perEpoch: [String: Double] = [:], totals: [String: Double] = [:]
            for (way, pytorch) in task.rows.map({ ($0.way as FineTuningRecipe.Way?, $0.pytorch) }) + [(nil, .nan)] {
                var accuracies: [Double] = []
                var last: FineTuningOutcome?
                for seed in seeds {
                    var recipe = FineTuningRecipe(model: task.model, weights: task.weights)
                    recipe.data = task.data
                    recipe.dataDirectory = task.dataDirectory
                    recipe.trainPerClass = task.perClass
                    recipe.resize = task.size
                    recipe.way = way
                    recipe.seed = seed
                    recipe.progress = .silent
                    if way != nil {
                        recipe.epochs = task.epochs
                        recipe.batchSize = task.batch
                        if task.name == "T3" { recipe.learningRate = 1e-3 }
                    }
                    let outcome = try recipe.run()
                    accuracies.append(outcome.testAccuracy * 100)
                    last = outcome
                }
                guard let outcome = last else { continue }
                let mean = accuracies.reduce(0, +) / Double(accuracies.count)
                let spread = accuracies.count > 1
                    ? String(format: " ± %.2f", (accuracies.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(accuracies.count)).squareRoot()) : ""
                let name = way.map { "(\(label($0))) \($0)" } ?? "Strata's recipe (\(outcome.way), \(outcome.history.epochs.count) epochs)"
                print("| \(name) | \(String(format: "%.2f%%", mean))\(spread) (\(accuracies.map { String(format: "%.2f", $0) }.joined(separator: " / "))) | \(pytorch.isNaN ? "-" : String(format: "%.2f%%", pytorch)) | \(String(format: outcome.secondsPerEpoch < 0.1 ? "%.4f" : "%.2f", outcome.secondsPerEpoch)) | \(outcome.trainableParameters) |")
                if let way { perEpoch[way.description] = outcome.secondsPerEpoch; totals[way.description] = outcome.trainingSeconds }
                if way == .frozen {
                    print("|  | feature cache: \(String(format: "%.1f s for %d training, %.1f s for %d test samples", outcome.trainCacheSeconds, outcome.trainSamples, outcome.testCacheSeconds, outcome.testSamples)) | | | |")
                }
            }
            if let a = perEpoch["frozen"], let b = perEpoch["full"], let totalA = totals["frozen"], let totalB = totals["full"] {
                print(String(format: "(a) vs (b): %.0f× faster per epoch, %.1f× for the whole run (%.1f s with the feature pass against %.1f s)",
                             b / a, totalB / totalA, totalA, totalB))
            }
        }
    }

    private static func label(_ way: FineTuningRecipe.Way) -> String {
        switch way {
        case .frozen: return "a"
        case .full: return "b"
        case .layerwise: return "c"
        case .top: return "d"
        case .scratch: return "s"
        }
    }
}

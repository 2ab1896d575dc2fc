import Foundation

/// Counts of true class (row) against predicted class (column).
public struct ConfusionMatrix: Sendable, Equatable, CustomStringConvertible {
    public let classNames: [String]
    public private(set) var counts: [[Int]]

    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    mutating func add(truth: Int, prediction: Int) {
        guard truth >= 0, truth < counts.count, prediction >= 0, prediction < counts.count else { return }
        counts[truth][prediction] += 1
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Of the samples predicted as class `c`, the fraction that are `c` (0 when none).
    public func precision(_ c: Int) -> Double {
        let predicted = counts.reduce(0) { $0 + $1[c] }
        return predicted == 0 ? 0 : Double(counts[c][c]) / Double(predicted)
    }

    /// Of the samples of class `c`, the fraction predicted as `c` (0 when none).
    public func recall(_ c: Int) -> Double {
        let actual = counts[c].reduce(0, +)
        return actual == 0 ? 0 : Double(counts[c][c]) / Double(actual)
    }

    /// Harmonic mean of precision and recall (0 when both are 0).
    public func f1(_ c: Int) -> Double {
        let (p, r) = (precision(c), recall(c))
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// The matrix as a table: rows are true classes, columns predictions.
    public var description: String {
        let width = Swift.max(classNames.map(\.count).max() ?? 1, String(counts.flatMap { $0 }.max() ?? 0).count, 3)
        func cell(_ text: String) -> String { String(repeating: " ", count: Swift.max(width - text.count, 0)) + text }
        var lines = [cell("") + " │ " + classNames.map(cell).joined(separator: " ") + "   (rows: true, columns: predicted)"]
        lines.append(String(repeating: "─", count: width) + "─┼─" + String(repeating: "─", count: (width + 1) * classNames.count))
        for (index, row) in counts.enumerated() {
            lines.append(cell(classNames[index]) + " │ " + row.map { cell(String($0)) }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// Precision, recall, F1 and support per class.
    public var perClassReport: String {
        let nameWidth = Swift.max(classNames.map(\.count).max() ?? 5, 5)
        var lines = ["class".padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  precision  recall     f1  support"]
        for c in classNames.indices {
            lines.append(classNames[c].padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                         + String(format: "  %9.4f  %6.4f  %.4f  %7d", precision(c), recall(c), f1(c), counts[c].reduce(0, +)))
        }
        return lines.joined(separator: "\n")
    }
}

/// Running classification metrics over batches: mean loss, accuracy, top-k accuracy and
/// the confusion matrix.
public struct ClassificationMetrics: Sendable {
    public private(set) var lossSum: Double = 0
    public private(set) var samples = 0
    public private(set) var topKCorrect = 0
    public let k: Int
    public private(set) var confusion: ConfusionMatrix

    public init(classNames: [String], k: Int = 5) {
        self.k = k
        confusion = ConfusionMatrix(classNames: classNames)
    }

    /// Adds a batch: logits `B×K`, int64 labels `B`, and its mean loss.
    public mutating func add(logits: Tensor, labels: Tensor, meanLoss: Float) {
        let values = logits.toArray(), truth = labels.toLabels()
        let classes = logits.shape.last ?? 1
        for (i, label) in truth.enumerated() {
            let row = values[(i * classes)..<((i + 1) * classes)]
            let target = row[row.startIndex + label]
            // rank of the true class: how many score higher (ties count against it)
            let higher = row.filter { $0 > target }.count
            if higher < k { topKCorrect += 1 }
            var best = row.startIndex
            for j in row.indices where row[j] > row[best] { best = j }
            confusion.add(truth: label, prediction: best - row.startIndex)
        }
        lossSum += Double(meanLoss) * Double(truth.count)
        samples += truth.count
    }

    public var loss: Double { samples == 0 ? .nan : lossSum / Double(samples) }
    public var accuracy: Double { confusion.accuracy }
    public var topKAccuracy: Double { samples == 0 ? 0 : Double(topKCorrect) / Double(samples) }
}

/// Running regression metrics: mean loss, mean absolute error and root mean squared error.
public struct RegressionMetrics: Sendable {
    public private(set) var lossSum: Double = 0
    public private(set) var absoluteSum: Double = 0
    public private(set) var squaredSum: Double = 0
    public private(set) var values = 0
    public private(set) var samples = 0

    public init() {}

    public mutating func add(predictions: Tensor, targets: Tensor, meanLoss: Float) {
        for (p, t) in zip(predictions.toArray(), targets.toFloat().toArray()) {
            absoluteSum += Double(Swift.abs(p - t))
            squaredSum += Double((p - t) * (p - t))
        }
        values += predictions.count
        let batch = predictions.shape.first ?? 1
        lossSum += Double(meanLoss) * Double(batch)
        samples += batch
    }

    public var loss: Double { samples == 0 ? .nan : lossSum / Double(samples) }
    public var meanAbsoluteError: Double { values == 0 ? .nan : absoluteSum / Double(values) }
    public var rootMeanSquaredError: Double { values == 0 ? .nan : (squaredSum / Double(values)).squareRoot() }
}

// MARK: Sharded evaluation

extension ClassificationMetrics {
    /// Adds every other rank's counts to these (each rank evaluated its shard), so every rank
    /// holds the figures of the whole data set.
    mutating func combine(over communicator: Communicator) throws(StrataError) {
        let classes = confusion.counts.count
        let local = [lossSum, Double(samples), Double(topKCorrect)] + confusion.counts.flatMap { $0.map(Double.init) }
        let total = try communicator.sum(local)
        (lossSum, samples, topKCorrect) = (total[0], Int(total[1]), Int(total[2]))
        confusion.replaceCounts((0..<classes).map { row in (0..<classes).map { Int(total[3 + row * classes + $0]) } })
    }
}

extension ConfusionMatrix {
    fileprivate mutating func replaceCounts(_ newCounts: [[Int]]) { counts = newCounts }
}

extension RegressionMetrics {
    /// Adds every other rank's sums to these (see `ClassificationMetrics.combine`).
    mutating func combine(over communicator: Communicator) throws(StrataError) {
        let total = try communicator.sum([lossSum, absoluteSum, squaredSum, Double(values), Double(samples)])
        (lossSum, absoluteSum, squaredSum, values, samples) = (total[0], total[1], total[2], Int(total[3]), Int(total[4]))
    }
}

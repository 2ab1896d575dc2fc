import Foundation

/// How training reports progress.
public enum ProgressStyle: String, Sendable, CaseIterable {
    /// A live bar on a terminal, plain periodic lines otherwise.
    case automatic
    /// One updating line per epoch (epoch, batch/total, loss, samples/s, ETA).
    case bar
    /// Plain lines every few seconds and one per epoch, for logs and pipes.
    case lines
    /// Nothing.
    case silent
}

/// Prints training progress to standard error, so standard output stays clean for `--json`.
final class ProgressReporter {
    private let style: ProgressStyle
    private let epochs: Int
    private let batches: Int
    private var lastPrint = Date.distantPast
    private var epochStart = Date()
    private var samples = 0

    init(style: ProgressStyle, epochs: Int, batchesPerEpoch: Int) {
        let terminal = isatty(STDERR_FILENO) != 0
        self.style = style == .automatic ? (terminal ? .bar : .lines) : style
        self.epochs = epochs
        self.batches = batchesPerEpoch
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    func startEpoch() {
        epochStart = Date()
        samples = 0
        lastPrint = Date()
    }

    /// After batch `index` (1-based) of `epoch` with its loss and size.
    func batch(epoch: Int, index: Int, loss: Double, batchSize: Int) {
        samples += batchSize
        let now = Date()
        let elapsed = now.timeIntervalSince(epochStart)
        let rate = elapsed > 0 ? Double(samples) / elapsed : 0
        let eta = index > 0 ? elapsed / Double(index) * Double(batches - index) : 0
        switch style {
        case .bar:
            guard now.timeIntervalSince(lastPrint) > 0.1 || index == batches else { return }
            lastPrint = now
            let width = 24, filled = batches > 0 ? width * index / batches : width
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write(String(format: "\r\u{1B}[2KEpoch %d/%d [%@] %d/%d  loss %.4f  %.0f samples/s  ETA %.0fs",
                         epoch, epochs, bar, index, batches, loss, rate, eta))
        case .lines:
            guard now.timeIntervalSince(lastPrint) >= 5 else { return }
            lastPrint = now
            write(String(format: "epoch %d/%d  batch %d/%d  loss %.4f  %.0f samples/s  ETA %.0fs\n",
                         epoch, epochs, index, batches, loss, rate, eta))
        case .automatic, .silent:
            return
        }
    }

    /// The epoch's summary line.
    func endEpoch(_ record: EpochRecord, metricName: String) {
        guard style != .silent else { return }
        var text = String(format: "epoch %d/%d  loss %.4f  %@ %.4f", record.epoch, epochs, record.trainLoss, metricName, record.trainMetric)
        if let loss = record.validationLoss, let metric = record.validationMetric {
            text += String(format: "  val_loss %.4f  val_%@ %.4f", loss, metricName, metric)
        }
        text += String(format: "  lr %.3g  %.1fs", record.learningRate, record.seconds)
        write((style == .bar ? "\r\u{1B}[2K" : "") + text + "\n")
    }

    func note(_ text: String) {
        guard style != .silent else { return }
        write(text + "\n")
    }
}

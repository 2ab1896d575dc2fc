/// What is learned: class labels or real values.
public enum Task: Sendable, Equatable {
    /// Cross-entropy on logits against int64 labels; metric: accuracy.
    case classification(classNames: [String])
    /// Mean squared error against float targets; metric: mean absolute error.
    case regression

    var metricName: String {
        switch self {
        case .classification: return "accuracy"
        case .regression: return "mae"
        }
    }
}

/// The loss a regression task minimises.
public enum RegressionLoss: String, Sendable, Codable, CaseIterable {
    case mse, l1, huber
}

/// Stop when the monitored value has not improved by more than `minDelta` for
/// `patience` epochs; optionally put back the best epoch's weights (Keras's `EarlyStopping`).
public struct EarlyStopping: Sendable, Equatable {
    public enum Monitor: String, Sendable {
        /// Validation loss (training loss without validation data), lower is better.
        case loss
        /// Validation accuracy (higher is better) or MAE (lower is better).
        case metric
    }

    public var monitor: Monitor
    public var patience: Int
    public var minDelta: Double
    public var restoreBest: Bool

    public init(monitor: Monitor = .loss, patience: Int = 5, minDelta: Double = 0, restoreBest: Bool = true) {
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBest = restoreBest
    }
}

/// How `Trainer.fit` trains.
public struct TrainingConfiguration: Sendable {
    public var epochs: Int
    public var task: Task
    public var labelSmoothing: Float = 0
    /// Regression loss: mean squared error, mean absolute error or Huber.
    public var regressionLoss = RegressionLoss.mse
    /// Clip the gradients' joint 2-norm to this value before each step.
    public var gradientClipNorm: Float?
    /// Stops training early; without it the best epoch is still tracked (validation loss).
    public var earlyStopping: EarlyStopping?
    /// Folder for `best.ckpt`, `last.ckpt`, `log.csv` and `curves.svg` (nothing written when `nil`).
    public var runDirectory: String?
    /// Folder for TensorBoard event files (nothing written when `nil`).
    public var tensorboardDirectory: String?
    public var progress: ProgressStyle = .automatic
    /// `k` of the top-k accuracy.
    public var topK = 5
    /// The data-parallel job this process trains in (`Communicator.dataParallel`): rank 0's
    /// weights are broadcast at the start, gradients averaged over the ranks every step, the
    /// epoch's loss and metric averaged over every rank's samples; only rank 0 reports and
    /// writes files. The training loader should be sharded (`DataLoader.shard`).
    public var communicator: Communicator?

    public init(epochs: Int, task: Task) {
        self.epochs = epochs
        self.task = task
    }
}

/// Results of evaluating a model on a data set.
public struct Evaluation: Sendable {
    public let loss: Double
    /// Classification: accuracy; regression: mean absolute error.
    public let metric: Double
    public let classification: ClassificationMetrics?
    public let regression: RegressionMetrics?
}

import Foundation

/// One epoch's results.
public struct EpochRecord: Sendable, Codable, Equatable {
    public let epoch: Int
    public let trainLoss: Double
    /// Training accuracy (classification) or MAE (regression).
    public let trainMetric: Double
    public let validationLoss: Double?
    public let validationMetric: Double?
    public let learningRate: Double
    public let seconds: Double
}

/// Everything `fit` did: per-epoch records and where the best epoch was.
public struct TrainingHistory: Sendable, Codable, Equatable {
    public internal(set) var epochs: [EpochRecord] = []
    public internal(set) var bestEpoch: Int?
    public internal(set) var bestValue: Double?
    /// Why training ended early, if it did (early stopping).
    public internal(set) var stoppedEarly: String?

    public init() {}

    /// The per-epoch log as CSV with a header line.
    public var csv: String {
        var lines = ["epoch,train_loss,train_metric,val_loss,val_metric,learning_rate,seconds"]
        for record in epochs {
            let fields: [String] = [String(record.epoch), String(record.trainLoss), String(record.trainMetric),
                                    record.validationLoss.map { String($0) } ?? "", record.validationMetric.map { String($0) } ?? "",
                                    String(record.learningRate), String(format: "%.3f", record.seconds)]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

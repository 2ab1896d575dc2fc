import Foundation

/// A forecaster's test errors in the target's own units beside the baselines it must
/// beat, as `strata train` and `strata evaluate` print them.
public enum ForecastFigures {
    /// `test_mae` and `test_rmse` (normalised errors × the data's target scale), the
    /// data's baselines (`persistence_mae`, `seasonal_naive_mae`, …) and the model's MAE
    /// as a share of each baseline's (`mae_ratio_to_persistence`, `mae_ratio_to_seasonal_naive`).
    public static func figures(_ regression: RegressionMetrics, data: LoadedData) -> [String: Double] {
        var figures = data.baselines
        figures["test_mae"] = regression.meanAbsoluteError * data.targetScale
        figures["test_rmse"] = regression.rootMeanSquaredError * data.targetScale
        for baseline in baselineNames {
            if let error = figures["\(baseline)_mae"] { figures["mae_ratio_to_\(baseline)"] = figures["test_mae"]! / error }
        }
        return figures
    }

    static let baselineNames = ["persistence", "seasonal_naive"]

    /// The model's MAE and RMSE, then one line per baseline with its errors and the
    /// model's MAE as a share of the baseline's (below 1: the model is better).
    public static func report(_ figures: [String: Double]) -> String {
        var lines = [String(format: "Test MAE %.4f   RMSE %.4f   (in the target's units)", figures["test_mae"] ?? .nan,
                            figures["test_rmse"] ?? .nan)]
        for baseline in baselineNames {
            guard let mae = figures["\(baseline)_mae"] else { continue }
            let label = baseline == "persistence" ? "persistence (last value)"
                : "seasonal naive (\(Int(figures["season"] ?? 0)) steps back)"
            lines.append(String(format: "  %@ MAE %.4f   RMSE %.4f   model/baseline MAE %.3f", label.padding(toLength: 33, withPad: " ", startingAt: 0),
                                mae, figures["\(baseline)_rmse"] ?? .nan, figures["mae_ratio_to_\(baseline)"] ?? .nan))
        }
        if let trend = figures["trend_accuracy"] { lines.append(String(format: "Trend accuracy: %.4f", trend)) }
        return lines.joined(separator: "\n")
    }
}

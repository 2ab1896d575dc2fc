import Foundation

/// Learning curves as an SVG image: loss and the task's metric per epoch, training and
/// validation, side by side.
public enum LearningCurves {
    public static func svg(_ history: TrainingHistory, metricName: String) -> String {
        let epochs = history.epochs.map { Double($0.epoch) }
        let panels: [(String, [Double], [Double?])] = [
            ("loss", history.epochs.map(\.trainLoss), history.epochs.map(\.validationLoss)),
            (metricName, history.epochs.map(\.trainMetric), history.epochs.map(\.validationMetric)),
        ]
        let (panelWidth, height, margin) = (420.0, 300.0, 62.0)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (index, (title, train, validation)) in panels.enumerated() {
            let left = Double(index) * panelWidth + margin, right = Double(index + 1) * panelWidth - 16
            let top = 44.0, bottom = height - margin
            let values = (train + validation.compactMap { $0 }).filter(\.isFinite)
            var low = values.min() ?? 0, high = values.max() ?? 1
            if high - low < 1e-12 { low -= 0.5; high += 0.5 }
            let first = epochs.first ?? 0, last = Swift.max(epochs.last ?? 1, first + 1)
            func x(_ epoch: Double) -> Double { left + (epoch - first) / (last - first) * (right - left) }
            func y(_ value: Double) -> Double { bottom - (value - low) / (high - low) * (bottom - top) }
            svg += "<text x=\"\((left + right) / 2)\" y=\"18\" text-anchor=\"middle\" font-weight=\"bold\">\(title)</text>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\" stroke=\"#444\"/>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(bottom)\" stroke=\"#444\"/>\n"
            for tick in 0...4 {
                let value = low + (high - low) * Double(tick) / 4
                svg += "<text x=\"\(left - 4)\" y=\"\(y(value) + 4)\" text-anchor=\"end\">\(String(format: "%.3g", value))</text>\n"
            }
            svg += "<text x=\"\(left)\" y=\"\(bottom + 16)\">\(Int(first))</text>"
            svg += "<text x=\"\(right)\" y=\"\(bottom + 16)\" text-anchor=\"end\">\(Int(last))</text>"
            svg += "<text x=\"\((left + right) / 2)\" y=\"\(bottom + 32)\" text-anchor=\"middle\">epoch</text>\n"
            func polyline(_ series: [Double?], _ colour: String) -> String {
                let points = zip(epochs, series).compactMap { epoch, value in
                    value.flatMap { $0.isFinite ? String(format: "%.1f,%.1f", x(epoch), y($0)) : nil }
                }
                return points.isEmpty ? "" : "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
            }
            svg += polyline(train, "#1f77b4") + polyline(validation, "#d62728")
            svg += "<text x=\"\(right - 120)\" y=\"34\" fill=\"#1f77b4\">train</text>"
            svg += "<text x=\"\(right - 80)\" y=\"34\" fill=\"#d62728\">validation</text>\n"
        }
        return svg + "</svg>\n"
    }
}

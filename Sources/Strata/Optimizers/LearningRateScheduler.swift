import Foundation

/// Changes an optimizer's learning rates as training goes on, with PyTorch's
/// `torch.optim.lr_scheduler` definitions. Each group's rate follows the rule from its
/// initial (base) rate; `step()` advances one epoch (one batch for one-cycle), and
/// `ReduceOnPlateau` steps with the monitored metric.
public final class LearningRateScheduler {
    /// How the learning rate depends on the step count `t` (PyTorch's `last_epoch`).
    public enum Rule: Sendable, Equatable {
        /// `StepLR`: `base·γ^floor(t/stepSize)`.
        case step(stepSize: Int, gamma: Float)
        /// `MultiStepLR`: `base·γ^(number of milestones ≤ t)`.
        case multiStep(milestones: [Int], gamma: Float)
        /// `ExponentialLR`: `base·γ^t`.
        case exponential(gamma: Float)
        /// `CosineAnnealingLR`: `η_min + (base − η_min)·(1 + cos(π·t/T_max))/2`.
        case cosineAnnealing(tMax: Int, minimum: Float)
        /// `OneCycleLR` (cosine, two phases): from `max/div` up to `max` over the first
        /// `pctStart` of `totalSteps`, then down to `max/(div·finalDiv)`; momentum (or
        /// Adam's β1) cycles the other way between `maxMomentum` and `baseMomentum`.
        case oneCycle(maxLearningRate: Float, totalSteps: Int, pctStart: Float, divFactor: Float,
                      finalDivFactor: Float, baseMomentum: Float, maxMomentum: Float)
        /// `LinearLR` (linear warm-up): the factor goes linearly from `startFactor` to
        /// `endFactor` over `totalIterations` steps, then stays.
        case linear(startFactor: Float, endFactor: Float, totalIterations: Int)
        /// `ReduceLROnPlateau` (mode min, relative threshold): multiply by `factor` when
        /// the metric has not improved by more than `threshold` for `patience` epochs.
        case reduceOnPlateau(factor: Float, patience: Int, threshold: Float, cooldown: Int, minimum: Float)
    }

    public let optimizer: any Optimizer
    public let rule: Rule
    /// Each group's learning rate when the scheduler was created.
    public let baseLearningRates: [Float]
    /// Steps taken (PyTorch's `last_epoch`).
    public private(set) var stepCount = 0
    // ReduceOnPlateau's memory
    private(set) var best = Float.infinity
    private(set) var badEpochs = 0
    private(set) var cooldownLeft = 0

    /// Attaches a rule to an optimizer and sets the learning rate of step 0.
    ///
    /// - Parameter groupPeaks: one-cycle's peak per parameter group (PyTorch's list-valued
    ///   `max_lr`: a backbone and a head cycling at their own rates); `nil` gives every
    ///   group the rule's `maxLearningRate`.
    /// - Throws: `StrataError.invalidArgument` for non-positive periods or bad factors.
    public init(_ optimizer: any Optimizer, rule: Rule, groupPeaks: [Float]? = nil) throws(StrataError) {
        try Self.validate(rule)
        self.optimizer = optimizer
        self.rule = rule
        if case let .oneCycle(maxLearningRate, _, _, div, _, _, _) = rule {
            if let groupPeaks, groupPeaks.count != optimizer.groups.count {
                throw .invalidArgument(op: "LearningRateScheduler", message: "\(groupPeaks.count) one-cycle peaks for \(optimizer.groups.count) parameter groups")
            }
            baseLearningRates = (groupPeaks ?? optimizer.groups.map { _ in maxLearningRate }).map { $0 / div }
        } else {
            baseLearningRates = optimizer.groups.map(\.learningRate)
        }
        apply()
    }

    private static func validate(_ rule: Rule) throws(StrataError) {
        func bad(_ message: String) -> StrataError { .invalidArgument(op: "LearningRateScheduler", message: message) }
        switch rule {
        case let .step(size, _) where size < 1: throw bad("stepSize must be ≥ 1, got \(size)")
        case let .cosineAnnealing(tMax, _) where tMax < 1: throw bad("tMax must be ≥ 1, got \(tMax)")
        case let .oneCycle(_, total, pct, div, finalDiv, _, _):
            guard total >= 2, pct > 0, pct < 1, div > 0, finalDiv > 0 else {
                throw bad("one-cycle needs totalSteps ≥ 2, 0 < pctStart < 1 and positive factors")
            }
        case let .linear(start, end, total):
            guard start > 0, start <= 1, end >= 0, end <= 1, total >= 1 else {
                throw bad("linear warm-up needs 0 < startFactor ≤ 1, 0 ≤ endFactor ≤ 1 and totalIterations ≥ 1")
            }
        case let .reduceOnPlateau(factor, patience, _, cooldown, _):
            guard factor > 0, factor < 1, patience >= 0, cooldown >= 0 else {
                throw bad("reduce-on-plateau needs 0 < factor < 1 and non-negative patience and cooldown")
            }
        default: break
        }
    }

    /// Advances one step (for `reduceOnPlateau`, give the monitored metric, lower is better).
    public func step(metric: Float? = nil) {
        stepCount += 1
        if case let .reduceOnPlateau(factor, patience, threshold, cooldown, minimum) = rule, let metric {
            if metric < best * (1 - threshold) {
                best = metric
                badEpochs = 0
            } else {
                badEpochs += 1
            }
            if cooldownLeft > 0 {
                cooldownLeft -= 1
                badEpochs = 0
            }
            if badEpochs > patience {
                for i in optimizer.groups.indices {
                    let old = optimizer.groups[i].learningRate
                    let new = Swift.max(old * factor, minimum)
                    // PyTorch skips changes smaller than eps = 1e-8
                    if old - new > 1e-8 { optimizer.groups[i].learningRate = new }
                }
                cooldownLeft = cooldown
                badEpochs = 0
            }
            return
        }
        apply()
    }

    /// The learning rate of each group at the current step.
    public var learningRates: [Float] { optimizer.groups.map(\.learningRate) }

    private func apply() {
        for i in optimizer.groups.indices {
            if let rate = learningRate(base: baseLearningRates[i], at: stepCount) {
                optimizer.groups[i].learningRate = rate
            }
        }
        if case .oneCycle = rule, let momentum = oneCycleMomentum(at: stepCount) {
            (optimizer as? MomentumCycling)?.setCycledMomentum(momentum)
        }
    }

    /// The closed form of the rule at step `t` (`nil` for reduce-on-plateau).
    func learningRate(base: Float, at t: Int) -> Float? {
        switch rule {
        case let .step(size, gamma):
            return base * Foundation.pow(gamma, Float(t / size))
        case let .multiStep(milestones, gamma):
            return base * Foundation.pow(gamma, Float(milestones.filter { $0 <= t }.count))
        case let .exponential(gamma):
            return base * Foundation.pow(gamma, Float(t))
        case let .cosineAnnealing(tMax, minimum):
            return minimum + (base - minimum) * (1 + Float(Foundation.cos(Double.pi * Double(t) / Double(tMax)))) / 2
        case let .oneCycle(_, total, pct, div, finalDiv, _, _):
            // base = this group's peak / div
            return Self.oneCyclePhase(t, total: total, pctStart: pct, values: [base, base * div, base / finalDiv])
        case let .linear(start, end, total):
            return base * (start + (end - start) * Float(Swift.min(t, total)) / Float(total))
        case .reduceOnPlateau:
            return nil
        }
    }

    private func oneCycleMomentum(at t: Int) -> Float? {
        guard case let .oneCycle(_, total, pct, _, _, baseMomentum, maxMomentum) = rule else { return nil }
        return Self.oneCyclePhase(t, total: total, pctStart: pct, values: [maxMomentum, baseMomentum, maxMomentum])
    }

    /// PyTorch's two-phase cosine interpolation through `values` (start, peak, end).
    private static func oneCyclePhase(_ t: Int, total: Int, pctStart: Float, values: [Float]) -> Float {
        let firstEnd = Double(pctStart) * Double(total) - 1, lastEnd = Double(total) - 1
        let (phase, start, end) = Double(t) <= firstEnd ? (0, 0.0, firstEnd) : (1, firstEnd, lastEnd)
        let fraction = (Double(t) - start) / (end - start)
        let (from, to) = (Double(values[phase]), Double(values[phase + 1]))
        return Float(to + (from - to) / 2 * (Foundation.cos(Double.pi * fraction) + 1))
    }

    // MARK: Checkpoints

    /// The scheduler's progress, to store in a checkpoint.
    public var state: [String: Double] {
        ["step": Double(stepCount), "best": best.isFinite ? Double(best) : Double.greatestFiniteMagnitude,
         "bad_epochs": Double(badEpochs), "cooldown": Double(cooldownLeft)]
            .merging(Dictionary(uniqueKeysWithValues: learningRates.enumerated().map {
            ("lr\($0.offset)", Double($0.element))
         })) { $1 }
    }

    /// Restores progress saved by `state`.
    public func restore(_ state: [String: Double]) {
        stepCount = Int(state["step"] ?? 0)
        best = state["best"].map { $0 >= Double(Float.greatestFiniteMagnitude) ? .infinity : Float($0) } ?? .infinity
        badEpochs = Int(state["bad_epochs"] ?? 0)
        cooldownLeft = Int(state["cooldown"] ?? 0)
        guard case .reduceOnPlateau = rule else {
            // closed-form rules recompute rate (and one-cycle's momentum) from the step
            apply()
            return
        }
        for i in optimizer.groups.indices {
            if let rate = state["lr\(i)"] { optimizer.groups[i].learningRate = Float(rate) }
        }
    }
}

/// Optimizers whose momentum one-cycle scheduling may change (SGD's momentum, Adam's β1).
public protocol MomentumCycling: AnyObject {
    func setCycledMomentum(_ value: Float)
}

import ArgumentParser
import Strata

/// `strata conv-shape`: the output of one convolution in the lecture's notation.
struct ConvShapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conv-shape",
        abstract: "Output size of a convolution: depth@x×y in, fx×fy@filters kernel, out = floor((in + 2·pad − dil·(k − 1) − 1)/stride) + 1.",
        discussion: """
            strata conv-shape --input 3@224x224 --kernel 11x11@96 --stride 4x4 --padding 2x2   prints 96@55x55
            strata conv-shape --input 3@200 --kernel 5@12                                        prints 12@196
            """)

    @Option(help: "Input depth@x×y (2-D) or depth@length (1-D).")
    var input: String

    @Option(help: "Kernel fx×fy@filters (2-D) or width@filters (1-D).")
    var kernel: String

    @Option(help: "Stride sx×sy or s.")
    var stride = "1"

    @Option(help: "Zero padding px×py or p per side.")
    var padding = "0"

    @Option(help: "Dilation dx×dy or d.")
    var dilation = "1"

    func run() throws {
        let inputParts = input.lowercased().split(separator: "@")
        let kernelParts = kernel.lowercased().split(separator: "@")
        guard inputParts.count == 2, let depth = Int(inputParts[0]), depth >= 1 else {
            throw ValidationError("--input \(input) is not allowed: write depth@x×y (3@224x224) or depth@length (3@200)")
        }
        guard kernelParts.count == 2, let filters = Int(kernelParts[1]), filters >= 1 else {
            throw ValidationError("--kernel \(kernel) is not allowed: write fx×fy@filters (11x11@96) or width@filters (5@12)")
        }
        let spatial = try axes(String(inputParts[0 + 1]), "--input", minimum: 1, count: nil)
        let axisCount = spatial.count
        let kernelSizes = try axes(String(kernelParts[0]), "--kernel", minimum: 1, count: axisCount)
        let strides = try axes(stride, "--stride", minimum: 1, count: axisCount)
        let paddings = try axes(padding, "--padding", minimum: 0, count: axisCount)
        let dilations = try axes(dilation, "--dilation", minimum: 1, count: axisCount)
        var sizes: [Int] = []
        var lines: [String] = []
        for axis in 0..<axisCount {
            let size = outputLength(input: spatial[axis], kernel: kernelSizes[axis], stride: strides[axis],
                                    padding: paddings[axis], dilation: dilations[axis])
            sizes.append(size)
            let name = axisCount == 1 ? "length" : ["x", "y"][axis]
            lines.append("\(name): floor((\(spatial[axis]) + 2·\(paddings[axis]) − \(dilations[axis])·(\(kernelSizes[axis]) − 1) − 1)/\(strides[axis])) + 1 = \(size)")
        }
        guard sizes.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("the kernel does not fit: \(lines.joined(separator: "; ")); use more padding or a smaller kernel or dilation")
        }
        print("\(filters)@" + sizes.map(String.init).joined(separator: "x"))
        for line in lines { print(line) }
        let parameters = filters * (depth * kernelSizes.reduce(1, *) + 1)
        print("parameters: \(filters)·(\(depth)·\(kernelSizes.map(String.init).joined(separator: "·")) + 1) = \(parameters)")
    }

    /// `a×b` or a single value (repeated) for each spatial axis.
    private func axes(_ text: String, _ option: String, minimum: Int, count: Int?) throws -> [Int] {
        let values = text.lowercased().replacingOccurrences(of: "×", with: "x").split(separator: "x").map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? Int.min) >= minimum }), values.count <= 2 else {
            throw ValidationError("\(option) \(text) is not allowed: give \(count == 1 ? "one number" : "a×b or one number") ≥ \(minimum)")
        }
        let numbers = values.compactMap { $0 }
        guard let count else { return numbers }
        if numbers.count == 1 { return Array(repeating: numbers[0], count: count) }
        guard numbers.count == count else {
            throw ValidationError("\(option) \(text) is not allowed: the input has \(count) spatial axis\(count == 1 ? "" : "es")")
        }
        return numbers
    }
}

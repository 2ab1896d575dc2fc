/// PyTorch's default initialisation of convolution and linear layers.
enum Initialization {
    /// `kaiming_uniform_(a=√5)`: uniform in ±gain·√(3/fan_in) with gain = √(2/(1 + 5)),
    /// which is ±1/√fan_in; biases use the same bound. Draws from the default generator
    /// (`Random.seed`) so a seed fixes a model's initial weights.
    /// Parameters may not exceed this many elements (8 GiB of floats); a layer asked for
    /// more gets an empty weight and reports the problem when used.
    static let maximumParameterCount = 1 << 31

    /// Whether a layer may allocate a parameter of `shape`.
    static func isAllocatable(_ shape: [Int]) -> Bool {
        (try? Shape.validate(shape, op: "")) != nil && Shape.count(shape) <= maximumParameterCount
    }

    static func uniform(_ shape: [Int], fanIn: Int) -> Tensor {
        guard isAllocatable(shape) else { return Tensor(zerosShape: [0]) }
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Random.withDefault { generator in
            Tensor.filled(shape) { (generator.nextUniform() * 2 - 1) * bound }
        }
    }
}

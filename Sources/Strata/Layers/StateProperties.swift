/// A tensor or an optional tensor: what a `@Parameter` or `@Buffer` property holds.
public protocol TensorSlot {
    var slotTensor: Tensor? { get }
}

extension Tensor: TensorSlot {
    public var slotTensor: Tensor? { self }
}

extension Optional: TensorSlot where Wrapped == Tensor {
    public var slotTensor: Tensor? { self }
}

/// The module's view of a property holding state: a parameter or a buffer.
protocol StateProperty {
    var tensor: Tensor? { get }
    var isBuffer: Bool { get }
}

/// Marks a learnable tensor of a module (`weight`, `bias`): it gets gradients, the
/// optimizer updates it and it is saved under the property's name (PyTorch's `nn.Parameter`).
///
///     @Parameter public var weight: Tensor
///     @Parameter public var bias: Tensor?
@propertyWrapper
public struct Parameter<Value: TensorSlot>: StateProperty {
    public var wrappedValue: Value {
        didSet { wrappedValue.slotTensor?.requiresGrad = true }
    }

    public init(wrappedValue: Value) {
        wrappedValue.slotTensor?.requiresGrad = true
        self.wrappedValue = wrappedValue
    }

    var tensor: Tensor? { wrappedValue.slotTensor }
    var isBuffer: Bool { false }
}

/// Marks state that is saved with the model but not learned (`running_mean`,
/// `num_batches_tracked`), PyTorch's registered buffers.
@propertyWrapper
public struct Buffer<Value: TensorSlot>: StateProperty {
    public var wrappedValue: Value

    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
    }

    var tensor: Tensor? { wrappedValue.slotTensor }
    var isBuffer: Bool { true }
}

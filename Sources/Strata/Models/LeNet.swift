extension Models {
    /// LeNet-5 as in the benchmark's W1 (ReLU and max pooling, as PyTorch tutorials write
    /// it): `1@28×28 → 6@28×28 → 6@14×14 → 16@10×10 → 16@5×5 → 400 → 120 → 84 → classes`,
    /// 61,706 parameters for 10 classes. Layers carry the benchmark's PyTorch names
    /// (`c1`, `c2`, `f1`, `f2`, `f3`), so its state dict loads as it is.
    public static func lenet5(classes: Int = 10, inputChannels: Int = 1) -> Sequential {
        Sequential(named: [
            ("c1", Conv2d(inputChannels, 6, kernel: 5, padding: 2)), ("relu1", ReLU()), ("pool1", MaxPool2d(2)),
            ("c2", Conv2d(6, 16, kernel: 5)), ("relu2", ReLU()), ("pool2", MaxPool2d(2)),
            ("flatten", Flatten()),
            ("f1", Linear(400, 120)), ("relu3", ReLU()),
            ("f2", Linear(120, 84)), ("relu4", ReLU()),
            ("f3", Linear(84, classes)),
        ])
    }
}

/// The model zoo: networks of the field by name, with PyTorch's parameter names.
public enum Models {}

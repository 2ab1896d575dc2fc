extension Models {
    /// AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower form and names:
    /// `features` (five convolutions 11×11/4 → 64, 5×5 → 192, 3×3 → 384, 256, 256, with ReLU
    /// and three 3×3/2 max poolings), adaptive average pooling to 6×6, and `classifier`
    /// (dropout, 9216 → 4096 → 4096 → classes with ReLU). 61,100,840 parameters for 1000
    /// classes; input 3@224×224 (63×63 at least).
    public final class AlexNet: Composite {
        public let features: Sequential
        public let avgpool = AdaptiveAvgPool([6, 6])
        public let classifier: Sequential

        public init(classes: Int = 1000, dropout: Float = 0.5) {
            features = Sequential {
                Conv2d(3, 64, kernel: 11, stride: 4, padding: 2); ReLU(); MaxPool2d(3, stride: 2)
                Conv2d(64, 192, kernel: 5, padding: 2); ReLU(); MaxPool2d(3, stride: 2)
                Conv2d(192, 384, kernel: 3, padding: 1); ReLU()
                Conv2d(384, 256, kernel: 3, padding: 1); ReLU()
                Conv2d(256, 256, kernel: 3, padding: 1); ReLU(); MaxPool2d(3, stride: 2)
            }
            classifier = Sequential {
                Dropout(dropout); Linear(256 * 6 * 6, 4096); ReLU()
                Dropout(dropout); Linear(4096, 4096); ReLU()
                Linear(4096, classes)
            }
        }

        public override var body: Module {
            Sequential(named: [("features", features), ("avgpool", avgpool), ("flatten", Flatten()), ("classifier", classifier)])
        }
    }
}

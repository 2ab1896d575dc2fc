extension Models {
    /// The benchmark's W2 network for 32×32 colour images: `[conv3×3 → BN → ReLU]×2` at 32,
    /// 64 and 128 channels with max pooling between, global average pooling, linear;
    /// 289,194 parameters for 10 classes. Names as in `torch_reference.py` (`body.N`, `fc`).
    public static func cifarCNN(classes: Int = 10, inputChannels: Int = 3) -> Sequential {
        let body = Sequential {
            for (input, output, pool) in [(inputChannels, 32, false), (32, 32, true), (32, 64, false), (64, 64, true),
                                          (64, 128, false), (128, 128, false)] {
                Conv2d(input, output, kernel: 3, padding: 1)
                BatchNorm2d(output)
                ReLU()
                if pool { MaxPool2d(2) }
            }
            GlobalAvgPool(keepSpatialAxes: true)
            Flatten()
        }
        return Sequential(named: [("body", body), ("fc", Linear(128, classes))])
    }

    /// The benchmark's W4 network for sensor windows (`channels@length`): a conv1d k3 stem
    /// and four k3 convolutions with dilation 1, 2, 4, 8 (length kept), each followed by
    /// batch norm and ReLU, then the mean over time and a linear classifier. Its receptive
    /// field is 33 samples; 51,078 parameters for 3 channels and 6 classes. Names as in
    /// `torch_reference.py` (`body.N`, `fc`).
    public static func sensorCNN(channels: Int = 3, classes: Int = 6, width: Int = 64) -> Sequential {
        let body = Sequential {
            Conv1d(channels, width, kernel: 3, padding: 1)
            BatchNorm1d(width)
            ReLU()
            for dilation in [1, 2, 4, 8] {
                Conv1d(width, width, kernel: 3, padding: .explicit(AxisValues(integerLiteral: dilation)), dilation: dilation)
                BatchNorm1d(width)
                ReLU()
            }
        }
        return Sequential(named: [("body", body), ("pool", GlobalAvgPool()), ("fc", Linear(width, classes))])
    }
}

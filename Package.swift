// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Strata", targets: ["Strata"]),
        .executable(name: "strata", targets: ["StrataCLI"]),
        .executable(name: "strata-bench", targets: ["StrataBench"]),
        .executable(name: "strata-fuzz", targets: ["StrataFuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CDNNL",
            path: "Sources/CDNNL",
            providers: [.apt(["libdnnl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CImage",
            path: "Sources/CImage",
            providers: [.apt(["libpng-dev", "libturbojpeg0-dev"])]
        ),
        // Open MPI for data-parallel training across processes and machines
        .systemLibrary(
            name: "CMPI",
            path: "Sources/CMPI",
            providers: [.apt(["libopenmpi-dev"])]
        ),
        .target(
            name: "Strata",
            dependencies: ["CDNNL", "CZlib", "CImage", "CMPI", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            resources: [.copy("Resources/digits"), .copy("Resources/imagenet")]
        ),
        .executableTarget(
            name: "StrataCLI",
            dependencies: [
                "Strata",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/strata"
        ),
        .executableTarget(
            name: "StrataBench",
            dependencies: ["Strata"]
        ),
        // libFuzzer harnesses of the file parsers; built only by `make fuzz` (with sanitizers)
        .executableTarget(
            name: "StrataFuzz",
            dependencies: ["Strata"]
        ),
        .testTarget(
            name: "StrataTests",
            dependencies: ["Strata", "CZlib"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

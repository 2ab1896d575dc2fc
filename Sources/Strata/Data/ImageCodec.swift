import CImage
import Foundation

/// An 8-bit image in memory: `height×width×channels` bytes, row-major, channels last.
public struct RawImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 (grey) or 3 (RGB).
    public let channels: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}

/// PNG (libpng) and JPEG (TurboJPEG) decoding and PNG encoding.
public enum ImageCodec {
    /// Reads and decodes a PNG or JPEG file to grey (`channels` 1) or RGB (3).
    public static func read(contentsOf path: String, channels: Int = 3) throws(StrataError) -> RawImage {
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the file") }
        return try decode(data, channels: channels, path: path)
    }

    /// Decodes PNG or JPEG bytes (by their signature) to grey (`channels` 1) or RGB (3).
    ///
    /// - Throws: `StrataError.corruptFile` naming the codec's complaint.
    public static func decode(_ data: Data, channels: Int = 3, path: String = "<image>") throws(StrataError) -> RawImage {
        let bytes = [UInt8](data)
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(bytes, channels: channels, path: path) }
        if bytes.starts(with: [0xFF, 0xD8]) { return try decodeJPEG(bytes, channels: channels, path: path) }
        throw .corruptFile(path: path, offset: 0, message: "not a PNG (89 50 4E 47) or JPEG (FF D8) file")
    }

    private static func decodePNG(_ bytes: [UInt8], channels: Int, path: String) throws(StrataError) -> RawImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let started = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard started != 0 else { throw .corruptFile(path: path, offset: 0, message: "PNG: \(message(&image))") }
        image.format = channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        let (width, height) = (Int(image.width), Int(image.height))
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            png_image_free(&image)
            throw .corruptFile(path: path, offset: 16, message: "PNG: implausible size \(width)×\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else {
            let reason = message(&image)
            png_image_free(&image)
            throw .corruptFile(path: path, offset: 0, message: "PNG: \(reason)")
        }
        return RawImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    private static func message(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private static func decodeJPEG(_ bytes: [UInt8], channels: Int, path: String) throws(StrataError) -> RawImage {
        guard let handle = tjInitDecompress() else {
            throw .corruptFile(path: path, offset: 0, message: "JPEG: cannot start TurboJPEG")
        }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        var source = bytes
        guard tjDecompressHeader3(handle, &source, UInt(source.count), &width, &height, &subsampling, &colorspace) == 0,
              width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw .corruptFile(path: path, offset: 0, message: "JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        var pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
        let format = channels == 1 ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
        guard tjDecompress2(handle, &source, UInt(source.count), &pixels, width, 0, height, format, 0) == 0 else {
            throw .corruptFile(path: path, offset: 0, message: "JPEG: \(String(cString: tjGetErrorStr2(handle)))")
        }
        return RawImage(width: Int(width), height: Int(height), channels: channels, pixels: pixels)
    }

    /// PNG bytes of an image (grey or RGB).
    public static func encodePNG(_ image: RawImage) throws(StrataError) -> Data {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.channels == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        var size = 0
        let pixels = image.pixels
        // first call measures, second writes
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, 0, nil) }) != 0 else {
            throw .io(path: "<png>", message: "PNG encoding failed: \(message(&png))")
        }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { target in
            pixels.withUnsafeBytes { png_image_write_to_memory(&png, target.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw .io(path: "<png>", message: "PNG encoding failed: \(message(&png))") }
        return Data(output.prefix(size))
    }

    /// JPEG bytes of an image (for tests and exports), at `quality` 1…100.
    public static func encodeJPEG(_ image: RawImage, quality: Int = 90) throws(StrataError) -> Data {
        guard let handle = tjInitCompress() else { throw .io(path: "<jpeg>", message: "cannot start TurboJPEG") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        let format = image.channels == 1 ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
        let subsampling = image.channels == 1 ? Int32(TJSAMP_GRAY.rawValue) : Int32(TJSAMP_444.rawValue)
        let status = image.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), format, &buffer, &size,
                        subsampling, Int32(quality), 0)
        }
        defer { tjFree(buffer) }
        guard status == 0, let buffer else { throw .io(path: "<jpeg>", message: "JPEG encoding failed: \(String(cString: tjGetErrorStr2(handle)))") }
        return Data(bytes: buffer, count: Int(size))
    }
}

using System.Buffers.Binary;
using System.IO.Compression;

namespace DiMml.TestSupport;

/// <summary>Reads gzip-compressed IDX files (the MNIST / Fashion-MNIST format): unsigned-byte images and labels.</summary>
public static class IdxImages
{
    /// <summary>Images as bytes, row after row, and their height and width.</summary>
    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        var data = ReadAll(path);
        CheckMagic(data, 0x00000803, path);
        var count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        var height = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(8));
        var width = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(12));
        var pixels = data.AsSpan(16).ToArray();
        if (pixels.Length != (long)count * height * width)
        {
            throw new InvalidDataException($"{path}: header says {count} images of {height}x{width}, but {pixels.Length} bytes follow.");
        }

        return (pixels, count, height, width);
    }

    /// <summary>Labels, one byte each.</summary>
    public static int[] ReadLabels(string path)
    {
        var data = ReadAll(path);
        CheckMagic(data, 0x00000801, path);
        var count = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4));
        if (data.Length - 8 != count)
        {
            throw new InvalidDataException($"{path}: header says {count} labels, but {data.Length - 8} bytes follow.");
        }

        return data.AsSpan(8).ToArray().Select(b => (int)b).ToArray();
    }

    private static byte[] ReadAll(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"IDX file not found: {path}", path);
        }

        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }

    private static void CheckMagic(byte[] data, int expected, string path)
    {
        if (data.Length < 8 || BinaryPrimitives.ReadInt32BigEndian(data) != expected)
        {
            throw new InvalidDataException($"{path} is not an IDX file of the expected kind (magic 0x{expected:X8}).");
        }
    }
}

using System.Buffers.Binary;

namespace DiMml.Serving.Audio;

/// <summary>
/// Reads RIFF/WAVE files: 16-bit PCM and 32-bit IEEE float (plain or WAVE_FORMAT_EXTENSIBLE), any channel count
/// (mixed down to mono by averaging), any sample rate. Anything else fails with an <see cref="InvalidDataException"/>
/// that names the file and what is wrong with it.
/// </summary>
public static class WavFile
{
    private const ushort Pcm = 1;
    private const ushort IeeeFloat = 3;
    private const ushort Extensible = 0xFFFE;

    /// <summary>Reads <paramref name="path"/> as mono samples in [-1, 1] and its sample rate.</summary>
    /// <param name="path">A .wav file.</param>
    public static (float[] Samples, int SampleRate) ReadMono(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"Audio file '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses WAV bytes; <paramref name="name"/> is used in error messages.</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="name">The file name for error messages.</param>
    /// <param name="requireComplete">Fail when the data chunk holds fewer bytes than it declares (a truncated file). Default
    /// false: the samples that are there are read, as many writers leave the declared size wrong.</param>
    public static (float[] Samples, int SampleRate) Parse(ReadOnlySpan<byte> bytes, string name, bool requireComplete = false)
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes[8..12].SequenceEqual("WAVE"u8))
        {
            throw Invalid(name, "it is not a RIFF/WAVE file");
        }

        (ushort Format, int Channels, int Rate, int Bits)? format = null;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = bytes.Slice(offset, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(bytes[(offset + 4)..]);
            var body = offset + 8;
            if (size < 0)
            {
                throw Invalid(name, "a chunk has a negative size");
            }

            if (id.SequenceEqual("fmt "u8))
            {
                format = Format(bytes.Slice(body, Math.Min(size, bytes.Length - body)), name);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is not { } f)
                {
                    throw Invalid(name, "the data chunk comes before the fmt chunk");
                }

                var available = Math.Min(size, bytes.Length - body);
                if (requireComplete && available < size)
                {
                    throw Invalid(name, $"its data chunk declares {size} bytes but holds {available} (truncated)");
                }

                return (Samples(bytes.Slice(body, available), f.Format, f.Channels, f.Bits, name), f.Rate);
            }

            offset = body + size + (size & 1);
        }

        throw Invalid(name, format is null ? "it has no fmt chunk" : "it has no data chunk (truncated?)");
    }

    private static (ushort Format, int Channels, int Rate, int Bits) Format(ReadOnlySpan<byte> fmt, string name)
    {
        if (fmt.Length < 16)
        {
            throw Invalid(name, "its fmt chunk is truncated");
        }

        var format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var rate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
        if (format == Extensible && fmt.Length >= 26)
        {
            format = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (!((format == Pcm && bits == 16) || (format == IeeeFloat && bits == 32)))
        {
            throw Invalid(name, $"its encoding (format {format}, {bits} bits) is not supported; use 16-bit PCM or 32-bit float");
        }

        if (channels == 0 || rate <= 0)
        {
            throw Invalid(name, $"it declares {channels} channels at {rate} Hz");
        }

        return (format, channels, rate, bits);
    }

    private static float[] Samples(ReadOnlySpan<byte> data, ushort format, int channels, int bits, string name)
    {
        var frameBytes = channels * bits / 8;
        var frames = data.Length / frameBytes;
        if (frames == 0)
        {
            throw Invalid(name, "it holds no samples");
        }

        var mono = new float[frames];
        for (var i = 0; i < frames; i++)
        {
            var frame = data.Slice(i * frameBytes, frameBytes);
            var sum = 0f;
            for (var c = 0; c < channels; c++)
            {
                sum += format == Pcm
                    ? BinaryPrimitives.ReadInt16LittleEndian(frame[(2 * c)..]) / 32768f
                    : BinaryPrimitives.ReadSingleLittleEndian(frame[(4 * c)..]);
            }

            mono[i] = sum / channels;
        }

        return mono;
    }

    private static InvalidDataException Invalid(string name, string problem) => new($"Audio file '{name}' cannot be decoded: {problem}.");
}

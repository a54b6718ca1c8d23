using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DiMml.Serving.Audio;

/// <summary>Input of the audio decoding mapping: the path of a WAV file.</summary>
public sealed class AudioPathRow
{
    /// <summary>Column the decoding mapping reads.</summary>
    public const string Column = "DiMml.Audio.Path";

    /// <summary>Path of the WAV file.</summary>
    [ColumnName(Column)]
    public string Path { get; set; } = "";
}

/// <summary>Output of an audio decoding mapping.</summary>
public interface IDecodedAudio
{
    /// <summary>Column that holds the decoded samples.</summary>
    const string SamplesColumn = "DiMml.Audio.Samples";

    /// <summary>Column that holds the decoding error ("" when the file decoded).</summary>
    const string ErrorColumn = "DiMml.Audio.Error";

    /// <summary>The fixed-length mono signal, NaN when the file could not be decoded.</summary>
    float[] Samples { get; set; }

    /// <summary>Why the file could not be decoded; empty on success.</summary>
    string Error { get; set; }
}

/// <summary>
/// ML.NET CustomMapping factory that decodes WAV paths to fixed-length signals. A saved model that contains the
/// mapping loads once the serving app has called
/// <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(AudioDecodeFactory&lt;&gt;).Assembly)</c>.
/// One concrete factory exists per supported length, because ML.NET fixes a mapping's vector size by type.
/// </summary>
/// <typeparam name="TOutput">The output row type of that length.</typeparam>
public abstract class AudioDecodeFactory<TOutput> : CustomMappingFactory<AudioPathRow, TOutput>
    where TOutput : class, IDecodedAudio, new()
{
    /// <summary>Target sample rate (Hz).</summary>
    public abstract int SampleRate { get; }

    /// <summary>Samples per clip.</summary>
    public abstract int Length { get; }

    /// <inheritdoc />
    public override Action<AudioPathRow, TOutput> GetMapping() => (input, output) =>
    {
        if (output.Samples is null || output.Samples.Length != Length)
        {
            output.Samples = new float[Length];
        }

        output.Error = AudioDecoding.TryDecode(input.Path, SampleRate, output.Samples);
    };
}

/// <summary>Supported decoded lengths and their CustomMapping contract names.</summary>
public static class AudioDecodeContracts
{
    /// <summary>The sample rate every supported length uses.</summary>
    public const int SampleRate = 16000;

    /// <summary>Clip durations (seconds) a decoding mapping exists for.</summary>
    public static IReadOnlyList<int> Seconds { get; } = [1, 2, 3, 4, 5, 10];

    /// <summary>The contract name of the mapping for <paramref name="seconds"/>-second clips at 16 kHz.</summary>
    /// <param name="seconds">One of <see cref="Seconds"/>.</param>
    public static string ContractName(int seconds) => $"DiMml.Audio.Decode16k{seconds}s";
}

#pragma warning disable CS1591 // one trivial type per supported length; see AudioDecodeFactory<TOutput>
public sealed class DecodedAudio1s : IDecodedAudio
{
    [VectorType(16000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

public sealed class DecodedAudio2s : IDecodedAudio
{
    [VectorType(32000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

public sealed class DecodedAudio3s : IDecodedAudio
{
    [VectorType(48000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

public sealed class DecodedAudio4s : IDecodedAudio
{
    [VectorType(64000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

public sealed class DecodedAudio5s : IDecodedAudio
{
    [VectorType(80000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

public sealed class DecodedAudio10s : IDecodedAudio
{
    [VectorType(160000)][ColumnName(IDecodedAudio.SamplesColumn)] public float[] Samples { get; set; } = [];
    [ColumnName(IDecodedAudio.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k1s")]
public sealed class AudioDecode1s : AudioDecodeFactory<DecodedAudio1s>
{
    public override int SampleRate => 16000;
    public override int Length => 16000;
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k2s")]
public sealed class AudioDecode2s : AudioDecodeFactory<DecodedAudio2s>
{
    public override int SampleRate => 16000;
    public override int Length => 32000;
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k3s")]
public sealed class AudioDecode3s : AudioDecodeFactory<DecodedAudio3s>
{
    public override int SampleRate => 16000;
    public override int Length => 48000;
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k4s")]
public sealed class AudioDecode4s : AudioDecodeFactory<DecodedAudio4s>
{
    public override int SampleRate => 16000;
    public override int Length => 64000;
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k5s")]
public sealed class AudioDecode5s : AudioDecodeFactory<DecodedAudio5s>
{
    public override int SampleRate => 16000;
    public override int Length => 80000;
}

[CustomMappingFactoryAttribute("DiMml.Audio.Decode16k10s")]
public sealed class AudioDecode10s : AudioDecodeFactory<DecodedAudio10s>
{
    public override int SampleRate => 16000;
    public override int Length => 160000;
}
#pragma warning restore CS1591

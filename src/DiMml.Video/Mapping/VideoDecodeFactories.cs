using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace DiMml.Video;

/// <summary>Input of a video decoding mapping: the file's path and the <see cref="VideoSpec"/> text.</summary>
public sealed class VideoRequestRow
{
    /// <summary>Column of the path the decoding mapping reads.</summary>
    public const string PathColumn = "DiMml.Video.Path";

    /// <summary>Column of the spec text the decoding mapping reads (a constant the saved pipeline writes).</summary>
    public const string SpecColumn = "DiMml.Video.Spec";

    /// <summary>Path of the video file.</summary>
    [ColumnName(PathColumn)]
    public string Path { get; set; } = "";

    /// <summary>The <see cref="VideoSpec"/> text.</summary>
    [ColumnName(SpecColumn)]
    public string Spec { get; set; } = "";
}

/// <summary>Output of a video decoding mapping.</summary>
public interface IDecodedVideo
{
    /// <summary>Column of the decoded values: the spec's <see cref="VideoSpec.Size"/> values, then zeros up to the tier size.
    /// </summary>
    const string ValuesColumn = "DiMml.Video.Values";

    /// <summary>Column of the decoding error ("" when the file decoded).</summary>
    const string ErrorColumn = "DiMml.Video.Error";

    /// <summary>The values, NaN when the file could not be decoded.</summary>
    float[] Values { get; set; }

    /// <summary>Why the file could not be decoded; empty on success.</summary>
    string Error { get; set; }
}

/// <summary>
/// ML.NET CustomMapping factory that decodes video paths. ML.NET fixes a mapping's vector size by type and stores only the
/// contract name, so one factory exists per power-of-two size (a tier); the spec travels in a column, and a step after the
/// mapping keeps the spec's first <see cref="VideoSpec.Size"/> values. A saved model that contains the mapping loads once
/// the app has called <c>mlContext.ComponentCatalog.RegisterAssembly(typeof(VideoDecodeContracts).Assembly)</c>.
/// </summary>
/// <typeparam name="TOutput">The output row type of the tier.</typeparam>
public abstract class VideoDecodeFactory<TOutput> : CustomMappingFactory<VideoRequestRow, TOutput>
    where TOutput : class, IDecodedVideo, new()
{
    /// <summary>Values per row of this tier.</summary>
    public abstract int Tier { get; }

    /// <inheritdoc />
    public override Action<VideoRequestRow, TOutput> GetMapping() => (input, output) =>
    {
        if (output.Values is null || output.Values.Length != Tier)
        {
            output.Values = new float[Tier];
        }

        var spec = VideoSpec.Parse(input.Spec);
        output.Error = VideoDecoding.TryDecode(input.Path, spec, output.Values.AsSpan(0, spec.Size));
    };
}

/// <summary>The decoding tiers and their CustomMapping contract names.</summary>
public static class VideoDecodeContracts
{
    /// <summary>The largest number of values a clip may give.</summary>
    public const int MaxSize = 8388608;

    /// <summary>The tier sizes: powers of two from 4096 to <see cref="MaxSize"/>.</summary>
    public static IReadOnlyList<int> Tiers { get; } = Enumerable.Range(12, 12).Select(k => 1 << k).ToArray();

    /// <summary>The smallest tier that holds <paramref name="size"/> values.</summary>
    /// <param name="size">Values per clip (1 to <see cref="MaxSize"/>).</param>
    public static int TierFor(int size) => Tiers.FirstOrDefault(t => t >= size) is var tier and > 0
        ? tier
        : throw new ArgumentOutOfRangeException(nameof(size), size, $"A clip may give at most {MaxSize} values.");

    /// <summary>The contract name of the mapping for <paramref name="tier"/>.</summary>
    /// <param name="tier">One of <see cref="Tiers"/>.</param>
    public static string ContractName(int tier) => $"DiMml.Video.Decode{tier}";
}

#pragma warning disable CS1591 // one trivial pair of types per tier; see VideoDecodeFactory<TOutput>
public sealed class DecodedVideo4096 : IDecodedVideo
{
    [VectorType(4096)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode4096")]
public sealed class VideoDecode4096 : VideoDecodeFactory<DecodedVideo4096>
{
    public override int Tier => 4096;
}

public sealed class DecodedVideo8192 : IDecodedVideo
{
    [VectorType(8192)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode8192")]
public sealed class VideoDecode8192 : VideoDecodeFactory<DecodedVideo8192>
{
    public override int Tier => 8192;
}

public sealed class DecodedVideo16384 : IDecodedVideo
{
    [VectorType(16384)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode16384")]
public sealed class VideoDecode16384 : VideoDecodeFactory<DecodedVideo16384>
{
    public override int Tier => 16384;
}

public sealed class DecodedVideo32768 : IDecodedVideo
{
    [VectorType(32768)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode32768")]
public sealed class VideoDecode32768 : VideoDecodeFactory<DecodedVideo32768>
{
    public override int Tier => 32768;
}

public sealed class DecodedVideo65536 : IDecodedVideo
{
    [VectorType(65536)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode65536")]
public sealed class VideoDecode65536 : VideoDecodeFactory<DecodedVideo65536>
{
    public override int Tier => 65536;
}

public sealed class DecodedVideo131072 : IDecodedVideo
{
    [VectorType(131072)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode131072")]
public sealed class VideoDecode131072 : VideoDecodeFactory<DecodedVideo131072>
{
    public override int Tier => 131072;
}

public sealed class DecodedVideo262144 : IDecodedVideo
{
    [VectorType(262144)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode262144")]
public sealed class VideoDecode262144 : VideoDecodeFactory<DecodedVideo262144>
{
    public override int Tier => 262144;
}

public sealed class DecodedVideo524288 : IDecodedVideo
{
    [VectorType(524288)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode524288")]
public sealed class VideoDecode524288 : VideoDecodeFactory<DecodedVideo524288>
{
    public override int Tier => 524288;
}

public sealed class DecodedVideo1048576 : IDecodedVideo
{
    [VectorType(1048576)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode1048576")]
public sealed class VideoDecode1048576 : VideoDecodeFactory<DecodedVideo1048576>
{
    public override int Tier => 1048576;
}

public sealed class DecodedVideo2097152 : IDecodedVideo
{
    [VectorType(2097152)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode2097152")]
public sealed class VideoDecode2097152 : VideoDecodeFactory<DecodedVideo2097152>
{
    public override int Tier => 2097152;
}

public sealed class DecodedVideo4194304 : IDecodedVideo
{
    [VectorType(4194304)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode4194304")]
public sealed class VideoDecode4194304 : VideoDecodeFactory<DecodedVideo4194304>
{
    public override int Tier => 4194304;
}

public sealed class DecodedVideo8388608 : IDecodedVideo
{
    [VectorType(8388608)][ColumnName(IDecodedVideo.ValuesColumn)] public float[] Values { get; set; } = [];
    [ColumnName(IDecodedVideo.ErrorColumn)] public string Error { get; set; } = "";
}

[CustomMappingFactoryAttribute("DiMml.Video.Decode8388608")]
public sealed class VideoDecode8388608 : VideoDecodeFactory<DecodedVideo8388608>
{
    public override int Tier => 8388608;
}
#pragma warning restore CS1591

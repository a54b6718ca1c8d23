using DiMml.Graphs;
using DiMml.MLNet.Scoring;
using DiMml.Video;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace DiMml;

/// <summary>
/// Turns a column of video file paths into a fixed-size vector of sampled frames (<c>Transforms.VideoFrames</c>) or optical
/// flow (<c>Transforms.OpticalFlow</c>), frame after frame and channel-major: the layout of a ResNet-18 modality whose Shape
/// is <see cref="Shape"/>. Decoding (OpenCV) runs in a CustomMapping from the DiMml.Video assembly, so the saved pipeline
/// scores without TorchSharp. A file that cannot be read at scoring gives NaN (the modality is missing for that row) and
/// its reason in the <c>{output}.Error</c> column; at Fit every file is probed and the first unreadable one is an error
/// unless skipping is asked for.
/// </summary>
public sealed class VideoEstimator : IEstimator<VideoTransformer>
{
    private const string PrefixColumn = "DiMml.Video.Prefix";
    private readonly MLNetEnvironment env;
    private readonly VideoSpec spec;
    private readonly bool skipInvalidFiles;

    internal VideoEstimator(MLNetEnvironment env, string outputColumnName, string inputColumnName, VideoSpec spec, bool skipInvalidFiles)
    {
        this.env = env;
        OutputColumnName = string.IsNullOrWhiteSpace(outputColumnName)
            ? throw new ArgumentException("Name the video transform's output column.", nameof(outputColumnName)) : outputColumnName;
        InputColumnName = string.IsNullOrWhiteSpace(inputColumnName)
            ? throw new ArgumentException("Name the column of video paths.", nameof(inputColumnName)) : inputColumnName;
        spec.Validate();
        this.spec = spec;
        this.skipInvalidFiles = skipInvalidFiles;
        env.Host.ComponentCatalog.RegisterAssembly(typeof(VideoDecodeContracts).Assembly);
    }

    /// <summary>The output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The column of video paths.</summary>
    public string InputColumnName { get; }

    /// <summary>The layout of the output column.</summary>
    public ModalityShape Shape => new(spec.Channels, spec.Frames, spec.Height, spec.Width);

    /// <summary>Output schema: the vector and its error column.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var column = inputSchema.FirstOrDefault(c => c.Name == InputColumnName);
        if (column.Name is null || column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw PathColumnError(column.Name is null ? "missing" : $"{column.Kind} of {column.ItemType}");
        }

        using var graph = new OnnxModelFile(Graph());
        return Pipeline(graph).GetOutputSchema(inputSchema);
    }

    /// <summary>Probes every training file once (unless skipping is asked for) and builds the transform.</summary>
    /// <param name="input">Data with the path column.</param>
    public VideoTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Schema.GetColumnOrNull(InputColumnName) is not { Type: TextDataViewType } column)
        {
            throw PathColumnError(input.Schema.GetColumnOrNull(InputColumnName)?.Type.ToString() ?? "missing");
        }

        CheckFiles(input, column);
        var bytes = Graph();
        var graph = new OnnxModelFile(bytes);
        return new VideoTransformer(Pipeline(graph).Fit(input), graph, bytes, Shape);
    }

    private byte[] Graph() => PrefixOnnxExport.ToBytes(VideoDecodeContracts.TierFor(spec.Size), spec.Size, IDecodedVideo.ValuesColumn,
        PrefixColumn);

    private IEstimator<ITransformer> Pipeline(OnnxModelFile graph)
    {
        var transforms = env.Transforms;
        // The spec rides along as a constant column: ML.NET saves a CustomMapping by contract name only.
        return transforms.CopyColumns(VideoRequestRow.PathColumn, InputColumnName)
            .Append(transforms.Expression(VideoRequestRow.SpecColumn, $"x => \"{spec}\"", VideoRequestRow.PathColumn))
            .Append(DecodeMapping(transforms, VideoDecodeContracts.TierFor(spec.Size)))
            .Append(transforms.ApplyOnnxModel([PrefixColumn], [IDecodedVideo.ValuesColumn], graph.Path))
            .Append(transforms.CopyColumns(OutputColumnName, PrefixColumn))
            .Append(transforms.CopyColumns(OutputColumnName + ".Error", IDecodedVideo.ErrorColumn))
            .Append(transforms.DropColumns(VideoRequestRow.PathColumn, VideoRequestRow.SpecColumn, IDecodedVideo.ValuesColumn,
                IDecodedVideo.ErrorColumn, PrefixColumn));
    }

    private static IEstimator<ITransformer> DecodeMapping(TransformsCatalog transforms, int tier) => tier switch
    {
        4096 => transforms.CustomMapping(new VideoDecode4096().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        8192 => transforms.CustomMapping(new VideoDecode8192().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        16384 => transforms.CustomMapping(new VideoDecode16384().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        32768 => transforms.CustomMapping(new VideoDecode32768().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        65536 => transforms.CustomMapping(new VideoDecode65536().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        131072 => transforms.CustomMapping(new VideoDecode131072().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        262144 => transforms.CustomMapping(new VideoDecode262144().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        524288 => transforms.CustomMapping(new VideoDecode524288().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        1048576 => transforms.CustomMapping(new VideoDecode1048576().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        2097152 => transforms.CustomMapping(new VideoDecode2097152().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        4194304 => transforms.CustomMapping(new VideoDecode4194304().GetMapping(), VideoDecodeContracts.ContractName(tier)),
        _ => transforms.CustomMapping(new VideoDecode8388608().GetMapping(), VideoDecodeContracts.ContractName(tier)),
    };

    private void CheckFiles(IDataView input, DataViewSchema.Column column)
    {
        var failures = new List<string>();
        using (var cursor = input.GetRowCursor([column]))
        {
            var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            var path = default(ReadOnlyMemory<char>);
            while (cursor.MoveNext())
            {
                getter(ref path);
                var error = VideoDecoding.Probe(path.ToString());
                if (error.Length > 0)
                {
                    failures.Add(error);
                }
            }
        }

        if (failures.Count == 0)
        {
            return;
        }

        if (!skipInvalidFiles)
        {
            throw new ArgumentException(
                $"{failures.Count} video file(s) in column '{InputColumnName}' cannot be read. {failures[0]} Fix or remove them, " +
                "or set SkipInvalidFiles = true (with the trainer's DropRowsWithNonFiniteFeatures) to skip their rows.", InputColumnName);
        }

        using var channel = env.Host.Register(nameof(VideoEstimator)).Start("Checking video files");
        channel.Warning(MessageSensitivity.None, $"Skipping {failures.Count} video file(s) that cannot be read (their values are " +
            $"NaN); the first: {failures[0]}");
    }

    private ArgumentException PathColumnError(string actual) => new(
        $"Column '{InputColumnName}' must be a text column of video file paths, but it is {actual}.", InputColumnName);
}

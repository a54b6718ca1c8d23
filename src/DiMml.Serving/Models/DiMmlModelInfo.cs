using System.Globalization;
using System.IO.Compression;
using DiMml.Serving.Runtime;
using Google.Protobuf;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Onnx;

namespace DiMml;

/// <summary>
/// What a saved DI-MML model is: modalities, input columns and sizes, classes, branches and the certainty
/// temperature. <c>mlContext.Model.Load</c> gives back a plain transformer chain; this reads the same facts from
/// the ONNX graph's metadata inside the model file.
/// </summary>
public sealed class DiMmlModelInfo
{
    private DiMmlModelInfo(IReadOnlyDictionary<string, string> metadata)
    {
        static string[] Lines(string value) => value.Length == 0 ? [] : value.Split('\n');
        Metadata = metadata;
        ModalityNames = Lines(metadata.GetValueOrDefault(ModelMetadataKeys.Modalities, ""));
        ColumnNames = Lines(metadata.GetValueOrDefault(ModelMetadataKeys.Columns, ""));
        ClassNames = Lines(metadata.GetValueOrDefault(ModelMetadataKeys.Classes, ""));
        BranchNames = Lines(metadata.GetValueOrDefault(ModelMetadataKeys.Branches, ""));
        InputSizes = metadata.GetValueOrDefault(ModelMetadataKeys.InputSizes, "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        CertaintyTemperature = double.Parse(metadata.GetValueOrDefault(ModelMetadataKeys.CertaintyTemperature, "NaN"),
            CultureInfo.InvariantCulture);
        Version = metadata.GetValueOrDefault(ModelMetadataKeys.Version, "");
        Fusion = metadata.GetValueOrDefault(ModelMetadataKeys.Fusion);
        FusionCandidateAccuracy = Lines(metadata.GetValueOrDefault(ModelMetadataKeys.FusionCandidates, ""))
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
        BranchTemperatures = metadata.GetValueOrDefault(ModelMetadataKeys.BranchTemperatures, "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        RefittedOnAllRows = metadata.GetValueOrDefault(ModelMetadataKeys.RefittedOnAllRows) == bool.TrueString;
    }

    /// <summary>Modality names, in input order.</summary>
    public IReadOnlyList<string> ModalityNames { get; }

    /// <summary>Input column of each modality.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>Vector size of each modality column.</summary>
    public IReadOnlyList<int> InputSizes { get; }

    /// <summary>Class names in the order of the Score slots.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Branches the fusion weights, in the order of the BranchWeights slots.</summary>
    public IReadOnlyList<string> BranchNames { get; }

    /// <summary>Temperature of the certainty weighting.</summary>
    public double CertaintyTemperature { get; }

    /// <summary>The held-out fusion choice (selected or calibrated fusion), e.g. <c>paper-t1</c>, <c>stacked</c> or
    /// <c>branch:top</c>; null for the paper's fusion.</summary>
    public string? Fusion { get; }

    /// <summary>Every fusion candidate's held-out accuracy (empty for the paper's fusion).</summary>
    public IReadOnlyDictionary<string, double> FusionCandidateAccuracy { get; }

    /// <summary>Calibration temperature of each branch, in <see cref="BranchNames"/> order (empty when uncalibrated).</summary>
    public IReadOnlyList<double> BranchTemperatures { get; }

    /// <summary>Whether stage 1 was trained again on all rows after the fusion choice.</summary>
    public bool RefittedOnAllRows { get; }

    /// <summary>Version of DiMml.MLNet that trained the model.</summary>
    public string Version { get; }

    /// <summary>The ONNX Runtime execution provider the model loaded by <see cref="Load"/> scores with
    /// (<c>CPUExecutionProvider</c> or <c>CUDAExecutionProvider</c>); null when the information was only read.</summary>
    public string? ScoringExecutionProvider { get; private init; }

    /// <summary>All metadata entries of the graph.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>
    /// Loads a saved DI-MML model (or baseline) with plain ML.NET after checking the file: a truncated or altered
    /// zip, or one without our graph, fails with an <see cref="InvalidDataException"/> that names the file. Loading
    /// runs no code from the file: ML.NET instantiates only registered component types, and the graph is data.
    /// </summary>
    /// <remarks>
    /// The context's <c>GpuDeviceId</c> and <c>FallbackToCpu</c> decide where the model scores: on that GPU only when ONNX
    /// Runtime's CUDA execution provider works there, else on the CPU with fallback, else an error naming the fix (plain
    /// <c>Model.Load</c> throws EntryPointNotFoundException with the CPU runtime, fallback or not). For a CPU decision under a
    /// GPU id, the model is loaded into a CPU context of its own (seeded from <paramref name="mlContext"/>'s random source), so
    /// the caller's context is never changed.
    /// </remarks>
    /// <param name="mlContext">The context to load into.</param>
    /// <param name="modelPath">Path of the model zip.</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="InvalidOperationException">The native ONNX Runtime is missing, or a GPU is asked for that ONNX Runtime
    /// cannot use and fallback is off.</exception>
    public static (ITransformer Model, DiMmlModelInfo Info) Load(MLContext mlContext, string modelPath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var (metadata, graph) = ReadChecked(modelPath);
        var provider = OnnxExecutionProvider.Resolve(mlContext.GpuDeviceId, mlContext.FallbackToCpu, () => graph);
        var loading = provider == OnnxExecutionProvider.Cpu && mlContext.GpuDeviceId is not null
            ? new MLContext(seed: ((IHostEnvironment)mlContext).Register(nameof(DiMmlModelInfo)).Rand.Next())
            : mlContext;
        try
        {
            return (loading.Model.Load(modelPath, out inputSchema), new DiMmlModelInfo(metadata) { ScoringExecutionProvider = provider });
        }
        catch (Exception e) when (OnnxRuntimeBackend.IsMissing(e))
        {
            throw new InvalidOperationException(OnnxRuntimeBackend.MissingMessage, e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"ML.NET could not load '{modelPath}' (truncated or altered?): {e.Message}", e);
        }
    }

    /// <summary>The DI-MML graph inside model zip <paramref name="modelPath"/>, checked as <see cref="Load"/> checks it.</summary>
    internal static byte[] ReadGraphFile(string modelPath) => ReadChecked(modelPath).Graph;

    private static (Dictionary<string, string> Metadata, byte[] Graph) ReadChecked(string modelPath)
    {
        try
        {
            using var stream = File.OpenRead(modelPath);
            return ReadGraph(stream);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"'{modelPath}' is not a readable DI-MML model file (truncated or altered?): {e.Message}", e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="schema"/> has every modality column the DI-MML step reads, with the trained vector
    /// sizes (for a pipeline that builds those columns, pass the schema as that step sees it);
    /// otherwise throws an <see cref="ArgumentException"/> that lists the expected columns and sizes.
    /// </summary>
    /// <param name="schema">Schema of the data about to be scored.</param>
    public void CheckInput(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var problems = ColumnNames.Select((column, m) => (column, size: InputSizes.Count > m ? InputSizes[m] : 0))
            .Where(p => schema.GetColumnOrNull(p.column) is not { Type: VectorDataViewType { ItemType: NumberDataViewType } v }
                || v.Size != p.size)
            .Select(p => $"'{p.column}' ({Describe(schema.GetColumnOrNull(p.column))})")
            .ToArray();
        if (problems.Length > 0)
        {
            var expected = string.Join(", ", ColumnNames.Select((c, m) => $"{c}: {InputSizes[m]} floats"));
            throw new ArgumentException(
                $"The data does not match the model. Expected columns {expected}; mismatched: {string.Join(", ", problems)}. " +
                "Transform the data with the same steps as the training data.", nameof(schema));
        }
    }

    private static string Describe(DataViewSchema.Column? column) =>
        column is null ? "missing" : column.Value.Type.ToString() ?? "unknown type";

    /// <summary>Reads the information from a model zip written by <c>mlContext.Model.Save</c>.</summary>
    /// <param name="modelPath">Path of the model zip.</param>
    /// <exception cref="InvalidDataException">The file is not a model zip, or holds no DI-MML graph.</exception>
    public static DiMmlModelInfo Read(string modelPath)
    {
        using var stream = File.OpenRead(modelPath);
        return Read(stream);
    }

    /// <summary>Reads the information from a model zip stream.</summary>
    /// <param name="modelZip">The model zip.</param>
    /// <exception cref="InvalidDataException">The stream is not a model zip, or holds no DI-MML graph.</exception>
    public static DiMmlModelInfo Read(Stream modelZip)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        return new DiMmlModelInfo(ReadGraph(modelZip).Metadata);
    }

    // A pipeline can hold several of our graphs (an audio transform's spectrogram before the model): the model's is the one
    // that names its input columns; a fusion-only pipeline has just the fusion graph.
    internal static (Dictionary<string, string> Metadata, byte[] Graph) ReadGraph(Stream modelZip)
    {
        using var zip = new ZipArchive(modelZip, ZipArchiveMode.Read, leaveOpen: true);
        (Dictionary<string, string> Metadata, byte[] Graph)? first = null;
        foreach (var entry in zip.Entries)
        {
            using var memory = new MemoryStream();
            using (var entryStream = entry.Open())
            {
                entryStream.CopyTo(memory);
            }

            if (FindGraph(memory.ToArray()) is { } graph)
            {
                if (graph.Metadata.ContainsKey(ModelMetadataKeys.Columns))
                {
                    return graph;
                }

                first ??= graph;
            }
        }

        return first ?? throw new InvalidDataException("The model file holds no DI-MML ONNX graph (no entry with dimml.* metadata). " +
            "Was it saved from a DI-MML pipeline?");
    }

    // ML.NET stores the ONNX bytes behind a short binary header; try the offsets a length prefix can take. Protobuf parsing is
    // lenient, so a wrong offset can parse too, with the header read as fields and the real graph swallowed: such a parse has
    // no IR version or no nodes (seen for a model whose size made the header valid protobuf: ONNX Runtime then refused it).
    private static (Dictionary<string, string> Metadata, byte[] Graph)? FindGraph(byte[] bytes)
    {
        foreach (var offset in new[] { 0, 4, 8, 12, 16 })
        {
            if (bytes.Length <= offset)
            {
                break;
            }

            try
            {
                var graph = bytes.AsSpan(offset).ToArray();
                var model = ModelProto.Parser.ParseFrom(graph);
                var whole = model.IrVersion > 0 && model.Graph is { Node.Count: > 0 };
                if (whole && model.MetadataProps.Any(p => p.Key == ModelMetadataKeys.Kind))
                {
                    return (model.MetadataProps.ToDictionary(p => p.Key, p => p.Value), graph);
                }
            }
            catch (InvalidProtocolBufferException)
            {
            }
        }

        return null;
    }
}

using DiMml.Graphs;
using DiMml.MLNet.Scoring;
using DiMml.Serving.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml;

/// <summary>
/// Certainty-aware logit weighting over the score columns of any classifiers (one per modality, say): per row,
/// each input's certainty <c>c_k</c> (max probability by default), weights <c>softmax(c / T)</c>, fused logits
/// <c>Σ w_k z_k</c> (for probability inputs <c>z_k = log p_k</c>). An input whose row holds a NaN is dropped from
/// that row's weighting; with every input missing the row's Score is NaN and its PredictedLabel the missing key.
/// The fitted transformer scores through ONNX, so it saves and loads with plain ML.NET.
/// </summary>
public sealed class CertaintyWeightedFusionEstimator : IEstimator<CertaintyWeightedFusionTransformer>
{
    private const string FusedScore = "DiMml.Fusion.Score";
    private const string FusedWeights = "DiMml.Fusion.BranchWeights";
    private const int SchemaClassCount = 2;
    private readonly MLNetEnvironment env;
    private readonly Options options;

    /// <summary>Settings of the fusion.</summary>
    public sealed class Options
    {
        /// <summary>The score columns to fuse: two or more known-size float vectors of one size (the classes, in one order).</summary>
        public IList<string> InputColumnNames { get; } = new List<string>();

        /// <summary>Whether the inputs are probabilities or logits. Default <see cref="ScoreKind.Probabilities"/>.</summary>
        public ScoreKind InputKind { get; set; } = ScoreKind.Probabilities;

        /// <summary>How each input's certainty is measured. Default <see cref="CertaintyMeasure.MaxProbability"/> (the paper's).</summary>
        public CertaintyMeasure Certainty { get; set; } = CertaintyMeasure.MaxProbability;

        /// <summary>Temperature T of the weights; larger is flatter. Default 1.</summary>
        public double CertaintyTemperature { get; set; } = TrainerDefaults.CertaintyTemperature;

        /// <summary>Optional key-typed label column whose key values name the classes of PredictedLabel; without it
        /// PredictedLabel is key k + 1 for score slot k. Needed by <see cref="Calibrate"/>.</summary>
        public string? LabelColumnName { get; set; }

        /// <summary>Fit a temperature per input on the labelled rows given to Fit (temperature scaling: minimum NLL), and
        /// weight and fuse the calibrated inputs. An over-confident input then stops dominating. Fit on rows the input
        /// models did not train on (a validation split), or the temperatures inherit their over-confidence. Needs
        /// <see cref="LabelColumnName"/>. Default false (the paper's weighting).</summary>
        public bool Calibrate { get; set; }

        /// <summary>Output column of the fused probabilities. Default "Score".</summary>
        public string ScoreColumnName { get; set; } = DiMmlColumns.Score;

        /// <summary>Output column of the key-typed prediction. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName { get; set; } = DiMmlColumns.PredictedLabel;

        /// <summary>Output column of the per-row input weights, in input order. Default "BranchWeights".</summary>
        public string BranchWeightsColumnName { get; set; } = DiMmlColumns.BranchWeights;
    }

    internal CertaintyWeightedFusionEstimator(MLNetEnvironment env, Options options)
    {
        this.env = env;
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        Validate(options);
    }

    /// <summary>Output schema without fitting: checks the inputs, then adds the score, weights and prediction columns.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var name in options.InputColumnNames)
        {
            var column = inputSchema.FirstOrDefault(c => c.Name == name);
            if (column.Name is null || column.Kind != SchemaShape.Column.VectorKind.Vector
                || !Equals(column.ItemType, NumberDataViewType.Single))
            {
                throw ScoreColumnError(name, column.Name is null ? "missing" : $"{column.Kind} of {column.ItemType}");
            }
        }

        var labels = options.LabelColumnName is { } label
            ? LabelValues.Placeholder(inputSchema.FirstOrDefault(c => c.Name == label) is { Name: not null, IsKey: true } key ? key
                : throw LabelError(label), SchemaClassCount)
            : LabelValues.KeyNumbers(SchemaClassCount);
        using var file = new OnnxModelFile(Graph(SchemaClassCount, OnnxLayout.PerRow));
        return OnnxRuntimeBackend.Explain(() => Pipeline(file, labels).Estimator.GetOutputSchema(inputSchema));
    }

    /// <summary>Builds the fusion for the class count of the input columns.</summary>
    /// <param name="input">Data with the score columns (and the label column, if named).</param>
    public CertaintyWeightedFusionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var sizes = options.InputColumnNames.Select(name =>
            input.Schema.GetColumnOrNull(name) is { Type: VectorDataViewType { IsKnownSize: true } v }
                && v.ItemType == NumberDataViewType.Single
            ? v.Size
            : throw ScoreColumnError(name, input.Schema.GetColumnOrNull(name)?.Type.ToString() ?? "missing")).ToArray();
        if (sizes.Distinct().Count() != 1 || sizes[0] < 2)
        {
            throw new ArgumentException(
                "The score columns must have one size of at least 2 (the classes); got " +
                $"{string.Join(", ", options.InputColumnNames.Zip(sizes, (n, s) => $"{n}[{s}]"))}.",
                nameof(input));
        }

        var classes = sizes[0];
        var labels = options.LabelColumnName is { } label ? LabelsOf(input.Schema, label, classes) : LabelValues.KeyNumbers(classes);
        var temperatures = options.Calibrate
            ? FusionCalibration.Fit(input, options.InputColumnNames.ToArray(), options.LabelColumnName!, options.InputKind, classes) : null;
        var file = new OnnxModelFile(Graph(classes, OnnxLayout.PerRow, temperatures));
        return new CertaintyWeightedFusionTransformer(OnnxRuntimeBackend.Explain(() => Pipeline(file, labels).Estimator.Fit(input)), file,
            Graph(classes, OnnxLayout.Batched, temperatures), temperatures);
    }

    // The per-row graph feeds ML.NET and uses internal output names (an input may be called "Score"); the
    // standalone batched graph uses the public ones unless an input already has one of them.
    private byte[] Graph(int classes, OnnxLayout layout, IReadOnlyList<double>? temperatures = null) => FusionOnnxExport.ToBytes(
        options.InputColumnNames.ToArray(), classes, options.InputKind == ScoreKind.Logits, options.Certainty, options.CertaintyTemperature,
        layout == OnnxLayout.Batched
            && !options.InputColumnNames.Intersect([options.ScoreColumnName, options.BranchWeightsColumnName, DiMmlColumns.PredictedIndex])
                .Any()
            ? new FusionOutputNames(options.ScoreColumnName, options.BranchWeightsColumnName, DiMmlColumns.PredictedIndex)
            : new FusionOutputNames(FusedScore, FusedWeights, DiMmlColumns.PredictedIndex),
        layout,
        inputTemperatures: temperatures);

    private ScoringPipeline.ScoringChain Pipeline(OnnxModelFile file, LabelValues labels) => ScoringPipeline.Create(
        env, file, options.InputColumnNames.ToArray(),
            [(FusedScore, options.ScoreColumnName), (FusedWeights, options.BranchWeightsColumnName)],
        (DiMmlColumns.PredictedIndex, options.PredictedLabelColumnName), labels,
        ScoringPipeline.ExecutionProvider(env, () => File.ReadAllBytes(file.Path)));

    private static LabelValues LabelsOf(DataViewSchema schema, string label, int classes)
    {
        var column = schema.GetColumnOrNull(label) ?? throw LabelError(label);
        return column.Type is KeyDataViewType key && key.Count == (ulong)classes
            ? LabelValues.FromSchema(column, classes)
            : throw new ArgumentException(
                $"Label column '{label}' must be a key type with {classes} values (one per score slot), but it is {column.Type}. " +
                "Name the label column the scores were trained on, after MapValueToKey.", label);
    }

    private static void Validate(Options options)
    {
        if (options.InputColumnNames.Count < 2 || options.InputColumnNames.Distinct().Count() != options.InputColumnNames.Count)
        {
            throw new ArgumentException(
                $"Option InputColumnNames lists {options.InputColumnNames.Count} column(s); fusion needs two or more distinct score " +
                    $"columns.", nameof(options.InputColumnNames));
        }

        if (!double.IsFinite(options.CertaintyTemperature) || options.CertaintyTemperature <= 0)
        {
            throw new ArgumentException($"Option CertaintyTemperature is {options.CertaintyTemperature}; it must be a finite number > 0 " +
                $"(default 1).",
                nameof(options.CertaintyTemperature));
        }

        if (options.Calibrate && options.LabelColumnName is null)
        {
            throw new ArgumentException("Option Calibrate needs LabelColumnName: the key-typed label of the rows the temperatures are " +
                "fitted on.", nameof(options.Calibrate));
        }

        var outputs = new[] { options.ScoreColumnName, options.PredictedLabelColumnName, options.BranchWeightsColumnName };
        if (outputs.Any(string.IsNullOrWhiteSpace) || outputs.Distinct().Count() != 3)
        {
            throw new ArgumentException("Options ScoreColumnName, PredictedLabelColumnName and BranchWeightsColumnName must be three " +
                "distinct names.", nameof(options.ScoreColumnName));
        }
    }

    private static ArgumentException ScoreColumnError(string name, string found) => new(
        $"Score column '{name}' must be a known-size vector of Single (class probabilities or logits), but it is {found}. " +
        "Keep each trainer's Score under its own name (CopyColumns) before fusing.", name);

    private static ArgumentException LabelError(string name) => new(
        $"Label column '{name}' is missing or not a key type; add MapValueToKey(\"{name}\") before the fusion, or leave LabelColumnName " +
            $"unset.", name);
}

using System.Diagnostics;
using System.Globalization;
using DiMml.MLNet.Data;
using DiMml.MLNet.Scoring;
using DiMml.Serving.Runtime;
using DiMml.Torch.Data;
using DiMml.Torch.Export;
using DiMml.Torch.Inference;
using DiMml.Torch.Runtime;
using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace DiMml;

/// <summary>What a fit produced for a public transformer to wrap.</summary>
internal sealed record FittedModel(
    ITransformer Scoring, OnnxModelFile ScoringGraph, byte[] StandaloneGraph, IReadOnlyList<string> ModalityNames,
        IReadOnlyList<string> ClassNames);

/// <summary>
/// The part of fitting that every multimodal trainer shares: column checks, reading (in memory or streamed),
/// seed and threads, per-epoch logging, validation accuracy, ONNX export and the built-in scoring chain. A trainer
/// supplies only how to train its <see cref="MultimodalModel"/> and what to report about it.
/// </summary>
internal sealed class ModelFitting<TOptions>(MLNetEnvironment env, TOptions options, string component)
    where TOptions : TrainerOptions, IMultimodalTrainerOptions
{
    private const int SchemaClassCount = 2;
    private TimeSpan dataWait;

    public string[] Columns => options.Modalities.Select(OptionsCheck.Column).ToArray();

    public string[] Names => options.Modalities.Select(m => m.Name).ToArray();

    /// <summary>Output schema from an untrained model of the same kind: a SchemaShape carries no sizes or class counts.</summary>
    public SchemaShape OutputSchema<TDiagnostics>(SchemaShape inputSchema, IModelTraining<TOptions, TDiagnostics> training)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        LibTorchBackend.EnsureLoaded();
        InputSchema.Check(inputSchema, options.LabelColumnName, Columns);
        InputSchema.CheckWeight(inputSchema, options.ExampleWeightColumnName);
        var labels = LabelValues.Placeholder(inputSchema.First(c => c.Name == options.LabelColumnName), SchemaClassCount);
        using var model = training.Untrained(Names, SchemaClassCount);
        var graph = PerRowGraph(model);
        using var file = new OnnxModelFile(graph);
        var provider = ScoringPipeline.ExecutionProvider(env, () => graph);
        return OnnxRuntimeBackend.Explain(() => ScoringPipeline.ForModel(env, file, Columns, ScoredModalities(model), labels,
            options.OutputColumns(), provider).Estimator.GetOutputSchema(inputSchema));
    }

    /// <summary>Trains with <paramref name="training"/> and builds the scoring chain and the trainer's diagnostics.</summary>
    /// <param name="input">Training data.</param>
    /// <param name="training">How the trainer trains and describes its model.</param>
    public (FittedModel Fitted, TDiagnostics Diagnostics) Fit<TDiagnostics>(IDataView input,
        IModelTraining<TOptions, TDiagnostics> training)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var threads = ThreadScope.Apply(options.NumberOfThreads);   // reading, training, evaluation and export alike
        InputSchema.RequireRows(input, "training");
        var (classes, sizes) = InputSchema.Check(input.Schema, options.LabelColumnName, Columns);
        InputSchema.CheckWeight(input.Schema, options.ExampleWeightColumnName);
        for (var m = 0; m < sizes.Length; m++)
        {
            options.Modalities[m].ValidateSize(sizes[m]);
        }

        dataWait = TimeSpan.Zero;
        var host = env.Host.Register(component);
        using var channel = host.Start("Training");
        env.WarnIfCancellationUnreachable(channel);
        var seed = options.Seed ?? host.Rand.Next();
        var provider = ScoringPipeline.ExecutionProvider(env, () =>
        {
            using var probe = training.Untrained(Names, classes);
            return PerRowGraph(probe);
        });

        using var cancellation = new FitCancellation(env.IsCanceled, options.CancellationToken);   // reading stops too
        var (data, counts) = TrainingSource(input, Plan(classes, sizes, "training"), channel, cancellation.Token);
        using var disposeData = data as IDisposable;
        channel.Info(MessageSensitivity.None,
            $"{component}: {counts.Rows} rows, {classes} classes, " +
            $"modalities {string.Join(", ", Names.Select((n, m) => $"{n}[{sizes[m]}]"))}, seed {seed}" +
            (data.IsWeighted ? $", example weights from '{options.ExampleWeightColumnName}'." : "."));
        using var validation = ValidationData(classes, sizes, channel, cancellation.Token);
        var watch = Stopwatch.StartNew();
        var run = (TOptions)options.ForRun(seed, EpochLogger(channel, data as StreamingBatchSource));
        run.CancellationToken = cancellation.Token;
        run.HostGpu = env.GpuSetting();
        using var model = training.Train(data, validation, run);
        var elapsed = watch.Elapsed;
        if (model.Selection is not null)
        {
            channel.Info(MessageSensitivity.None, "Fusion chosen on held-out rows: " + ModelDescriptions.Fusion(model));
        }

        var validationAccuracy = validation is null ? null : Evaluate(model, validation, channel, cancellation.Token);
        var labels = LabelValues.FromSchema(input.Schema[options.LabelColumnName], classes);
        var metadata = Metadata(labels, sizes);
        var scoringGraph = new OnnxModelFile(PerRowGraph(model, metadata));
        ITransformer scoring;
        try
        {
            scoring = OnnxRuntimeBackend.Explain(() => ScoringPipeline.ForModel(env, scoringGraph, Columns, ScoredModalities(model), labels,
                options.OutputColumns(), provider).Estimator.Fit(input));
        }
        catch
        {
            scoringGraph.Dispose();
            throw;
        }

        var skipped = counts.MissingLabel + counts.NonFinite + counts.ZeroWeight;
        var facts = new FitFacts(seed, counts.Rows, skipped, elapsed, data is StreamingBatchSource, dataWait,
            validationAccuracy)
        { Device = model.Device.ToString(), ExecutionProvider = provider, Cancellation = cancellation.Token };
        var fitted = new FittedModel(scoring, scoringGraph, OnnxExport.ToBytes(model, Columns, OnnxLayout.Batched, metadata), Names,
            labels.Names);
        return (fitted, training.Describe(model, facts, data, validation));
    }

    // What ML.NET's ONNX step scores: outputs under internal names, which the scoring chain copies to the options' columns.
    private byte[] PerRowGraph(MultimodalModel model, Dictionary<string, string>? metadata = null) =>
        OnnxExport.ToBytes(model, Columns, OnnxLayout.PerRow, metadata, ScoringPipeline.GraphOutputPrefix);

    // Joint models have no per-modality head, so no Score.{modality} columns.
    private static IReadOnlyList<string> ScoredModalities(MultimodalModel model) =>
        model.Kind == ModelKind.Joint ? [] : model.ModalityNames;

    private Action<EpochRecord> EpochLogger(IChannel channel, StreamingBatchSource? streaming) => record =>
    {
        var line = EpochLine(record) + (record.ValidationAccuracy is { } v ? $"; validation accuracy {v:P2}" : "");
        if (streaming is not null)
        {
            var wait = streaming.TakeWaitTime();
            dataWait += wait;
            line += $"; waited {wait.TotalSeconds:F2} s for data ({wait / record.Elapsed:P0})";
        }

        channel.Info(MessageSensitivity.None, line);
        options.EpochCompleted?.Invoke(record);
    };

    // In memory when the features fit the budget, streamed from the IDataView otherwise; both see the same row order.
    private (IBatchSource Data, TrainingData.ReadCounts Counts) TrainingSource(IDataView input, ReadPlan plan, IChannel channel,
        CancellationToken cancellation)
    {
        var budget = options.MemoryBudgetBytes ?? Math.Min(4L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        var rows = InputSchema.RowCount(input, cancellation);
        var bytes = rows * 4L * plan.Sizes.Sum();
        if (bytes <= budget)
        {
            return Read(input, plan, channel, cancellation, rows);
        }

        var streaming = new StreamingBatchSource(input, plan, budget / 2, cancellation);
        channel.Info(MessageSensitivity.None,
            $"Streaming the training data: {bytes / (1 << 20)} MiB of features exceed the {budget / (1 << 20)} MiB budget; windows of " +
                $"{streaming.WindowRows} rows.");
        WarnSkipped(streaming.Counts, "training", channel);
        return (streaming, streaming.Counts);
    }

    private static (MultimodalDataset Data, TrainingData.ReadCounts Counts) Read(
        IDataView data, ReadPlan plan, IChannel channel, CancellationToken cancellation, long expectedRows = 0)
    {
        var (dataset, counts) = TrainingData.Read(data, plan, expectedRows, cancellation);
        WarnSkipped(counts, plan.Role, channel);
        return (dataset, counts);
    }

    private ReadPlan Plan(int classes, int[] sizes, string role, string? weightColumn = null) => new(options.LabelColumnName, Columns,
        role == "training" ? options.ExampleWeightColumnName : weightColumn, classes, sizes, options.DropRowsWithNonFiniteFeatures, role);

    /// <summary>Checks, before training, that extra labelled rows (an option named <paramref name="role"/>) have the training
    /// data's label type, classes and modality sizes; null passes.</summary>
    public void CheckLikeTraining(DataViewSchema training, IDataView? data, string role)
    {
        if (data is not null)
        {
            var (classes, sizes) = InputSchema.Check(training, options.LabelColumnName, Columns);
            CheckLike(data.Schema, classes, sizes, role);
        }
    }

    /// <summary>Reads extra labelled rows (the option <paramref name="role"/>, checked against the training data's classes and
    /// sizes) into memory; null stays null.</summary>
    public MultimodalDataset? ReadEvaluationSet(IDataView? data, string role, IBatchSource train, CancellationToken cancellation)
    {
        if (data is null)
        {
            return null;
        }

        var host = env.Host.Register(component);
        using var channel = host.Start("Evaluation");
        return CheckedRead(data, train.ClassCount, train.FeatureSizes.ToArray(), role, channel, cancellation);
    }

    private MultimodalDataset? ValidationData(int classes, int[] sizes, IChannel channel, CancellationToken cancellation) =>
        options.ValidationSet is null ? null : CheckedRead(options.ValidationSet, classes, sizes, "validation", channel, cancellation);

    // Validation rows are weighted when they have the weight column (they may be the held-out rows of the fusion choice).
    private MultimodalDataset CheckedRead(IDataView data, int classes, int[] sizes, string role, IChannel channel,
        CancellationToken cancellation)
    {
        CheckLike(data.Schema, classes, sizes, role);
        var weight = options.ExampleWeightColumnName is { } w && role == "validation" && data.Schema.GetColumnOrNull(w) is not null
            ? w : null;
        InputSchema.CheckWeight(data.Schema, weight);
        return Read(data, Plan(classes, sizes, role, weight), channel, cancellation).Data;
    }

    // Extra rows must come out of the training data's pipeline: a key-typed label with its classes, and the same vector sizes.
    private void CheckLike(DataViewSchema schema, int classes, int[] sizes, string role)
    {
        const string Fix = "Transform these rows with the same fitted pipeline (and the same fitted MapValueToKey) as the training data.";
        (int Classes, int[] Sizes) found;
        try
        {
            found = InputSchema.Check(schema, options.LabelColumnName, Columns);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The {role} rows: {e.Message} {Fix}", role, e);
        }

        var differing = Columns.Select((c, m) => (c, m)).Where(p => found.Sizes[p.m] != sizes[p.m])
            .Select(p => $"'{p.c}' has {found.Sizes[p.m]} values, {sizes[p.m]} in training").ToArray();
        if (found.Classes != classes || differing.Length > 0)
        {
            throw new ArgumentException($"The {role} rows do not match the training data: " +
                string.Join("; ", differing.Prepend(found.Classes == classes ? "" : $"{found.Classes} classes, {classes} in training")
                    .Where(d => d.Length > 0)) + $". {Fix}", role);
        }
    }

    private static Dictionary<string, double> Evaluate(MultimodalModel model, IBatchSource validation, IChannel channel,
        CancellationToken cancellation)
    {
        var report = model.Evaluate(validation, cancellation: cancellation);
        var accuracy = new Dictionary<string, double>(report.BranchAccuracy) { [TermNames.Fused] = report.Accuracy };
        channel.Info(MessageSensitivity.None, "Validation accuracy: " + string.Join(", ", accuracy.Select(p => $"{p.Key} {p.Value:P2}")));
        return accuracy;
    }

    private static void WarnSkipped(TrainingData.ReadCounts counts, string role, IChannel channel)
    {
        if (counts.MissingLabel + counts.NonFinite + counts.ZeroWeight > 0)
        {
            channel.Warning(MessageSensitivity.None,
                $"Skipped {counts.MissingLabel} {role} rows with a missing label, {counts.NonFinite} with NaN/Inf features and " +
                    $"{counts.ZeroWeight} with weight 0; {counts.Rows} rows remain.");
        }
    }

    private Dictionary<string, string> Metadata(LabelValues labels, int[] sizes) => new()
    {
        [ModelMetadataKeys.Version] = typeof(FittedModel).Assembly.GetName().Version?.ToString() ?? "",
        [ModelMetadataKeys.LabelColumn] = options.LabelColumnName,
        [ModelMetadataKeys.Columns] = string.Join("\n", Columns),
        [ModelMetadataKeys.Classes] = string.Join("\n", labels.Names),
        [ModelMetadataKeys.InputSizes] = string.Join(",", sizes.Select(s => s.ToString(CultureInfo.InvariantCulture))),
    };

    private static string EpochLine(EpochRecord r)
    {
        var losses = string.Join(" ", r.Losses.Select(p => $"{p.Key}={p.Value:F4}"));
        var accuracy = string.Join(" ", r.TrainAccuracy.Select(p => $"{p.Key}={p.Value:P1}"));
        var sets = r.EffectiveSetSizes is null ? "" : "; sets " + string.Join(" ", r.EffectiveSetSizes.Select(p => $"{p.Key}={p.Value}"));
        return $"{r.Stage} epoch {r.Epoch + 1}: {losses}; train accuracy {accuracy}{sets}; {r.Elapsed.TotalSeconds:F2} s";
    }
}

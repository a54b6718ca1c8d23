using System.Diagnostics;
using System.Globalization;
using DiMml.MLNet.Data;
using DiMml.MLNet.Scoring;
using DiMml.Torch.Export;
using DiMml.Torch.Inference;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Training;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using CoreFusion = DiMml.Torch.Modules.FusionHeadKind;

namespace DiMml.MLNet;

/// <summary>
/// Trains DI-MML on two or more modality columns: one encoder per modality with its own loss, a shared head and
/// the DUC loss for cross-modal transfer (stage 1), a fusion head on the frozen encoders (stage 2), and
/// certainty-aware logit weighting at inference. Training runs in TorchSharp; the fitted
/// <see cref="DiMmlTransformer"/> scores through ONNX with ML.NET's built-in transformers.
/// </summary>
public sealed partial class DiMmlTrainer : IEstimator<DiMmlTransformer>
{
    private readonly MLNetEnvironment env;
    private readonly Options options;

    /// <summary>Creates the trainer; <c>mlContext.MulticlassClassification.Trainers.DiMml(options)</c> is the usual way.</summary>
    /// <param name="mlContext">The context whose log, random source and temp folder the trainer uses.</param>
    /// <param name="options">Training settings; validated here.</param>
    public DiMmlTrainer(MLContext mlContext, Options options)
        : this(MLNetEnvironment.Of(mlContext ?? throw new ArgumentNullException(nameof(mlContext))), options)
    {
    }

    internal DiMmlTrainer(MLNetEnvironment env, Options options)
    {
        this.env = env;
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        OptionsCheck.Validate(options);
    }

    /// <summary>Output schema without training: validates the label and every modality column, then adds
    /// Score, Score.{modality}, BranchWeights and the key-typed PredictedLabel.</summary>
    /// <param name="inputSchema">Shape of the input data.</param>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        InputSchema.Check(inputSchema, options.LabelColumnName, Columns);
        var label = inputSchema.First(c => c.Name == options.LabelColumnName);
        var labels = LabelValues.Placeholder(label, SchemaClassCount);

        // A SchemaShape carries neither vector sizes nor class counts, so an untrained graph of any size has the right columns.
        using var model = UntrainedModel(SchemaClassCount);
        using var file = new OnnxModelFile(OnnxExport.ToBytes(model, Columns, OnnxLayout.PerRow));
        return ScoringPipeline.ForModel(env, file, Columns, Names, labels).GetOutputSchema(inputSchema);
    }

    /// <summary>Trains both stages on <paramref name="input"/> and returns the ONNX-backed model.</summary>
    /// <param name="input">Training data with the label and modality columns.</param>
    public DiMmlTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (classes, sizes) = InputSchema.Check(input.Schema, options.LabelColumnName, Columns);
        var specs = OptionsCheck.ToCore(options).Modalities;
        for (var m = 0; m < specs.Count; m++)
        {
            specs[m].Validate(sizes[m]);
        }

        dataWait = TimeSpan.Zero;
        var host = env.Host.Register(nameof(DiMmlTrainer));
        using var channel = host.Start("Training");
        var seed = options.Seed ?? host.Rand.Next();
        if (options.NumberOfThreads is { } threads)
        {
            torch.set_num_threads(threads);
        }

        var (train, counts) = TrainingSource(input, classes, sizes, channel);
        using var disposeTrain = train as IDisposable;
        var core = CoreOptions(seed, channel, train as StreamingBatchSource);
        channel.Info(MessageSensitivity.None, $"DI-MML: {counts.Rows} rows, {classes} classes, modalities {string.Join(", ", Names.Select((n, m) => $"{n}[{sizes[m]}]"))}, seed {seed}, DUC from epoch {core.ResolvedDucStartEpoch}.");
        var watch = Stopwatch.StartNew();
        using var model = new DiMmlLearner(core).Fit(train);
        var elapsed = watch.Elapsed;
        var validation = ValidationAccuracy(model, classes, sizes, channel);
        var labels = LabelValues.FromSchema(input.Schema[options.LabelColumnName], classes);
        var metadata = Metadata(labels, sizes);
        var perRow = new OnnxModelFile(OnnxExport.ToBytes(model, Columns, OnnxLayout.PerRow, metadata));
        var batched = OnnxExport.ToBytes(model, Columns, OnnxLayout.Batched, metadata);
        var scoring = ScoringPipeline.ForModel(env, perRow, Columns, Names, labels).Fit(input);
        var diagnostics = new DiMmlDiagnostics(
            model.History, Names, model.Dimensions?.SetSizes(Names) ?? new Dictionary<string, int>(), validation, seed,
            core.ResolvedDucStartEpoch, FusionDescription(model), counts.Rows, counts.MissingLabel + counts.NonFinite, elapsed,
            train is StreamingBatchSource, dataWait);
        return new DiMmlTransformer(scoring, perRow, batched, diagnostics, Names, labels.Names);
    }

    private const int SchemaClassCount = 2;

    private TimeSpan dataWait;

    private string[] Columns => options.Modalities.Select(m => m.ColumnName).ToArray();

    private string[] Names => options.Modalities.Select(m => m.EffectiveName).ToArray();

    private (Torch.Data.MultimodalDataset Data, TrainingData.ReadCounts Counts) Read(
        IDataView data, int classes, int[] sizes, string role, IChannel channel, long expectedRows = 0)
    {
        var (dataset, counts) = TrainingData.Read(data, options.LabelColumnName, Columns, classes, sizes, options.DropRowsWithNonFiniteFeatures, role, expectedRows);
        WarnSkipped(counts, role, channel);
        return (dataset, counts);
    }

    private static void WarnSkipped(TrainingData.ReadCounts counts, string role, IChannel channel)
    {
        if (counts.MissingLabel + counts.NonFinite > 0)
        {
            channel.Warning(MessageSensitivity.None,
                $"Skipped {counts.MissingLabel} {role} rows with a missing label and {counts.NonFinite} with NaN/Inf features; {counts.Rows} rows remain.");
        }
    }

    private DiMmlOptions CoreOptions(int seed, IChannel channel, StreamingBatchSource? streaming)
    {
        var core = OptionsCheck.ToCore(options);
        core.Seed = seed;
        core.EpochCompleted = record =>
        {
            var line = EpochLine(record);
            if (streaming is not null)
            {
                var wait = streaming.TakeWaitTime();
                dataWait += wait;
                line += $"; waited {wait.TotalSeconds:F2} s for data ({wait / record.Elapsed:P0})";
            }

            channel.Info(MessageSensitivity.None, line);
            options.EpochCompleted?.Invoke(record);
        };
        return core;
    }

    // In memory when the features fit the budget, streamed from the IDataView otherwise; both see the same row order.
    private (Torch.Data.IBatchSource Data, TrainingData.ReadCounts Counts) TrainingSource(IDataView input, int classes, int[] sizes, IChannel channel)
    {
        var budget = options.MemoryBudgetBytes ?? Math.Min(4L << 30, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
        var rows = input.GetRowCount() ?? CountRows(input);
        var bytes = rows * 4L * sizes.Sum();
        if (bytes <= budget)
        {
            return Read(input, classes, sizes, "training", channel, rows);
        }

        var streaming = new StreamingBatchSource(input, options.LabelColumnName, Columns, classes, sizes, options.DropRowsWithNonFiniteFeatures, budget / 2);
        channel.Info(MessageSensitivity.None,
            $"Streaming the training data: {bytes / (1 << 20)} MiB of features exceed the {budget / (1 << 20)} MiB budget; windows of {streaming.WindowRows} rows.");
        WarnSkipped(streaming.Counts, "training", channel);
        return (streaming, streaming.Counts);
    }

    private static long CountRows(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        long rows = 0;
        while (cursor.MoveNext())
        {
            rows++;
        }

        return rows;
    }

    private Dictionary<string, double>? ValidationAccuracy(MultimodalModel model, int classes, int[] sizes, IChannel channel)
    {
        if (options.ValidationSet is null)
        {
            return null;
        }

        var (validationClasses, validationSizes) = InputSchema.Check(options.ValidationSet.Schema, options.LabelColumnName, Columns);
        if (validationClasses != classes || !validationSizes.SequenceEqual(sizes))
        {
            throw new ArgumentException(
                $"ValidationSet has {validationClasses} classes and sizes [{string.Join(", ", validationSizes)}]; the training data has {classes} and [{string.Join(", ", sizes)}]. " +
                "Transform the validation data with the same pipeline (and the same MapValueToKey) as the training data.", nameof(options.ValidationSet));
        }

        var (data, _) = Read(options.ValidationSet, classes, sizes, "validation", channel);
        using (data)
        {
            var report = model.Evaluate(data);
            var accuracy = new Dictionary<string, double>(report.BranchAccuracy) { ["fused"] = report.Accuracy };
            channel.Info(MessageSensitivity.None, "Validation accuracy: " + string.Join(", ", accuracy.Select(p => $"{p.Key} {p.Value:P2}")));
            return accuracy;
        }
    }

    private Dictionary<string, string> Metadata(LabelValues labels, int[] sizes) => new()
    {
        ["dimml.version"] = typeof(DiMmlTrainer).Assembly.GetName().Version?.ToString() ?? "",
        ["dimml.label_column"] = options.LabelColumnName,
        ["dimml.columns"] = string.Join("\n", Columns),
        ["dimml.classes"] = string.Join("\n", labels.Names),
        ["dimml.input_sizes"] = string.Join(",", sizes),
    };

    private MultimodalModel UntrainedModel(int classes)
    {
        var encoders = Names.Select(_ => (ModalityEncoder)new MlpEncoder(1, [], 1)).ToArray();
        var fusion = (CoreFusion)(int)options.FusionHead;
        var network = new MultimodalNetwork(encoders, classes, fusion, seed: 0);
        return new MultimodalModel(network, ModelKind.DiMml, Names, new TrainingHistory(), null, new CertaintyWeighting(options.CertaintyTemperature), torch.CPU);
    }

    private static string FusionDescription(MultimodalModel model) =>
        $"certainty-weighted logits (T = {model.Weighting.Temperature.ToString(CultureInfo.InvariantCulture)}) over {string.Join(", ", model.BranchNames)}";

    private static string EpochLine(EpochRecord r)
    {
        var losses = string.Join(" ", r.Losses.Select(p => $"{p.Key}={p.Value:F4}"));
        var accuracy = string.Join(" ", r.TrainAccuracy.Select(p => $"{p.Key}={p.Value:P1}"));
        var sets = r.EffectiveSetSizes is null ? "" : "; sets " + string.Join(" ", r.EffectiveSetSizes.Select(p => $"{p.Key}={p.Value}"));
        return $"{r.Stage} epoch {r.Epoch + 1}: {losses}; train accuracy {accuracy}{sets}; {r.Elapsed.TotalSeconds:F2} s";
    }
}

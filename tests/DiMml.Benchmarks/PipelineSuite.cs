using System.Diagnostics;
using System.Globalization;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Benchmarks;

/// <summary>
/// The ML.NET side, on the shipped two-view Fashion-MNIST subset: ingestion share of training (in memory vs streamed),
/// scoring throughput of the saved model (ML.NET's row-at-a-time Transform vs <see cref="BulkScorer"/>),
/// PredictionEngine latency percentiles, and the peak resident memory of each phase.
/// </summary>
internal static class PipelineSuite
{
    public sealed class Row
    {
        public string Label { get; set; } = "";

        [VectorType(392)]
        public float[] Top { get; set; } = [];

        [VectorType(392)]
        public float[] Bottom { get; set; } = [];
    }

    public sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }

    private const int TrainingRepeats = 10;
    private const long StreamingBudget = 16L << 20;

    public static IEnumerable<string> Run(string dataFolder, int epochs, int predictions, int threads)
    {
        var ml = new MLContext(seed: 0);
        var test = ml.Data.LoadFromEnumerable(Load(dataFolder, "t10k"));
        var lines = new List<string>
        {
            "## Ingestion, scoring and memory (ML.NET)",
            "",
            Describe(dataFolder, test, epochs, threads),
            "",
            "| figure | value | baseline | baseline / value |",
            "| --- | --- | --- | --- |",
        };

        var folder = Directory.CreateTempSubdirectory("dimml-bench-").FullName;
        var zip = Path.Combine(folder, "model.zip");
        var onnx = Path.Combine(folder, "model.onnx");
        string[] common = [dataFolder, epochs.ToString(CultureInfo.InvariantCulture), threads.ToString(CultureInfo.InvariantCulture)];
        var inMemory = Child(["fit-memory", .. common, zip, onnx]);
        var streamed = Child(["fit-streamed", .. common]);
        lines.Add(Line("stage-1 epoch time, streamed (16 MiB budget)", streamed["epoch"], "s", inMemory["epoch"], "in memory"));
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"| ingestion share, streamed: training time spent waiting for data | {streamed["wait"]:P1} | in memory: fit time outside " +
                $"training (reading the rows, ONNX export), {inMemory["outside"]:P1} | - |"));
        lines.Add(Line("peak RSS of the training process, streamed", streamed["peak"], "MiB", inMemory["peak"], "in memory"));

        var rowAtATime = Child(["score-rows", .. common, zip]);
        var bulk = Child(["score-bulk", .. common, onnx]);
        lines.Add(Line($"scoring {ScoringRows} rows from the saved model: BulkScorer, batches of 1024 " +
            $"({ScoringRows / bulk["seconds"]:F0} rows/s)", bulk["seconds"], "s",
            rowAtATime["seconds"], $"ML.NET Transform, row at a time, {ScoringRows / rowAtATime["seconds"]:F0} rows/s"));
        lines.Add(Line("peak RSS of the scoring process, BulkScorer", bulk["peak"], "MiB", rowAtATime["peak"], "row at a time"));

        var loaded = ml.Model.Load(zip, out _);
        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(loaded);
        var rows = ml.Data.CreateEnumerable<Row>(test, false).ToArray();
        var latencies = Enumerable.Range(0, predictions + 1000).Select(i =>
        {
            var watch = Stopwatch.StartNew();
            engine.Predict(rows[i % rows.Length]);
            return watch.Elapsed.TotalMicroseconds;
        }).Skip(1000).Order().ToArray();
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"| PredictionEngine single-row latency over {predictions} predictions (after 1,000 warm-up) | p50 " +
                $"{Percentile(latencies, 0.5):F0} µs, p99 {Percentile(latencies, 0.99):F0} µs | - | - |"));
        (engine as IDisposable)?.Dispose();
        (loaded as IDisposable)?.Dispose();
        Directory.Delete(folder, recursive: true);
        return lines;
    }

    private const int ScoringRows = 5000;

    /// <summary>One measured phase in this process (run by <see cref="Child"/>): prints <c>RESULT key=value;...</c>.</summary>
    public static int Phase(string[] args)
    {
        var (phase, dataFolder, epochs, threads) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture),
            int.Parse(args[3], CultureInfo.InvariantCulture));
        var ml = new MLContext(seed: 0);
        var results = new Dictionary<string, double>();
        switch (phase)
        {
            case "fit-memory" or "fit-streamed":
                // The training rows served TrainingRepeats times over by a lazy enumerable: the source stays small, so
                // the process's peak is what training holds.
                var trainRows = Load(dataFolder, "train");
                var train = ml.Data.LoadFromEnumerable(Enumerable.Range(0, TrainingRepeats).SelectMany(_ => trainRows));
                var fit = Fit(ml, train, epochs, threads, phase == "fit-streamed" ? StreamingBudget : null);
                results["epoch"] = EpochSeconds(fit.Diagnostics);
                results["wait"] = fit.Diagnostics.DataWaitShare;
                results["outside"] = fit.ReadShare;
                if (phase == "fit-memory")
                {
                    ml.Model.Save(fit.Model, train.Schema, args[4]);
                    using var stream = File.Create(args[5]);
                    fit.Trained.ExportOnnx(stream);
                }

                break;
            case "score-rows" or "score-bulk":
                var rows = Load(dataFolder, "t10k");
                var data = ml.Data.LoadFromEnumerable(Enumerable.Repeat(rows, ScoringRows / rows.Length).SelectMany(r => r).ToArray());
                if (phase == "score-rows")
                {
                    var loaded = ml.Model.Load(args[4], out _);
                    results["seconds"] = Median(3, () => loaded.Transform(data).GetColumn<float[]>("Score").Count());
                }
                else
                {
                    using var scorer = new BulkScorer(File.ReadAllBytes(args[4]));
                    results["seconds"] = Median(3, () => scorer.Score(data).Count());
                }

                break;
            default:
                throw new ArgumentException($"Unknown phase '{phase}'.");
        }

        results["peak"] = PeakMiB();
        Console.WriteLine("RESULT "
            + string.Join(";", results.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:R}"))));
        return 0;
    }

    // Runs a phase in a fresh process of this harness, so its peak memory is its own.
    private static Dictionary<string, double> Child(string[] phaseArgs)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Environment.ProcessPath!.EndsWith("DiMml.Benchmarks", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(typeof(PipelineSuite).Assembly.Location);
        }

        start.ArgumentList.Add("pipeline-phase");
        foreach (var arg in phaseArgs)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"Phase {phaseArgs[0]} failed (exit {process.ExitCode}):\n{output}");
        return line[7..].Trim().Split(';').Select(p => p.Split('='))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }

    private static double PeakMiB()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }

    private static string Describe(string dataFolder, IDataView test, int epochs, int threads) =>
        string.Create(CultureInfo.InvariantCulture,
        $"Data: the shipped Fashion-MNIST subset `{dataFolder}`, top/bottom halves. Training: its 4,000 training rows served " +
            $"{TrainingRepeats} times over by a lazy IDataView ({4000 * TrainingRepeats} rows, {4000L * TrainingRepeats * 784 * 4 >> 20} " +
                $"MiB of features); scoring: its {test.GetRowCount()} test rows, 5 times over. DI-MML, {epochs} epochs, batch 32, D = " +
                    $"128, hidden 256, {threads} libtorch thread(s); {MachineDescription.Cpu()}, CPU libtorch; " +
                        $"{DateTime.UtcNow:yyyy-MM-dd}. Each training and scoring phase runs in a fresh process of the harness; peak RSS " +
                            $"is that process's high-water mark (VmHWM), runtime and libraries included.");

    private sealed record FitResult(ITransformer Model, DiMmlTransformer Trained, DiMmlDiagnostics Diagnostics, double ReadShare);

    /// <summary>The benchmarks' trainer settings for the two Fashion-MNIST halves, without the modalities.</summary>
    internal static DiMmlTrainer.Options TrainerOptions(int epochs, int threads) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        LearningRate = 0.01,
        EmbeddingSize = 128,
        FusionEpochs = 2,
        Seed = 0,
        NumberOfThreads = threads,
    };

    private static FitResult Fit(MLContext ml, IDataView train, int epochs, int threads, long? budget)
    {
        var options = TrainerOptions(epochs, threads);
        options.MemoryBudgetBytes = budget;
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top", HiddenSizes = [256] });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [256] });
        var watch = Stopwatch.StartNew();
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.DiMml(options)).Fit(train);
        var wall = watch.Elapsed;
        var trained = ((IEnumerable<ITransformer>)model).OfType<DiMmlTransformer>().Single();
        var diagnostics = trained.Diagnostics;
        if (diagnostics.Streamed != budget.HasValue)
        {
            throw new InvalidOperationException($"Expected streamed = {budget.HasValue}, got {diagnostics.Streamed}.");
        }

        return new FitResult(model, trained, diagnostics, (wall - diagnostics.TrainingTime) / wall);
    }

    private static double EpochSeconds(DiMmlDiagnostics diagnostics) =>
        MedianOf(diagnostics.History.Where(r => r.Stage == TrainingStage.Detached).Select(r => r.Elapsed.TotalSeconds));

    internal static Row[] Load(string folder, string split)
    {
        var (pixels, count, height, width) = IdxImages.ReadImages(Path.Combine(folder, $"{split}-images-idx3-ubyte.gz"));
        var labels = IdxImages.ReadLabels(Path.Combine(folder, $"{split}-labels-idx1-ubyte.gz"));
        var size = height * width;
        return Enumerable.Range(0, count).Select(i => new Row
        {
            Label = labels[i].ToString(CultureInfo.InvariantCulture),
            Top = pixels.AsSpan(i * size, size / 2).ToArray().Select(p => p / 255f).ToArray(),
            Bottom = pixels.AsSpan(i * size + size / 2, size / 2).ToArray().Select(p => p / 255f).ToArray(),
        }).ToArray();
    }

    private static double Median(int repeats, Func<int> action)
    {
        action();
        return MedianOf(Enumerable.Range(0, repeats).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            action();
            return watch.Elapsed.TotalSeconds;
        }));
    }

    private static double MedianOf(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];

    private static string Line(string figure, double value, string unit, double baseline, string baselineLabel) =>
        string.Create(CultureInfo.InvariantCulture, $"| {figure} | {value:F3} {unit} | {baseline:F3} {unit} ({baselineLabel}) | " +
            $"{baseline / value:F2}x |");
}

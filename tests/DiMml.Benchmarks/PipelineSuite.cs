using System.Diagnostics;
using System.Globalization;
using DiMml.Examples;
using DiMml.MLNet;
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

    public static IEnumerable<string> Run(string dataFolder, int epochs, int predictions, int threads)
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(Load(dataFolder, "train"));
        var test = ml.Data.LoadFromEnumerable(Load(dataFolder, "t10k"));
        var lines = new List<string>
        {
            "## Ingestion, scoring and memory (ML.NET)",
            "",
            Describe(dataFolder, train, test, epochs, threads),
            "",
            "| figure | value | baseline | baseline / value |",
            "| --- | --- | --- | --- |",
        };

        var (inMemory, memoryPeak) = Peak(() => Fit(ml, train, epochs, threads, budget: null));
        var (streamed, streamPeak) = Peak(() => Fit(ml, train, epochs, threads, budget: 1 << 20));
        lines.Add(Line("stage-1 epoch time, streamed (1 MiB budget)", EpochSeconds(streamed.Diagnostics), "s", EpochSeconds(inMemory.Diagnostics), "in memory"));
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"| ingestion share of training: streamed (time waiting for data) | {streamed.Diagnostics.DataWaitShare:P1} | in memory: rows read before training, {inMemory.ReadShare:P1} of the fit | - |"));
        lines.Add(Line("peak RSS of training, streamed", streamPeak, "MiB", memoryPeak, "in memory"));

        var path = Path.Combine(Path.GetTempPath(), $"dimml-bench-{Guid.NewGuid():N}.zip");
        ml.Model.Save(inMemory.Model, train.Schema, path);
        var loaded = ml.Model.Load(path, out _);
        using var scorer = BulkScorer.From(inMemory.Trained);
        var repeated = ml.Data.LoadFromEnumerable(Enumerable.Repeat(ml.Data.CreateEnumerable<Row>(test, false).ToArray(), 5).SelectMany(r => r));
        var rowCount = (int)repeated.GetRowCount()!;
        var (rowAtATime, rowPeak) = Peak(() => Median(3, () => loaded.Transform(repeated).GetColumn<float[]>("Score").Count()));
        var (bulk, bulkPeak) = Peak(() => Median(3, () => scorer.Score(repeated).Count()));
        lines.Add(Line($"scoring {rowCount} rows from the saved model: BulkScorer, batches of 1024 ({rowCount / bulk:F0} rows/s)", bulk, "s",
            rowAtATime, $"ML.NET Transform, row at a time, {rowCount / rowAtATime:F0} rows/s"));
        lines.Add(Line("peak RSS of bulk scoring", bulkPeak, "MiB", rowPeak, "row at a time"));

        var engine = ml.Model.CreatePredictionEngine<Row, Scored>(loaded);
        var rows = ml.Data.CreateEnumerable<Row>(test, false).ToArray();
        var latencies = Enumerable.Range(0, predictions + 1000).Select(i =>
        {
            var watch = Stopwatch.StartNew();
            engine.Predict(rows[i % rows.Length]);
            return watch.Elapsed.TotalMicroseconds;
        }).Skip(1000).Order().ToArray();
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"| PredictionEngine single-row latency over {predictions} predictions (after 1,000 warm-up) | p50 {Percentile(latencies, 0.5):F0} µs, p99 {Percentile(latencies, 0.99):F0} µs | - | - |"));
        (engine as IDisposable)?.Dispose();
        (loaded as IDisposable)?.Dispose();
        File.Delete(path);
        return lines;
    }

    private static string Describe(string dataFolder, IDataView train, IDataView test, int epochs, int threads) => string.Create(CultureInfo.InvariantCulture,
        $"Data: the shipped Fashion-MNIST subset `{dataFolder}` ({train.GetRowCount()} training / {test.GetRowCount()} test rows, top/bottom halves). " +
        $"DI-MML, {epochs} epochs, batch 32, D = 128, hidden 256, {threads} libtorch thread(s); {Environment.ProcessorCount} cores, CPU; {DateTime.UtcNow:yyyy-MM-dd}. Peak RSS is the process's high-water mark, reset before each phase (Linux clear_refs).");

    private sealed record FitResult(ITransformer Model, DiMmlTransformer Trained, DiMmlDiagnostics Diagnostics, double ReadShare);

    private static FitResult Fit(MLContext ml, IDataView train, int epochs, int threads, long? budget)
    {
        var options = new DiMmlTrainer.Options
        {
            Epochs = epochs, BatchSize = 32, LearningRate = 0.01, EmbeddingSize = 128, FusionEpochs = 2, Seed = 0, NumberOfThreads = threads,
            MemoryBudgetBytes = budget,
        };
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
        MedianOf(diagnostics.History.Where(r => r.Stage == Torch.Training.TrainingStage.Detached).Select(r => r.Elapsed.TotalSeconds));

    private static Row[] Load(string folder, string split)
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

    // Runs a phase after resetting the process's peak RSS; returns its result and the peak in MiB.
    private static (T Result, double PeakMiB) Peak<T>(Func<T> phase)
    {
        GC.Collect();
        File.WriteAllText("/proc/self/clear_refs", "5");
        var result = phase();
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return (result, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024);
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

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Round(p * (sorted.Length - 1)))];

    private static string Line(string figure, double value, string unit, double baseline, string baselineLabel) =>
        string.Create(CultureInfo.InvariantCulture, $"| {figure} | {value:F3} {unit} | {baseline:F3} {unit} ({baselineLabel}) | {baseline / value:F2}x |");
}

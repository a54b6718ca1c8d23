using System.Diagnostics;
using DiMml.TestSupport;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Examples;

/// <summary>
/// Streaming measurement: two-view Fashion-MNIST served by a lazy IDataView (rows decoded from the IDX bytes only
/// when a column is read), repeated <c>--repeat</c> times, trained under a small memory budget so that DI-MML
/// streams it. Prints rows, epoch time, the share of it spent waiting for data, and the process's peak RSS.
/// </summary>
internal static class StreamingExample
{
    /// <summary>A row whose pixel columns are decoded only when ML.NET reads them.</summary>
    private sealed class LazyRow(byte[] pixels, int offset, string label)
    {
        public string Label { get; } = label;

        [VectorType(FashionRow.HalfSize)]
        public float[] Top => Decode(0);

        [VectorType(FashionRow.HalfSize)]
        public float[] Bottom => Decode(FashionRow.HalfSize);

        private float[] Decode(int start)
        {
            var half = new float[FashionRow.HalfSize];
            for (var p = 0; p < half.Length; p++)
            {
                half[p] = pixels[offset + start + p] / 255f;
            }

            return half;
        }
    }

    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var (pixels, count, height, width) = IdxImages.ReadImages(Path.Combine(folder, "train-images-idx3-ubyte.gz"));
        var labels = IdxImages.ReadLabels(Path.Combine(folder, "train-labels-idx1-ubyte.gz"));
        var rows = Math.Min(count, args.MaxRows ?? count);
        var total = rows * args.Repeat;
        IEnumerable<LazyRow> Rows()
        {
            for (var i = 0; i < total; i++)
            {
                var source = i % rows;
                yield return new LazyRow(pixels, source * height * width, TwoViewFashionMnist.ClassNames[labels[source]]);
            }
        }

        var ml = new MLContext(seed: 0);
        ExampleLog.Attach(ml);
        var data = ml.Data.LoadFromEnumerable(Rows());
        var options = new DiMmlTrainer.Options
        {
            Epochs = args.Epochs,
            BatchSize = 64,
            LearningRate = 0.01,
            EmbeddingSize = args.Embedding,
            FusionEpochs = 1,
            Seed = (int)args.Seed,
            NumberOfThreads = args.Threads,
            MemoryBudgetBytes = (long)args.BudgetMegabytes << 20,
        };
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top" });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom" });
        var watch = Stopwatch.StartNew();
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        using var model = ml.MulticlassClassification.Trainers.DiMml(options).Fit(keyed);
        var diagnostics = model.Diagnostics;
        var epochs = diagnostics.History.Where(r => r.Stage == TrainingStage.Detached).Select(r => r.Elapsed.TotalSeconds)
            .ToArray();
        var featureMiB = total * 4.0 * 2 * FashionRow.HalfSize / (1 << 20);
        Console.WriteLine();
        Console.WriteLine($"rows {total} ({featureMiB:F0} MiB of features), budget {args.BudgetMegabytes} MiB, streamed: " +
            $"{diagnostics.Streamed}");
        Console.WriteLine($"stage-1 epoch time: median {Median(epochs):F2} s; waiting for data: " +
            $"{diagnostics.DataWaitTime.TotalSeconds:F2} s of {diagnostics.TrainingTime.TotalSeconds:F2} s " +
            $"({diagnostics.DataWaitShare:P1})");
        Console.WriteLine($"peak RSS: {Process.GetCurrentProcess().PeakWorkingSet64 / (1 << 20)} MiB; total " +
            $"{watch.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : (sorted[(sorted.Length - 1) / 2] + sorted[sorted.Length / 2]) / 2;
    }
}

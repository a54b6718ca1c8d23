using System.Diagnostics;
using Microsoft.ML;

namespace DiMml.Examples;

/// <summary>
/// Long-running service check: trains a small DI-MML model on the shipped data, saves and reloads it, then makes
/// <c>--predictions</c> single-row predictions through one PredictionEngine, sampling the process's resident memory.
/// Fails (exit code 1) when RSS grows more than 10 % between the first tenth of the predictions (at least 20,000,
/// for warm-up) and the end.
/// </summary>
internal static class SoakExample
{
    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var rows = TwoViewFashionMnist.Rows(folder, "t10k");
        var ml = new MLContext(seed: 0);
        var options = new DiMmlTrainer.Options
        {
            Epochs = 2,
            BatchSize = 32,
            LearningRate = 0.01,
            EmbeddingSize = 64,
            FusionEpochs = 1,
            Seed = 0,
            NumberOfThreads = args.Threads
        };
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top", HiddenSizes = [64] });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom", HiddenSizes = [64] });
        var data = ml.Data.LoadFromEnumerable(rows);
        var path = Path.Combine(Path.GetTempPath(), $"dimml-soak-{Environment.ProcessId}.zip");
        using (var trained = (IDisposable)ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(options))
                   .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data))
        {
            ml.Model.Save((ITransformer)trained, data.Schema, path);
        }

        var serving = new MLContext();
        var model = serving.Model.Load(path, out _);
        File.Delete(path);
        using var engine = serving.Model.CreatePredictionEngine<FashionRow, FashionPrediction>(model);
        var total = args.Predictions;
        // JIT tiering and ONNX Runtime's arenas settle within the first ~20,000 predictions: measure growth after that.
        var checkpoint = Math.Min(total, Math.Max(total / 10, 20_000));
        long baseline = 0;
        var latencies = new double[total];
        var watch = new Stopwatch();
        for (var i = 0; i < total; i++)
        {
            watch.Restart();
            engine.Predict(rows[i % rows.Length]);
            latencies[i] = watch.Elapsed.TotalMicroseconds;
            if (i + 1 == checkpoint)
            {
                baseline = Rss();
            }
        }

        var end = Rss();
        var growth = (double)(end - baseline) / baseline;
        Array.Sort(latencies);
        Console.WriteLine($"{total} predictions: RSS {baseline >> 20} MiB after {checkpoint}, {end >> 20} MiB at the end " +
            $"({growth:+0.0%;-0.0%}); " +
            $"latency p50 {latencies[total / 2]:F0} us, p99 {latencies[(int)(total * 0.99)]:F0} us");
        (model as IDisposable)?.Dispose();
        return growth <= 0.10 ? 0 : 1;
    }

    // Resident memory after a full collection, so garbage awaiting collection is not counted as growth.
    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}

using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace DiMml.Examples;

/// <summary>
/// The README's main job: DI-MML inside an ML.NET pipeline on two-view Fashion-MNIST (top and bottom image
/// halves), evaluated with ML.NET's evaluator, saved, reloaded in a fresh MLContext and used for predictions.
/// </summary>
internal static class Quickstart
{
    public static int Run(ExampleArguments args)
    {
        var folder = args.DataFolder ?? Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-small");
        var ml = new MLContext(seed: 0);
        ExampleLog.Attach(ml);
        var train = ml.Data.LoadFromEnumerable(TwoViewFashionMnist.Rows(folder, "train", args.MaxRows));
        var test = ml.Data.LoadFromEnumerable(TwoViewFashionMnist.Rows(folder, "t10k"));
        Console.WriteLine($"Two-view Fashion-MNIST from {folder}: {train.GetRowCount()} train / {test.GetRowCount()} test rows, views = " +
            $"top and bottom image halves");

        var options = Options(args);
        var pipeline = Pipeline(ml, options);
        var watch = Stopwatch.StartNew();
        var model = pipeline.Fit(train);
        Console.WriteLine($"Trained in {watch.Elapsed.TotalSeconds:F1} s ({args.Epochs} + {options.FusionEpochs} fusion epochs, seed " +
            $"{args.Seed})");

        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var labels = scored.GetColumn<uint>("Label").ToArray();
        Console.WriteLine();
        Console.WriteLine("Test accuracy");
        Console.WriteLine($"  top half, modality head     {HeadAccuracy(scored, DiMmlColumns.ModalityScore("top"), labels):P1}");
        Console.WriteLine($"  bottom half, modality head  {HeadAccuracy(scored, DiMmlColumns.ModalityScore("bottom"), labels):P1}");
        Console.WriteLine($"  DI-MML fused                {metrics.MicroAccuracy:P1}   (macro {metrics.MacroAccuracy:P1}, log-loss " +
            $"{metrics.LogLoss:F3})");

        var path = Path.Combine(Path.GetTempPath(), $"dimml-quickstart-{Environment.ProcessId}.zip");
        ml.Model.Save(model, train.Schema, path);
        Console.WriteLine($"\nSaved {new FileInfo(path).Length / 1024} KiB to {path}; reloading it in a new MLContext");
        PredictWithReloaded(path, TwoViewFashionMnist.Rows(folder, "t10k").Take(5));
        File.Delete(path);
        (model as IDisposable)?.Dispose();
        return 0;
    }

    /// <summary>The quickstart's trainer settings: MLP encoders on both halves, D = 128.</summary>
    public static DiMmlTrainer.Options Options(ExampleArguments args)
    {
        var options = new DiMmlTrainer.Options
        {
            LabelColumnName = "Label",
            Epochs = args.Epochs,
            BatchSize = 32,
            LearningRate = 0.01,
            EmbeddingSize = 128,
            FusionEpochs = 5,
            Seed = (int)args.Seed,
            NumberOfThreads = args.Threads,
        };
        options.Modalities.Add(new ModalityOptions { Name = "top", ColumnName = "Top" });
        options.Modalities.Add(new ModalityOptions { Name = "bottom", ColumnName = "Bottom" });
        return options;
    }

    /// <summary>Label to key, DI-MML, predicted key back to the class name.</summary>
    public static IEstimator<ITransformer> Pipeline(MLContext ml, DiMmlTrainer.Options options) =>
        ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.DiMml(options))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    private static void PredictWithReloaded(string path, IEnumerable<FashionRow> rows)
    {
        var serving = new MLContext();
        var loaded = serving.Model.Load(path, out _);
        var info = DiMmlModelInfo.Read(path);
        var engine = serving.Model.CreatePredictionEngine<FashionRow, FashionPrediction>(loaded);
        Console.WriteLine($"  {"true label",-12} {"predicted",-12} {"p",5}  weights ({string.Join(", ", info.BranchNames)})");
        foreach (var row in rows)
        {
            var prediction = engine.Predict(row);
            var weights = string.Join(" ", prediction.BranchWeights.Select(w => w.ToString("F2", CultureInfo.InvariantCulture)));
            Console.WriteLine($"  {row.Label,-12} {prediction.PredictedLabel,-12} {prediction.Score.Max(),5:F2}  {weights}");
        }

        engine.Dispose();
        (loaded as IDisposable)?.Dispose();
    }

    // Share of rows whose highest-probability class in a score column equals the label key (1-based).
    internal static double HeadAccuracy(IDataView scored, string column, uint[] labels)
    {
        var scores = scored.GetColumn<float[]>(column).ToArray();
        var hits = scores.Where((s, i) => Array.IndexOf(s, s.Max()) + 1 == labels[i]).Count();
        return (double)hits / labels.Length;
    }
}
